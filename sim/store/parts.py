"""The tables of the store and how a table becomes a Parquet part (bytes, rows, SHA-256).

Workers encode their parts themselves (:func:`encode_table`), so that the driver only writes
bytes and Dask workers need no shared file system.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("kpis", "daily", "trips", "ledger", "events", "payers")
"""Every table a store can keep, in manifest order; ``kpis`` is always kept."""

OPTIONAL = TABLES[2:]
"""Tables kept only when the batch spec's ``tables:`` asks for them (daily has its own
``every``)."""

RUN_COLUMNS = ("run_id", "scenario", "variant", "point", "policy", "replication", "seed",
               "digest", "version", "sim_seconds")
"""Columns of a KPI part before the KPI columns (everything after them is a KPI)."""


@dataclass
class Part:
    """One encoded table of a chunk of runs."""

    data: bytes
    rows: int
    sha256: str


def encode_table(df: pd.DataFrame) -> Part:
    """A DataFrame as Parquet bytes (zstd) with its row count and checksum."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # one thread: pyarrow threads that touched Python objects can abort the interpreter at
    # exit ("terminate called without an active exception", pyarrow 24, Python 3.11)
    table = pa.Table.from_pandas(df, preserve_index=False, nthreads=1)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    return Part(data=data, rows=table.num_rows, sha256=hashlib.sha256(data).hexdigest())


@dataclass
class ChunkResult:
    """What a worker hands back for a chunk of runs: its encoded tables and bookkeeping."""

    parts: dict[str, Part]  # table name -> part (tables without rows are absent)
    ok: list[str]  # run ids that succeeded
    failures: list[dict]
    sim_seconds: float  # time inside simulate() and KPIs
    seconds: float  # whole chunk in the worker
    pid: int
