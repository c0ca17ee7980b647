"""The writing side of a store: open it under the lock, tidy up after a crash, record what
is run, and add each finished chunk (parts first, atomically, then its manifest line)."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import OutputError
from sim.store.files import atomic_write, fsync_dir, now, package_versions
from sim.store.layout import BATCH, FORMAT, PARTS, SCENARIOS, check_store_folder, read_info
from sim.store.lock import BatchLock
from sim.store.manifest import MANIFEST, PartState, scan_manifest, table_files, verify_parts
from sim.store.parts import ChunkResult, Part


@dataclass(frozen=True)
class VariantInfo:
    """One scenario at one sweep point, as the store records it."""

    label: str
    scenario: str
    point: dict[str, Any]
    digest: str
    seed: int
    policies: tuple[str, ...]
    yaml: str = field(repr=False)


@dataclass
class StoreInfo:
    """What a store holds: written to ``batch.json``, ``spec.yaml`` and ``scenarios/``."""

    name: str
    spec_text: str
    replications: int
    variants: list[VariantInfo]
    version: str
    spec: str | None = None  # the spec file, as given
    daily_every: int | None = None
    tables: tuple[str, ...] = ()  # kept besides kpis and daily
    sweep: list[str] = field(default_factory=list)
    kind: str = "batch"  # "batch" (sim batch) or "run" (sim run)
    scenario_file: str | None = None  # the scenario file of a `sim run`

    def record(self, replications: int) -> dict:
        return {
            "format": FORMAT, "kind": self.kind, "name": self.name, "spec": self.spec,
            "scenario_file": self.scenario_file, "replications": replications,
            "daily_every": self.daily_every, "tables": list(self.tables),
            "sweep": self.sweep, "version": self.version, "updated": now(),
            "variants": [{"label": v.label, "scenario": v.scenario, "point": v.point,
                          "digest": v.digest, "seed": v.seed, "policies": list(v.policies),
                          "file": f"{SCENARIOS}/{v.digest}.yaml"} for v in self.variants],
        }


def _words(every: int | None, tables: list[str]) -> str:
    daily = "no daily series" if every is None else f"daily series every {every} day(s)"
    return daily + (f" and {', '.join(tables)}" if tables else "")


class StoreWriter:
    """The writing side of a results folder (used by ``run_batch`` under the lock)."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder)
        self.parts = self.path / PARTS
        self.lock = BatchLock(self.path)
        self._seq = 0
        self._manifest = None

    # ---------------------------------------------------------------- opening
    def open(self, info: StoreInfo) -> PartState:
        """Create the folder, take the lock, tidy up after a crash and record the batch.

        Returns the verified parts (what is already done)."""
        check_store_folder(self.path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path} ({exc.strerror or exc})") from None
        self.lock.acquire()  # before anything else: a second batch is told it is in use
        try:
            check_store_folder(self.path)  # what the folder holds now, under the lock
            try:
                self.parts.mkdir(exist_ok=True)
                (self.path / SCENARIOS).mkdir(exist_ok=True)
            except OSError as exc:
                raise OutputError(f"cannot create {self.path} ({exc.strerror or exc})") \
                    from None
            old = self._check_compatible(info)
            state = self._recover()
            reps = info.replications
            if old and [v["digest"] for v in old.get("variants", [])] == [
                    v.digest for v in info.variants] and old.get("version") == info.version:
                reps = max(reps, int(old.get("replications", 0)))  # kept after adaptive runs
            self._record(info, reps)
        except BaseException:
            self.close()
            raise
        return state

    def close(self) -> None:
        if self._manifest is not None:
            self._manifest.close()
            self._manifest = None
        self.lock.release()

    def _check_compatible(self, info: StoreInfo) -> dict | None:
        old = read_info(self.path)
        if old is None:
            return None
        kind = old.get("kind", "batch")
        if kind != info.kind:
            raise OutputError(f"{self.path} holds the results of a `sim {kind}` (expected a "
                              f"new folder or one written by `sim {info.kind}`)")
        before = (old.get("daily_every"), sorted(old.get("tables", [])))
        if before != (info.daily_every, sorted(info.tables)):
            raise OutputError(
                f"{self.path} keeps {_words(*before)} but the spec asks for "
                f"{_words(info.daily_every, sorted(info.tables))} (expected the same tables: "
                f"to extend a batch; use another --out for different tables)")
        return old

    def _recover(self) -> PartState:
        """After a crash: cut a half-written manifest line, remove damaged ones, set damaged
        parts aside, and remove parts that never made it into the manifest."""
        path = self.path / MANIFEST
        if path.exists():
            raw = path.read_bytes()
            if raw and not raw.endswith(b"\n"):
                with open(path, "r+b") as fh:
                    fh.truncate(raw.rfind(b"\n") + 1)
                    fh.flush()
                    os.fsync(fh.fileno())
        manifest = scan_manifest(self.path)
        if manifest.damage:  # keep the readable records, note what was removed
            note = {"kind": "repair", "time": now(),
                    "removed": [f"{d} (its runs are recomputed)" for d in manifest.damage]}
            lines = [json.dumps(r, default=str) for r in [*manifest.records, note]]
            atomic_write(path, ("\n".join(lines) + "\n").encode())
            manifest = scan_manifest(self.path)
        state = verify_parts(self.path, manifest)
        self._seq = len(state.parts)
        for part, reason in state.bad.items():
            rec = next(r for r in state.parts if r["part"] == part)
            aside = self.parts / "corrupt"
            aside.mkdir(exist_ok=True)
            for _, meta in table_files(rec):
                if (self.path / meta["file"]).exists():
                    os.replace(self.path / meta["file"], aside / Path(meta["file"]).name)
            self._append({"kind": "drop", "part": part, "reason": reason, "time": now()})
            state.dropped[part] = reason
        state.bad = {}
        listed = {Path(meta["file"]).name for r in state.parts for _, meta in table_files(r)}
        for f in self.parts.iterdir():
            if f.is_file() and f.name not in listed:
                f.unlink(missing_ok=True)
        return state

    def _record(self, info: StoreInfo, replications: int) -> None:
        for v in info.variants:
            target = self.path / SCENARIOS / f"{v.digest}.yaml"
            if not target.exists():
                atomic_write(target, v.yaml.encode())
        atomic_write(self.path / "spec.yaml", info.spec_text.encode())
        atomic_write(self.path / "versions.json",
                     (json.dumps(package_versions(), indent=2) + "\n").encode())
        self.record_replications(info, replications)

    def record_replications(self, info: StoreInfo, replications: int) -> None:
        """Write ``batch.json`` with ``replications`` (raised by adaptive rounds)."""
        atomic_write(self.path / BATCH,
                     (json.dumps(info.record(replications), indent=2, default=str)
                      + "\n").encode())

    # ---------------------------------------------------------------- writing parts
    def _append(self, record: dict) -> None:
        if self._manifest is None:
            self._manifest = open(self.path / MANIFEST, "ab")
        self._manifest.write((json.dumps(record, default=str) + "\n").encode())
        self._manifest.flush()
        os.fsync(self._manifest.fileno())

    def _write_part(self, table: str, name: str, part: Part) -> dict:
        if hashlib.sha256(part.data).hexdigest() != part.sha256:
            raise OutputError(f"a {table} part of chunk {name} was damaged in transit")
        target = self.parts / f"{table}-{name}.parquet"
        atomic_write(target, part.data, sync_dir=False)
        return {"file": f"{PARTS}/{target.name}", "rows": part.rows, "bytes": len(part.data),
                "sha256": part.sha256}

    def write_chunk(self, head: dict[str, Any], result: ChunkResult) -> dict:
        """Store a finished chunk: its parts first (atomically), then its manifest line.

        ``head``: what the chunk ran (variant, policy)."""
        self._seq += 1
        name = f"{self._seq:06d}-{uuid.uuid4().hex[:8]}"
        files = {table: self._write_part(table, name, part)
                 for table, part in result.parts.items()}
        if files:
            fsync_dir(self.parts)
        record = {"kind": "part", "part": name, "time": now(), **head,
                  "kpis": files.pop("kpis", None), "daily": files.pop("daily", None), **files,
                  "ok": result.ok, "failures": result.failures,
                  "sim_seconds": result.sim_seconds, "seconds": result.seconds,
                  "pid": result.pid}
        self._append(record)
        return record
