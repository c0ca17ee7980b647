"""How a worker builds its KPI and daily parts: Arrow columns typed as pandas would store
them, the daily series of the kept days only, parts that read back as the run's own
tables, and workers that need neither pandas nor a scan of what their fork server imported.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch import run_batch
from sim.store.parts import arrow_table, encode_arrow, text_columns
from tests.batch.helpers import ROOT, STOCHASTIC, TINY, worker_state, write_spec

N = st.integers(1, 12)  # a part has rows
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
TEXT = st.text(max_size=8)


@st.composite
def columns(draw) -> dict[str, object]:
    """Columns of every kind a part holds, with NaN, NaT, empty and non-ASCII text."""
    n = draw(N)
    days = draw(st.lists(st.one_of(st.none(), st.integers(0, 3650)), min_size=n, max_size=n))
    return {
        "run_id": draw(st.lists(TEXT, min_size=n, max_size=n)),
        "day": np.asarray(draw(st.lists(st.integers(-2**62, 2**62), min_size=n, max_size=n)),
                          dtype=np.int64),
        "cost": np.asarray(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype=np.float64),
        "fighting": np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                               dtype=bool),
        "date": np.asarray([np.datetime64("NaT") if d is None else
                            np.datetime64("2026-01-01") + d for d in days],
                           dtype="datetime64[us]"),
        "point": np.asarray(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype=object),
    }


@settings(max_examples=60, deadline=None)
@given(columns())
def test_arrow_columns_are_what_from_pandas_stores(cols):
    got = arrow_table(cols)
    got.validate(full=True)
    ref = pa.Table.from_pandas(pd.DataFrame(cols), preserve_index=False, nthreads=1)
    ref = ref.replace_schema_metadata(None)
    # pandas 3 stores text as large_string (pandas 2 as string): the store always writes
    # large_string, so compare the text of the reference as that
    ref = ref.cast(pa.schema([pa.field(f.name, pa.large_string()) if pa.types.is_string(f.type)
                              else f for f in ref.schema]))
    assert got.schema == ref.schema
    assert got.equals(ref)  # NaN and NaT are null, as from_pandas makes them
    assert text_columns(got) == ["run_id", "point"]
    part = encode_arrow(got, dictionary=text_columns(got), compression="none")
    back = pq.read_table(pa.BufferReader(part.data), use_threads=False)
    assert back.equals(got) and part.rows == len(cols["day"])


@pytest.fixture(scope="module")
def one_run():
    import sim

    return sim.simulate(sim.load_scenario(TINY, overrides=STOCHASTIC), replication=3)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_daily_of_some_days_is_those_rows_of_the_daily(one_run, data):
    from sim.results import daily_columns

    horizon = one_run.raw.plan.horizon
    days = np.asarray(sorted(data.draw(st.sets(st.integers(0, horizon - 1), max_size=20))),
                      dtype=np.int64)
    whole, some = daily_columns(one_run.raw), daily_columns(one_run.raw, days)
    assert list(some) == list(whole) == list(one_run.daily.columns)
    for name, values in some.items():
        assert values.dtype == whole[name].dtype
        assert np.array_equal(values, whole[name][days]), name  # bit for bit


def test_stored_parts_are_the_runs_own_kpis_and_daily(tmp_path):
    import sim

    spec = write_spec(tmp_path, replications=3, chunk_size=2, tables={"daily": {"every": 7}})
    store = run_batch(spec, tmp_path / "out", workers=0, progress=False)
    variant = store.info["variants"][0]
    scn = sim.load_scenario(store.path / variant["file"])
    for r in range(3):
        res = sim.simulate(scn, replication=r, seed=variant["seed"])
        row = store.kpis[store.kpis["replication"] == r].iloc[0]
        assert {k: row[k] for k in res.kpis} == pytest.approx(res.kpis, rel=0, abs=0,
                                                                nan_ok=True)
        daily = store.daily[store.daily["replication"] == r].iloc[:, 5:]
        last = len(res.daily) - 1
        kept = res.daily[(res.daily["day"] % 7 == 0) | (res.daily["day"] == last)]
        pd.testing.assert_frame_equal(daily.reset_index(drop=True),
                                      kept.reset_index(drop=True), check_exact=True)


def test_pool_workers_need_no_pandas_and_share_a_frozen_heap(tmp_path):
    from sim.batch.executors import prestart, process_pool
    from sim.batch.preload import in_fork_server
    from sim.batch.runner import plan_tasks
    from sim.batch.spec import load_spec
    from sim.batch.worker import run_chunk

    batch = load_spec(write_spec(tmp_path, replications=2, tables={"daily": {"every": 7}}))
    task = plan_tasks(batch, 2, set(), 2, 1)[0]
    prestart(1, None, None)
    with process_pool(1) as pool:
        result = pool.submit(run_chunk, task).result()
        pandas_loaded, frozen = pool.submit(worker_state).result()
    assert set(result.parts) == {"kpis", "daily"} and len(result.ok) == 2
    assert not pandas_loaded  # the KPI and daily parts are built without pandas
    assert frozen > 1000  # the fork server froze what it imported before forking
    assert not in_fork_server()
    assert gc.get_freeze_count() == 0  # importing sim.batch.preload here froze nothing


def test_the_batch_api_imports_light_so_workers_start_first():
    code = ("import sys; from sim.batch import run_batch, open_results; "
            "print(sorted(m for m in ('pydantic', 'scipy', 'pandas', 'pyarrow') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
