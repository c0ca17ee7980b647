"""Parts read back as tables: checked row counts, concatenation, run ids joined."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.store.parts import RUN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def read_part(folder: Path, meta: dict, part: str) -> pa.Table | None:
    """A listed part file as a pyarrow Table; None (with a warning) if it cannot be used."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader((folder / meta["file"]).read_bytes()),
                              use_threads=False)
    except (OSError, pa.ArrowException) as exc:
        warnings.warn(f"{folder}: part {part} cannot be read and is left out ({exc})",
                      stacklevel=4)
        return None
    if table.num_rows != meta["rows"]:
        warnings.warn(f"{folder}: part {part} has {table.num_rows} rows, the manifest says "
                      f"{meta['rows']}; left out", stacklevel=4)
        return None
    return table


def with_part(tables: list[tuple[str, pa.Table]]) -> pd.DataFrame:
    """Concatenate tables of several parts, each row with its part's name."""
    import pyarrow as pa

    frames = [t.append_column("part", pa.array([p] * t.num_rows, pa.string()))
              for p, t in tables]
    return pa.concat_tables(frames, promote_options="permissive").to_pandas(use_threads=False)


def empty_runs() -> pd.DataFrame:
    """The runs table of a store without runs."""
    import pandas as pd

    df = pd.DataFrame({c: pd.Series(dtype="float64" if c == "sim_seconds" else
                                    "int64" if c in ("replication", "seed") else "object")
                       for c in RUN_COLUMNS})
    df["part"] = pd.Series(dtype="object")
    return df


def cell(value: Any) -> Any:
    """A sweep value as a table cell: scalars as they are, lists/mappings as JSON text."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def kpi_frame(raw: pd.DataFrame, sweep: list[str]) -> pd.DataFrame:
    """The public KPI table from the stored runs: ids, sweep columns, then the KPIs."""
    import pandas as pd

    points = [json.loads(p) for p in raw["point"]]
    cols = {c: raw[c].to_numpy() for c in ("run_id", "scenario", "policy")}
    cols["replication"] = raw["replication"].astype("int64").to_numpy()
    cols["seed"] = raw["seed"].astype("int64").to_numpy()
    for key in sweep:
        cols[key] = pd.Series([cell(p.get(key)) for p in points], dtype=None,
                              index=raw.index).infer_objects().to_numpy()
    kpi_cols = [c for c in raw.columns if c not in RUN_COLUMNS and c != "part"]
    df = pd.DataFrame(cols, index=raw.index)
    return pd.concat([df, raw[kpi_cols]], axis=1).reset_index(drop=True)


def joined(ids: pd.DataFrame, tables: list[tuple[str, pa.Table]]) -> pd.DataFrame:
    """Rows of a per-run table with the id columns of their runs in front.

    ``ids`` has the id columns and ``part`` (where each run's KPIs are stored): a run
    stored twice is read from that part only."""
    import pandas as pd

    if not tables:
        return ids.iloc[0:0].drop(columns="part").assign(day=pd.Series(dtype="int64"))
    df = with_part(tables)
    out = ids.merge(df, on=["run_id", "part"], how="inner", sort=False)
    return out.drop(columns="part").reset_index(drop=True)
