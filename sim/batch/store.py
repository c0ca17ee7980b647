"""The results folder of a batch: Parquet parts, an append-only manifest, and what was run.

Layout of ``DIR``::

    DIR/
      batch.json            what the folder holds now: name, replications, sweep paths,
                            variants (scenario, sweep point, digest, root seed, policies)
      spec.yaml             the batch spec as last run (verbatim)
      versions.json         Python and package versions of the last run
      scenarios/<digest>.yaml   each effective scenario (after extends, overrides, sweep)
      manifest.jsonl        one JSON line per finished chunk (and per dropped part);
                            written by the driver only, with flush + fsync
      parts/kpis-<seq>-<rand>.parquet    one row per successful run of a chunk
      parts/daily-<seq>-<rand>.parquet   daily series of those runs (if kept)
      parts/corrupt/        parts found damaged, moved aside (their runs are recomputed)
      compare.csv, compare.parquet       written by ``sim compare``
      .lock                 while a ``sim batch`` runs: its pid, host and start time

A part is written to a temporary file, fsynced and renamed into place, and only then listed
in the manifest, so a part that is not in the manifest (the driver died in between) is an
orphan: it is ignored by readers and removed by the next ``sim batch``. A listed part whose
size, SHA-256 or row count does not match the manifest, or that pyarrow cannot read, is
dropped; its runs count as missing and are recomputed by the next ``sim batch``.

Run ids are content addressed (:func:`sim.batch.spec.run_id`): the SHA-256 of the effective
scenario's digest, the policy, the replication, the root seed and the package version. A
changed scenario therefore gets new ids; :func:`open_results` shows only the runs of the
scenarios and policies the folder's last spec asks for (``all_runs=True`` shows everything).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import uuid
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

    from sim.batch.spec import ResolvedBatch
    from sim.batch.worker import ChunkResult, Part, Task

FORMAT = 1
MANIFEST = "manifest.jsonl"
LOCK = ".lock"


# ----------------------------------------------------------------------------- small helpers
def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file, fsync and rename (all or nothing)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from None
    _fsync_dir(path.parent)


def package_versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    out = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ("sim", "numpy", "pandas", "pyarrow", "simpy", "scipy", "pydantic", "pyyaml",
                 "dask", "distributed"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


# ----------------------------------------------------------------------------- lock
def _proc_start(pid: int) -> str | None:
    """Start time of a process (Linux /proc; None elsewhere), to tell a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else None


def _pid_alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # pragma: no cover
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
        if stat[stat.rfind(")") + 2:].split()[0] == "Z":  # zombie: dead, not yet reaped
            return False
    except OSError:
        pass
    now = _proc_start(pid)
    return not (start and now and start != now)


