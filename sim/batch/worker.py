"""What a worker does: run a chunk of replications and return ready-to-store Parquet bytes.

This module is imported by worker processes (local pool or Dask), so it stays small. The
worker encodes the Parquet part and its checksum itself, so that the driver only writes
bytes to disk (it shares the CPUs with the workers) and so that Dask workers need no shared
file system. The KPI and daily parts are built as Arrow columns directly (no pandas: a KPI
part has a column per KPI, a few hundred, and pandas would cost more than the Parquet
encoding); the optional tables (trips, ledger, events, payers) are DataFrames.
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.store.parts import (
    RUN_COLUMNS,
    ChunkResult,
    arrow_table,
    encode_arrow,
    encode_table,
    text_columns,
)

if TYPE_CHECKING:
    import numpy as np

    from sim.scenario.schema import Scenario


@dataclass
class Task:
    """Replications of one scenario variant under one policy."""

    variant: str
    scenario: str
    point: str  # canonical JSON of the sweep point
    digest: str
    seed: int
    policy: str  # label; "none" = no policy
    version: str
    scn: Scenario = field(repr=False)
    runs: list[tuple[int, str]] = field(default_factory=list)  # (replication, run_id)
    daily_every: int | None = None
    tables: tuple[str, ...] = ()  # kept besides kpis and daily: trips, ledger, events, payers


_SCENARIOS: dict[str, Scenario] = {}
"""Scenarios seen by this worker, by digest: every task brings its own unpickled copy, but
the model caches compiled policies per scenario object, so the first copy is reused."""


def _scenario(task: Task) -> Scenario:
    scn = _SCENARIOS.get(task.digest)
    if scn is None:
        if len(_SCENARIOS) >= 16:
            _SCENARIOS.pop(next(iter(_SCENARIOS)))
        scn = _SCENARIOS[task.digest] = task.scn
    return scn


def kpi_columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The KPI part's columns from one dict per run: the run columns, then every KPI (in
    order of first appearance; NaN, stored as null, where a run lacks one)."""
    import numpy as np

    names = list(dict.fromkeys(k for row in rows for k in row))
    out: dict[str, Any] = {}
    for name in names:
        if name in ("replication", "seed"):
            out[name] = np.asarray([row[name] for row in rows])
        elif name in RUN_COLUMNS and name != "sim_seconds":
            out[name] = [row[name] for row in rows]
        else:
            out[name] = np.asarray([row.get(name, np.nan) for row in rows], dtype=np.float64)
    return out


def _stacked(runs: list[tuple[str, dict[str, np.ndarray]]]) -> dict[str, Any]:
    """Per-run columns (same names) stacked, with the run id of every row in front."""
    import numpy as np

    names = list(runs[0][1])
    if any(list(cols) != names for _, cols in runs):
        raise ValueError("the runs of a chunk have different daily columns")
    rows = [len(next(iter(cols.values()))) for _, cols in runs]
    out: dict[str, Any] = {"run_id": np.repeat(np.asarray([rid for rid, _ in runs],
                                                          dtype=object), rows)}
    for name in names:
        out[name] = np.concatenate([cols[name] for _, cols in runs])
    return out


def run_chunk(task: Task) -> ChunkResult:
    """Run every replication of ``task``; a run that raises is recorded, the others go on."""
    from sim.batch.spec import policy_arg
    from sim.batch.tables import run_tables
    from sim.simulation import simulate

    t_start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    daily: list[tuple[str, dict[str, np.ndarray]]] = []
    kept: dict[str, list[Any]] = {}
    failures: list[dict[str, Any]] = []
    sim_total = 0.0
    policy = policy_arg(task.policy)
    scn = _scenario(task)
    for replication, rid in task.runs:
        t0 = time.perf_counter()
        try:
            res = simulate(scn, policy=policy, replication=replication, seed=task.seed)
            kpis = res.kpis
            sim_s = time.perf_counter() - t0
            tables = run_tables(res, task.daily_every, task.tables)
        except Exception as exc:  # recorded; the batch goes on
            sim_total += time.perf_counter() - t0
            failures.append({
                "run_id": rid, "scenario": task.scenario, "variant": task.variant,
                "point": task.point, "policy": task.policy, "replication": replication,
                "seed": task.seed, "digest": task.digest,
                "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(),
            })
            continue
        sim_total += sim_s
        row = {"run_id": rid, "scenario": task.scenario, "variant": task.variant,
               "point": task.point, "policy": task.policy, "replication": replication,
               "seed": task.seed, "digest": task.digest, "version": task.version,
               "sim_seconds": sim_s}
        row.update({k: float(v) for k, v in kpis.items()})
        rows.append(row)
        if "daily" in tables:
            daily.append((rid, tables.pop("daily")))
        for name, frame in tables.items():
            kept.setdefault(name, []).append(frame.assign(run_id=rid)[
                ["run_id", *frame.columns]])
    parts = {}
    if rows:  # a few rows of hundreds of KPIs: not compressed (zstd saves under 1%)
        table = arrow_table(kpi_columns(rows))
        parts["kpis"] = encode_arrow(table, dictionary=text_columns(table), compression="none")
    if daily:
        table = arrow_table(_stacked(daily))
        parts["daily"] = encode_arrow(table, dictionary=text_columns(table))
    if kept:
        import pandas as pd

        for name, frames in kept.items():
            parts[name] = encode_table(pd.concat(frames, ignore_index=True))
    return ChunkResult(parts=parts, ok=[r["run_id"] for r in rows],
                       failures=failures, sim_seconds=sim_total,
                       seconds=time.perf_counter() - t_start, pid=os.getpid())
