"""The tables of the store and how a table becomes a Parquet part (bytes, rows, SHA-256).

Workers encode their parts themselves (:func:`encode_arrow`), so that the driver only writes
bytes and Dask workers need no shared file system.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

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


def arrow_table(columns: dict[str, Any]) -> pa.Table:
    """Columns as an Arrow table, typed as ``Table.from_pandas`` types a DataFrame of them:
    a numpy array of numbers, booleans or datetimes keeps its type (NaN and NaT are null),
    anything else is a sequence of text (``large_string``).

    Built from the arrays' buffers: ``pa.array`` would import pandas (to ask whether the
    values are a pandas object), which a worker of a batch keeping only KPIs and daily
    series does not otherwise need."""
    import pyarrow as pa

    return pa.Table.from_arrays([_arrow_array(v) for v in columns.values()],
                                names=list(columns))


def text_columns(table: pa.Table) -> list[str]:
    """The names of the text columns of ``table``."""
    import pyarrow as pa

    return [f.name for f in table.schema
            if pa.types.is_large_string(f.type) or pa.types.is_string(f.type)]


def _arrow_array(values: Any) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    if not (isinstance(values, np.ndarray) and values.dtype.kind in "biufM"):
        data = [str(v).encode() for v in values]
        offsets = np.zeros(len(data) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in data], out=offsets[1:])
        return pa.Array.from_buffers(pa.large_string(), len(data), [
            None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))])
    values = np.ascontiguousarray(values)
    n = len(values)
    if values.dtype.kind == "b":
        return pa.Array.from_buffers(pa.bool_(), n, [
            None, pa.py_buffer(np.packbits(values, bitorder="little"))])
    missing = (np.isnan(values) if values.dtype.kind == "f" else
               np.isnat(values) if values.dtype.kind == "M" else None)
    nulls = int(missing.sum()) if missing is not None else 0
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), n,
                                 [valid, pa.py_buffer(values)], null_count=nulls)


def encode_arrow(table: pa.Table, dictionary: bool | list[str] = True,
                 compression: str = "zstd") -> Part:
    """An Arrow table as Parquet bytes with its row count and checksum.

    ``dictionary``: the columns to dictionary-encode (True: all); ``compression``: the
    codec of the pages. For the KPI part of a chunk (a few rows, hundreds of columns) both
    cost more time than they save bytes (dictionary pages double the encoding time, zstd
    saves under 1%); neither changes anything read back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=compression, use_dictionary=dictionary)
    data = sink.getvalue().to_pybytes()
    return Part(data=data, rows=table.num_rows, sha256=hashlib.sha256(data).hexdigest())


def encode_table(df: pd.DataFrame) -> Part:
    """A DataFrame as Parquet bytes (zstd) with its row count and checksum."""
    import pyarrow as pa

    # one thread: pyarrow threads that touched Python objects can abort the interpreter at
    # exit ("terminate called without an active exception", pyarrow 24, Python 3.11)
    return encode_arrow(pa.Table.from_pandas(df, preserve_index=False, nthreads=1))


@dataclass
class ChunkResult:
    """What a worker hands back for a chunk of runs: its encoded tables and bookkeeping."""

    parts: dict[str, Part]  # table name -> part (tables without rows are absent)
    ok: list[str]  # run ids that succeeded
    failures: list[dict]
    sim_seconds: float  # time inside simulate() and KPIs
    seconds: float  # whole chunk in the worker
    pid: int