class BatchLock:
    """``DIR/.lock``: refuses a second ``sim batch`` on a folder; a stale lock (its process
    is gone) is taken over."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK
        self.held = False

    def info(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None

    def _stale(self, info: dict | None) -> bool:
        if info is None:  # unreadable: stale only if old (a new lock is written at once)
            try:
                age = dt.datetime.now().timestamp() - self.path.stat().st_mtime
            except OSError:
                return True
            return age > 30
        if info.get("host") != socket.gethostname():
            return False
        try:
            pid = int(info["pid"])
        except (KeyError, TypeError, ValueError):
            return True
        return not _pid_alive(pid, info.get("start"))

    def acquire(self) -> None:
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now(),
              "start": _proc_start(os.getpid())}
        for _ in range(5):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                info = self.info()
                if not self._stale(info):
                    who = (f"pid {info.get('pid')} on {info.get('host')}, started "
                           f"{info.get('started')}") if info else "another process"
                    raise OutputError(
                        f"{self.path.parent} is in use by another `sim batch` ({who}); wait "
                        f"for it to finish, or delete {self.path} if that process is gone"
                    ) from None
                aside = self.path.with_name(f"{LOCK}.stale-{uuid.uuid4().hex[:8]}")
                try:
                    os.replace(self.path, aside)
                    aside.unlink(missing_ok=True)
                except FileNotFoundError:
                    pass
                continue
            except OSError as exc:
                raise OutputError(f"cannot create {self.path} ({exc.strerror or exc})") from None
            with os.fdopen(fd, "w") as fh:
                json.dump(me, fh)
                fh.flush()
                os.fsync(fh.fileno())
            self.held = True
            return
        raise OutputError(f"cannot take the lock {self.path} (another process keeps taking it)")

    def release(self) -> None:
        if not self.held:
            return
        info = self.info()
        if info and info.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# ----------------------------------------------------------------------------- manifest
def read_manifest(folder: Path) -> list[dict]:
    """Records of the manifest; a line cut short by a crash (the last one) is ignored."""
    path = Path(folder) / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    out = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and rec.get("kind") in ("part", "drop"):
            out.append(rec)
    return out


def _check_file(folder: Path, meta: dict | None) -> str | None:
    """Why a part file is unusable (None if it matches the manifest)."""
    if meta is None:
        return None
    path = folder / meta["file"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return f"{meta['file']} is missing"
    except OSError as exc:
        return f"{meta['file']} cannot be read ({exc.strerror or exc})"
    if len(data) != meta["bytes"]:
        return f"{meta['file']} has {len(data)} bytes, the manifest says {meta['bytes']}"
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        return f"{meta['file']} does not match its SHA-256 checksum"
    return None


@dataclass
class PartState:
    """The manifest after verification: usable parts, and parts found damaged."""

    records: list[dict]
    good: dict[str, dict] = field(default_factory=dict)
    bad: dict[str, str] = field(default_factory=dict)  # part -> reason
    dropped: dict[str, str] = field(default_factory=dict)

    @property
    def done(self) -> set[str]:
        return {rid for rec in self.good.values() for rid in rec["ok"]}


def verify_parts(folder: Path, records: list[dict] | None = None) -> PartState:
    folder = Path(folder)
    records = read_manifest(folder) if records is None else records
    state = PartState(records)
    for rec in records:
        if rec["kind"] == "drop":
            state.dropped[rec["part"]] = rec.get("reason", "")
            state.good.pop(rec["part"], None)
            state.bad.pop(rec["part"], None)
    for rec in records:
        if rec["kind"] != "part" or rec["part"] in state.dropped:
            continue
        reason = _check_file(folder, rec.get("kpis")) or _check_file(folder, rec.get("daily"))
        if reason:
            state.bad[rec["part"]] = reason
        else:
            state.good[rec["part"]] = rec
    return state


# ----------------------------------------------------------------------------- writer
class Store:
    """The writing side of a results folder (used by ``run_batch`` under the lock)."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder)
        self.parts = self.path / "parts"
        self.lock = BatchLock(self.path)
        self._seq = 0
        self._manifest = None

    # ---------------------------------------------------------------- opening
    @staticmethod
    def check_folder(folder: Path) -> None:
        """The folder is new, empty, or a results folder (else OutputError)."""
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{folder} exists and is not a folder (expected a results folder)")
        if folder.is_dir():
            entries = {p.name for p in folder.iterdir()}
            if entries - {LOCK} and not entries & {"batch.json", MANIFEST}:
                raise OutputError(f"{folder} exists and is not a batch results folder "
                                  f"(expected a new or empty folder, or one written by "
                                  f"`sim batch`)")

    def open(self, batch: ResolvedBatch) -> PartState:
        """Create the folder, take the lock, tidy up after a crash and record the batch.

        Returns the verified parts (what is already done)."""
        self.check_folder(self.path)
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
            (self.path / "scenarios").mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path} ({exc.strerror or exc})") from None
        self.lock.acquire()
        try:
            old = self._check_compatible(batch)
            state = self._recover()
            reps = batch.replications
            if old and [v["digest"] for v in old.get("variants", [])] == [
                    v.digest for v in batch.variants] and old.get("version") == batch.version:
                reps = max(reps, int(old.get("replications", 0)))  # kept after adaptive runs
            self._record_batch(batch, reps)
        except BaseException:
            self.lock.release()
            raise
        return state

    def close(self) -> None:
        if self._manifest is not None:
            self._manifest.close()
            self._manifest = None
        self.lock.release()

    def _check_compatible(self, batch: ResolvedBatch) -> dict | None:
        old = self.batch_info()
        if old is None:
            return None
        if old.get("daily_every") != batch.daily_every:
            def words(n):
                return "no daily series" if n is None else f"daily series every {n} day(s)"
            raise OutputError(
                f"{self.path} keeps {words(old.get('daily_every'))} but the spec asks for "
                f"{words(batch.daily_every)} (expected the same tables: to extend a batch; "
                f"use another --out for different tables)")
        return old

    def batch_info(self) -> dict | None:
        try:
            return json.loads((self.path / "batch.json").read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise OutputError(f"{self.path / 'batch.json'} cannot be read ({exc})") from None

    def _recover(self) -> PartState:
        """After a crash: cut a half-written manifest line, set damaged parts aside, and
        remove parts that never made it into the manifest."""
        path = self.path / MANIFEST
        if path.exists():
            raw = path.read_bytes()
            if raw and not raw.endswith(b"\n"):
                with open(path, "r+b") as fh:
                    fh.truncate(raw.rfind(b"\n") + 1)
                    fh.flush()
                    os.fsync(fh.fileno())
        state = verify_parts(self.path)
        self._seq = sum(1 for r in state.records if r["kind"] == "part")
        for part, reason in state.bad.items():
            rec = next(r for r in state.records if r.get("part") == part)
            aside = self.parts / "corrupt"
            aside.mkdir(exist_ok=True)
            for meta in (rec.get("kpis"), rec.get("daily")):
                if meta and (self.path / meta["file"]).exists():
                    os.replace(self.path / meta["file"], aside / Path(meta["file"]).name)
            self._append({"kind": "drop", "part": part, "reason": reason, "time": _now()})
            state.dropped[part] = reason
        state.bad = {}
        listed = {Path(m["file"]).name for r in state.records if r["kind"] == "part"
                  for m in (r.get("kpis"), r.get("daily")) if m}
        for f in self.parts.iterdir():
            if f.is_file() and f.name not in listed:
                f.unlink(missing_ok=True)
        return state

    def _record_batch(self, batch: ResolvedBatch, replications: int) -> None:
        for v in batch.variants:
            target = self.path / "scenarios" / f"{v.digest}.yaml"
            if not target.exists():
                atomic_write(target, v.yaml.encode())
        atomic_write(self.path / "spec.yaml", batch.text.encode())
        atomic_write(self.path / "versions.json",
                     (json.dumps(package_versions(), indent=2) + "\n").encode())
        self.record_replications(batch, replications)

    def record_replications(self, batch: ResolvedBatch, replications: int) -> None:
        info = {
            "format": FORMAT, "name": batch.name, "spec": str(batch.path),
            "replications": replications, "daily_every": batch.daily_every,
            "sweep": batch.sweep_paths, "version": batch.version, "updated": _now(),
            "variants": [{"label": v.label, "scenario": v.scenario, "point": v.point,
                          "digest": v.digest, "seed": v.seed, "policies": list(v.policies),
                          "file": f"scenarios/{v.digest}.yaml"} for v in batch.variants],
        }
        atomic_write(self.path / "batch.json",
                     (json.dumps(info, indent=2, default=str) + "\n").encode())

    # ---------------------------------------------------------------- writing parts
    def _append(self, record: dict) -> None:
        if self._manifest is None:
            self._manifest = open(self.path / MANIFEST, "ab")
        self._manifest.write((json.dumps(record, default=str) + "\n").encode())
        self._manifest.flush()
        os.fsync(self._manifest.fileno())

    def _write_part(self, kind: str, name: str, part: Part | None) -> dict | None:
        if part is None:
            return None
        if hashlib.sha256(part.data).hexdigest() != part.sha256:
            raise OutputError(f"a {kind} part of chunk {name} was damaged in transit")
        target = self.parts / f"{kind}-{name}.parquet"
        tmp = self.parts / f".{target.name}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(part.data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {target} ({exc.strerror or exc})") from None
        return {"file": f"parts/{target.name}", "rows": part.rows, "bytes": len(part.data),
                "sha256": part.sha256}

    def write_chunk(self, task: Task, result: ChunkResult) -> dict:
        """Store a finished chunk: parts first (atomically), then its manifest line."""
        self._seq += 1
        name = f"{self._seq:06d}-{uuid.uuid4().hex[:8]}"
        kpis = self._write_part("kpis", name, result.kpis)
        daily = self._write_part("daily", name, result.daily)
        if kpis or daily:
            _fsync_dir(self.parts)
        record = {"kind": "part", "part": name, "time": _now(), "variant": task.variant,
                  "policy": task.policy, "kpis": kpis, "daily": daily, "ok": result.ok,
                  "failures": result.failures, "sim_seconds": result.sim_seconds,
                  "seconds": result.seconds, "pid": result.pid}
        self._append(record)
        return record


