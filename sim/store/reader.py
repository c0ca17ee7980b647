"""Reading a results folder: :class:`Results` and :func:`open_results`."""

from __future__ import annotations

import json
import warnings
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import OutputError
from sim.store import frames
from sim.store.coverage import Coverage, expected_runs, rerun_command
from sim.store.layout import PARTS, read_info
from sim.store.manifest import table_files, verify_parts
from sim.store.parts import OPTIONAL, RUN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd


def _info(path: Path) -> dict:
    if not path.is_dir():
        raise OutputError(f"{path} is not a folder (expected a results folder written by "
                          f"`sim batch` or `sim run`)")
    info = read_info(path)
    if info is not None:
        return info
    if (path / "summary.json").is_file() and (path / "kpis.parquet").is_file():
        raise OutputError(f"{path} was written by an older `sim run` (summary.json, "
                          f"kpis.parquet); run `sim run` again to get a folder that sim "
                          f"compare, plot and report read")
    raise OutputError(f"{path} is not a results folder (no batch.json; expected a folder "
                      f"written by `sim batch` or `sim run`)")


class Results:
    """A results folder, for the CLI, notebooks, figures and reports (see
    :func:`open_results`)."""

    def __init__(self, folder: str | Path, all_runs: bool = False, eager: bool = True):
        self.path = Path(folder)
        self.all_runs = all_runs
        self.info: dict = _info(self.path)
        self._state = verify_parts(self.path)
        for part, reason in self._state.bad.items():
            warnings.warn(f"{self.path}: part {part} is damaged and left out ({reason}); "
                          f"rerun `sim batch` to recompute its runs", stacklevel=2)
        for line in self._state.damage:
            warnings.warn(f"{self.path}: {line}: damaged, the runs it listed are left out; "
                          f"rerun `sim batch` to recompute them", stacklevel=2)
        if eager:  # read now: KPIs are small, and a snapshot outlives later batches
            _ = self._kpi_tables
        self.summary = None  # set by run_batch: what that call did

    def __repr__(self) -> str:
        return f"<Results {self.name!r} at {self.path}: {len(self.kpis)} runs>"

    # ---------------------------------------------------------------- metadata
    @property
    def name(self) -> str:
        return self.info.get("name", self.path.name)

    @property
    def kind(self) -> str:
        """``"batch"`` (written by ``sim batch``) or ``"run"`` (by ``sim run``)."""
        return self.info.get("kind", "batch")

    @property
    def replications(self) -> int:
        return int(self.info.get("replications", 0))

    @property
    def sweep_columns(self) -> list[str]:
        """Sweep parameters (dotted paths): columns of ``kpis`` and the other tables."""
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

    @property
    def tables(self) -> list[str]:
        """The tables this folder keeps (kpis always)."""
        kept = set(self.info.get("tables", []))
        daily = ["daily"] if self.info.get("daily_every") is not None else []
        return ["kpis", *daily, *[t for t in OPTIONAL if t in kept]]

    @property
    def coverage(self) -> Coverage:
        """How many of the runs the spec asks for are stored, failed, damaged."""
        listed = {Path(meta["file"]).name for rec in self._state.parts
                  for _, meta in table_files(rec)}
        try:
            orphans = sum(1 for f in (self.path / PARTS).iterdir()
                          if f.is_file() and f.suffix == ".parquet" and f.name not in listed)
        except OSError:
            orphans = 0
        damaged = [f"part {p}: {why}" for p, why in self._state.bad.items()]
        return Coverage(self.path, self.kind, expected_runs(self.info), len(self.kpis),
                        len(self.failures), rerun_command(self.path, self.info),
                        damaged + list(self._state.damage), orphans)

    def require_runs(self) -> Results:
        """This folder, if it has runs (else OutputError saying how to make them)."""
        if self.kpis.empty:
            raise OutputError(self.coverage.no_runs())
        return self

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
            row.update({k: frames.cell(v["point"].get(k)) for k in self.info.get("sweep", [])})
            row.update({"digest": v["digest"], "seed": v["seed"],
                        "policies": ", ".join(v["policies"])})
            rows.append(row)
        return pd.DataFrame(rows)

    @cached_property
    def manifest(self) -> pd.DataFrame:
        """One row per stored chunk: part, time, status (ok / damaged / dropped), counts."""
        import pandas as pd

        rows = []
        state = self._state
        for rec in state.parts:
            part = rec["part"]
            status = ("dropped" if part in state.dropped else
                      "damaged" if part in state.bad else "ok")
            rows.append({
                "part": part, "time": rec.get("time"), "status": status,
                "reason": state.dropped.get(part) or state.bad.get(part),
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

    def _parts_of(self, table: str) -> list[tuple[str, object]]:
        out = []
        for part, rec in self._state.good.items():
            if rec.get(table):
                data = frames.read_part(self.path, rec[table], part)
                if data is not None:
                    out.append((part, data))
        return out

    @cached_property
    def _kpi_tables(self) -> list:
        return self._parts_of("kpis")

    @cached_property
    def _runs_raw(self) -> pd.DataFrame:
        """Every stored successful run (all parts), deduplicated, with its part."""
        if not self._kpi_tables:
            return frames.empty_runs()
        df = frames.with_part(self._kpi_tables)
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
        return self._runs_raw[[*RUN_COLUMNS, "part"]].copy()

    @cached_property
    def kpis(self) -> pd.DataFrame:
        """One row per successful run: run_id, scenario, policy, replication, seed, one column
        per sweep parameter (named by its dotted path), then one column per KPI."""
        out = frames.kpi_frame(self._runs_raw, self.sweep_columns)
        out.attrs["id_columns"] = self.id_columns
        return out

    def table(self, name: str) -> pd.DataFrame | None:
        """A per-run table (daily, trips, ledger, events, payers) with the id columns of its
        runs in front; None if the folder does not keep it."""
        if name == "kpis":
            return self.kpis
        if name not in self.tables:
            return None
        ids = self.kpis[self.id_columns].assign(part=self._runs_raw["part"].to_numpy())
        return frames.joined(ids, self._parts_of(name))

    @cached_property
    def daily(self) -> pd.DataFrame | None:
        """Daily series (every N-th day and the last day) of every run, or None if the batch
        does not keep them: id columns, day, date, then the columns of ``RunResult.daily``."""
        return self.table("daily")

    @cached_property
    def trips(self) -> pd.DataFrame | None:
        """One row per trip of every run (None unless kept): id columns, then
        ``RunResult.trips``."""
        return self.table("trips")

    @cached_property
    def ledger(self) -> pd.DataFrame | None:
        """Non-zero cost and personnel entries of every run (None unless kept)."""
        return self.table("ledger")

    @cached_property
    def events(self) -> pd.DataFrame | None:
        """Dated events of every run (None unless kept)."""
        return self.table("events")

    @cached_property
    def payers(self) -> pd.DataFrame | None:
        """Cost (USD), personnel-days and people held back for funding whose transfer the
        payer did not approve, per payer and day of every run under a policy (None unless
        kept): id columns, day, date, payer, cost, personnel_days, held_for_funding (absent
        from results written before it was recorded; see
        :func:`sim.batch.tables.payer_days`)."""
        return self.table("payers")

    @cached_property
    def failures(self) -> pd.DataFrame:
        """Runs whose last attempt failed and that have no stored result: run_id, scenario,
        variant, policy, replication, seed, error, traceback, part, time."""
        import pandas as pd

        ok = self._state.done
        current = None if self.all_runs else self._current()
        version = self.info.get("version")
        last: dict[str, dict] = {}
        for rec in self._state.parts:
            if rec["part"] in self._state.dropped:
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


def open_results(folder: str | Path, all_runs: bool = False) -> Results:
    """Open a results folder written by ``sim batch`` / :func:`sim.run_batch` or ``sim run``.

    Tables are pandas DataFrames, read on first use:

    - ``kpis``: one row per successful run: ``run_id, scenario, policy, replication, seed``,
      one column per sweep parameter (named by its dotted path, e.g. ``fleets.road.units``),
      then one float column per KPI (``escaped``, ``cost_total``, ...). ``policy`` is
      ``"none"`` for runs without a burden-sharing policy.
    - ``daily``, ``trips``, ``ledger``, ``events``, ``payers``: (None unless the folder keeps
      them; ``sim run`` keeps all) the same id columns, then the columns of the table of
      ``RunResult`` (``payers``: day, date, payer, cost, personnel_days, held_for_funding).
    - ``failures``: runs that raised: ``run_id, scenario, variant, policy, replication, seed,
      point, error, traceback, part, time``.
    - ``manifest``: one row per stored chunk: ``part, time, status`` (ok / damaged /
      dropped) and counts.
    - ``runs``: bookkeeping per run: ``variant, digest, version, point, sim_seconds, part``.
    - ``variants``: one row per scenario x sweep point: label, scenario, sweep, digest, seed.

    Also: ``kind`` ("batch" or "run"), ``scenarios`` (dict: variant label -> effective
    scenario YAML text), ``spec`` (the batch spec, parsed), ``spec_text``, ``versions``
    (package versions), ``name``, ``replications``, ``policies``, ``tables``,
    ``sweep_columns``, ``id_columns``, ``kpi_names``.

    Only runs of the scenarios and policies of the folder's last spec are shown (a changed
    scenario has new run ids); ``all_runs=True`` shows every run stored. Damaged parts are
    left out with a warning (the next ``sim batch`` recomputes them).
    """
    return Results(folder, all_runs=all_runs)