# ----------------------------------------------------------------------------- reading
class Results:
    """A batch results folder, for notebooks, plots and reports (see :func:`open_results`)."""

    def __init__(self, folder: str | Path, all_runs: bool = False, eager: bool = True):
        self.path = Path(folder)
        self.all_runs = all_runs
        if not self.path.is_dir():
            raise OutputError(f"{self.path} is not a folder (expected a batch results folder)")
        info_path = self.path / "batch.json"
        try:
            self.info: dict = json.loads(info_path.read_text())
        except FileNotFoundError:
            raise OutputError(f"{self.path} is not a batch results folder (no batch.json; "
                              f"expected a folder written by `sim batch`)") from None
        except (OSError, ValueError) as exc:
            raise OutputError(f"{info_path} cannot be read ({exc})") from None
        self._state = verify_parts(self.path)
        for part, reason in self._state.bad.items():
            warnings.warn(f"{self.path}: part {part} is damaged and left out ({reason}); "
                          f"rerun `sim batch` to recompute its runs", stacklevel=2)
        if eager:  # read now: KPIs are small, and a snapshot outlives later batches
            _ = self._kpi_tables
        self.summary = None  # set by run_batch
        self.adaptive = None  # set by run_batch with a target half-width

    def __repr__(self) -> str:
        return f"<Results {self.name!r} at {self.path}: {len(self.kpis)} runs>"

    # ---------------------------------------------------------------- metadata
    @property
    def name(self) -> str:
        return self.info.get("name", self.path.name)

    @property
    def replications(self) -> int:
        return int(self.info.get("replications", 0))

    @property
    def sweep_columns(self) -> list[str]:
        """Sweep parameters (dotted paths): columns of ``kpis`` and ``daily``."""
        cols = list(self.info.get("sweep", []))
        if self.all_runs:
            for point in self._runs_raw["point"].unique():
                cols.extend(k for k in json.loads(point) if k not in cols)
        return cols

    @property
    def id_columns(self) -> list[str]:
        """Columns that identify a run: run_id, scenario, policy, replication, seed, sweep."""
        return ["run_id", "scenario", "policy", "replication", "seed", *self.sweep_columns]

    @property
    def kpi_names(self) -> list[str]:
        return [c for c in self.kpis.columns if c not in self.id_columns]

    @property
    def policies(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.info.get("variants", []):
            seen.update(dict.fromkeys(v["policies"]))
        return list(seen)

    @cached_property
    def spec_text(self) -> str:
        try:
            return (self.path / "spec.yaml").read_text(encoding="utf-8")
        except OSError:
            return ""

    @cached_property
    def spec(self) -> dict:
        """The batch spec as last run (parsed YAML)."""
        import yaml

        return yaml.safe_load(self.spec_text) or {}

    @cached_property
    def versions(self) -> dict:
        try:
            return json.loads((self.path / "versions.json").read_text())
        except (OSError, ValueError):
            return {}

    @cached_property
    def scenarios(self) -> dict[str, str]:
        """Effective scenario YAML by variant label (``scenario`` or ``scenario[k=v]``)."""
        out = {}
        for v in self.info.get("variants", []):
            try:
                out[v["label"]] = (self.path / v["file"]).read_text(encoding="utf-8")
            except OSError:
                out[v["label"]] = ""
        return out

    @cached_property
    def variants(self) -> pd.DataFrame:
        """One row per scenario variant: label, scenario, sweep columns, digest, seed."""
        import pandas as pd

        rows = []
        for v in self.info.get("variants", []):
            row = {"variant": v["label"], "scenario": v["scenario"]}
            row.update({k: _cell(v["point"].get(k)) for k in self.info.get("sweep", [])})
            row.update({"digest": v["digest"], "seed": v["seed"],
                        "policies": ", ".join(v["policies"])})
            rows.append(row)
        return pd.DataFrame(rows)

    @cached_property
    def manifest(self) -> pd.DataFrame:
        """One row per manifest record: part, time, status (ok / damaged / dropped), rows."""
        import pandas as pd

        rows = []
        for rec in self._state.records:
            if rec["kind"] != "part":
                continue
            part = rec["part"]
            status = ("dropped" if part in self._state.dropped else
                      "damaged" if part in self._state.bad else "ok")
            rows.append({
                "part": part, "time": rec.get("time"), "status": status,
                "reason": self._state.dropped.get(part) or self._state.bad.get(part),
                "variant": rec.get("variant"), "policy": rec.get("policy"),
                "runs": len(rec.get("ok", [])), "failures": len(rec.get("failures", [])),
                "kpis_file": (rec.get("kpis") or {}).get("file"),
                "daily_file": (rec.get("daily") or {}).get("file"),
                "sim_seconds": rec.get("sim_seconds"), "seconds": rec.get("seconds"),
                "pid": rec.get("pid"),
            })
        return pd.DataFrame(rows, columns=["part", "time", "status", "reason", "variant",
                                           "policy", "runs", "failures", "kpis_file",
                                           "daily_file", "sim_seconds", "seconds", "pid"])

    # ---------------------------------------------------------------- tables
    def _current(self) -> set[tuple]:
        version = self.info.get("version")
        return {(v["digest"], p, int(v["seed"]), version)
                for v in self.info.get("variants", []) for p in v["policies"]}

    def _read(self, meta: dict, part: str):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(pa.BufferReader((self.path / meta["file"]).read_bytes()),
                                  use_threads=False)
        except (OSError, pa.ArrowException) as exc:
            warnings.warn(f"{self.path}: part {part} cannot be read and is left out ({exc})",
                          stacklevel=3)
            return None
        if table.num_rows != meta["rows"]:
            warnings.warn(f"{self.path}: part {part} has {table.num_rows} rows, the manifest "
                          f"says {meta['rows']}; left out", stacklevel=3)
            return None
        return table

    @cached_property
    def _kpi_tables(self) -> list:
        out = []
        for part, rec in self._state.good.items():
            if rec.get("kpis"):
                table = self._read(rec["kpis"], part)
                if table is not None:
                    out.append((part, table))
        return out

    @cached_property
    def _runs_raw(self) -> pd.DataFrame:
        """Every stored successful run (all parts), deduplicated, with its part."""
        import pandas as pd
        import pyarrow as pa

        from sim.batch.worker import RUN_COLUMNS

        if not self._kpi_tables:
            df = pd.DataFrame({c: pd.Series(dtype="float64" if c == "sim_seconds" else
                                            "int64" if c in ("replication", "seed") else
                                            "object") for c in RUN_COLUMNS})
            df["part"] = pd.Series(dtype="object")
            return df
        frames = []
        for part, table in self._kpi_tables:
            table = table.append_column("part", pa.array([part] * table.num_rows, pa.string()))
            frames.append(table)
        table = pa.concat_tables(frames, promote_options="permissive")
        df = table.to_pandas(use_threads=False)
        df = df.drop_duplicates("run_id", keep="first")
        if not self.all_runs:
            current = self._current()
            keys = list(zip(df["digest"], df["policy"], df["seed"].astype(int), df["version"]))
            df = df.loc[[k in current for k in keys]]
        order = {v["label"]: i for i, v in enumerate(self.info.get("variants", []))}
        pol = {p: i for i, p in enumerate(self.policies)}
        df = df.assign(_v=df["variant"].map(order).fillna(len(order)),
                       _p=df["policy"].map(pol).fillna(len(pol)))
        df = df.sort_values(["_v", "_p", "variant", "policy", "replication"], kind="stable")
        return df.drop(columns=["_v", "_p"]).reset_index(drop=True)

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: run_id, scenario, variant, policy, replication, seed, digest,
        version, point (sweep point as JSON), sim_seconds, part."""
        from sim.batch.worker import RUN_COLUMNS

        return self._runs_raw[[*RUN_COLUMNS, "part"]].copy()

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """One row per successful run: run_id, scenario, policy, replication, seed, one column
        per sweep parameter (named by its dotted path), then one column per KPI."""
        import pandas as pd

        from sim.batch.worker import RUN_COLUMNS

        raw = self._runs_raw
        sweep = self.sweep_columns
        points = [json.loads(p) for p in raw["point"]]
        cols = {c: raw[c].to_numpy() for c in ("run_id", "scenario", "policy")}
        cols["replication"] = raw["replication"].astype("int64").to_numpy()
        cols["seed"] = raw["seed"].astype("int64").to_numpy()
        for key in sweep:
            cols[key] = pd.Series([_cell(p.get(key)) for p in points], dtype=None,
                                  index=raw.index).infer_objects().to_numpy()
        kpi_cols = [c for c in raw.columns if c not in RUN_COLUMNS and c != "part"]
        df = pd.DataFrame(cols, index=raw.index)
        out = pd.concat([df, raw[kpi_cols]], axis=1).reset_index(drop=True)
        out.attrs["id_columns"] = self.id_columns
        return out

    @cached_property
    def daily(self) -> pd.DataFrame | None:
        """Daily series (every N-th day and the last day) of every run, or None if the batch
        does not keep them: run_id, scenario, policy, replication, seed, sweep columns, day,
        date, then the columns of ``RunResult.daily``."""
        import pandas as pd
        import pyarrow as pa

        if self.info.get("daily_every") is None:
            return None
        tables = []
        for part, rec in self._state.good.items():
            if rec.get("daily"):
                table = self._read(rec["daily"], part)
                if table is not None:
                    tables.append(table)
        ids = self.kpis[["run_id", "scenario", "policy", "replication", "seed",
                         *self.sweep_columns]]
        if not tables:
            return ids.iloc[0:0].assign(day=pd.Series(dtype="int64"))
        df = pa.concat_tables(tables, promote_options="permissive").to_pandas(
            use_threads=False)
        df = df.drop_duplicates(["run_id", "day"], keep="first")
        df = ids.merge(df, on="run_id", how="inner", sort=False)
        return df.reset_index(drop=True)

    @cached_property
    def failures(self) -> pd.DataFrame:
        """Runs whose last attempt failed and that have no stored result: run_id, scenario,
        variant, policy, replication, seed, error, traceback, part, time."""
        import pandas as pd

        ok = {rid for rec in self._state.good.values() for rid in rec["ok"]}
        current = None if self.all_runs else self._current()
        version = self.info.get("version")
        last: dict[str, dict] = {}
        for rec in self._state.records:
            if rec["kind"] != "part" or rec["part"] in self._state.dropped:
                continue
            for f in rec.get("failures", []):
                if f["run_id"] in ok:
                    continue
                if current is not None and (f["digest"], f["policy"], int(f["seed"]),
                                            version) not in current:
                    continue
                last[f["run_id"]] = {**f, "part": rec["part"], "time": rec.get("time")}
        cols = ["run_id", "scenario", "variant", "policy", "replication", "seed", "point",
                "error", "traceback", "part", "time"]
        return pd.DataFrame([{c: f.get(c) for c in cols} for f in last.values()], columns=cols)


def _cell(value: Any) -> Any:
    """A sweep value as a table cell: scalars as they are, lists/mappings as JSON text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def open_results(folder: str | Path, all_runs: bool = False) -> Results:
    """Open a batch results folder written by ``sim batch`` / :func:`sim.run_batch`.

    Tables are pandas DataFrames, read on first use:

    - ``kpis``: one row per successful run: ``run_id, scenario, policy, replication, seed``,
      one column per sweep parameter (named by its dotted path, e.g. ``fleets.road.units``),
      then one float column per KPI (``escaped``, ``cost_total``, ...). ``policy`` is
      ``"none"`` for runs without a burden-sharing policy.
    - ``daily``: (None unless the spec keeps daily series) the same id columns, then
      ``day, date`` and the columns of ``RunResult.daily``, every N-th day and the last day.
    - ``failures``: runs that raised: ``run_id, scenario, variant, policy, replication, seed,
      point, error, traceback, part, time``.
    - ``manifest``: one row per stored chunk: ``part, time, status`` (ok / damaged /
      dropped) and counts.
    - ``runs``: bookkeeping per run: ``variant, digest, version, point, sim_seconds, part``.
    - ``variants``: one row per scenario x sweep point: label, scenario, sweep, digest, seed.

    Also: ``scenarios`` (dict: variant label -> effective scenario YAML text), ``spec``
    (the batch spec, parsed), ``spec_text``, ``versions`` (package versions), ``name``,
    ``replications``, ``policies``, ``sweep_columns``, ``id_columns``, ``kpi_names``.

    Only runs of the scenarios and policies of the folder's last spec are shown (a changed
    scenario has new run ids); ``all_runs=True`` shows every run stored. Damaged parts are
    left out with a warning (the next ``sim batch`` recomputes them).
    """
    return Results(folder, all_runs=all_runs)
