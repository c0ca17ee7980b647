"""Running batches: executors agree bit for bit, resume, extend, failures, changed scenarios."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.batch import open_results, run_batch
from tests.batch.helpers import write_spec

BAD = 13  # adults in the camp for which the injected worker's runs raise


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.kpis, b.kpis, check_exact=True)
    if a.daily is not None or b.daily is not None:
        pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)


def test_executors_give_bit_identical_results(tmp_path):
    spec = write_spec(tmp_path, replications=6, sweep={"fleets.road.units": [1, 2]},
                      tables={"daily": {"every": 10}})
    one = run_batch(spec, tmp_path / "one", workers=1, progress=False)
    two = run_batch(spec, tmp_path / "two", workers=2, progress=False)
    dask = run_batch(spec, tmp_path / "dask", dask_local=2, progress=False)
    inline = run_batch(spec, tmp_path / "inline", workers=0, chunk_size=4, progress=False)
    assert len(one.kpis) == 12 and one.summary.computed == 12
    assert one.kpis["escaped"].nunique() > 3  # stochastic: the comparison means something
    assert one.kpis["fleets.road.units"].tolist() == [1] * 6 + [2] * 6
    assert list(one.kpis.columns[:6]) == ["run_id", "scenario", "policy", "replication",
                                          "seed", "fleets.road.units"]
    assert "dask" in dask.summary.executor.lower()
    for other in (two, dask, inline):
        _same(one, other)
    assert set(one.daily["day"]) == {0, 10, 20, 30, 40, 50, 59}


def test_rerun_resumes_and_more_replications_extend(tmp_path):
    spec = write_spec(tmp_path, replications=3, sweep={"fleets.road.units": [1, 2]})
    first = run_batch(spec, tmp_path / "out", workers=0, progress=False)
    assert (first.summary.computed, first.summary.reused) == (6, 0)
    again = run_batch(spec, tmp_path / "out", workers=0, progress=False)
    assert (again.summary.computed, again.summary.reused) == (0, 6)
    more = run_batch(write_spec(tmp_path, replications=5, sweep={"fleets.road.units": [1, 2]}),
                     tmp_path / "out", workers=0, progress=False)
    assert (more.summary.computed, more.summary.reused) == (4, 6)
    assert len(more.kpis) == 10 and more.kpis["run_id"].is_unique
    old = more.kpis[more.kpis["replication"] < 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(old, first.kpis, check_exact=True)
    fresh = run_batch(spec, tmp_path / "fresh", workers=0, replications=5, progress=False)
    _same(more, fresh)


def test_changed_scenario_gets_new_runs_never_mixed(tmp_path):
    spec = write_spec(tmp_path, replications=3)
    first = run_batch(spec, tmp_path / "out", workers=0, progress=False)
    changed = write_spec(tmp_path, replications=3,
                         overrides={"escapes.base_hazard_per_day.camp": 0.02})
    second = run_batch(changed, tmp_path / "out", workers=0, progress=False)
    assert (second.summary.computed, second.summary.reused) == (3, 0)
    assert set(first.kpis["run_id"]).isdisjoint(second.kpis["run_id"])
    assert len(open_results(tmp_path / "out").kpis) == 3
    assert len(open_results(tmp_path / "out", all_runs=True).kpis) == 6
    assert len(open_results(tmp_path / "out").scenarios) == 1


def test_failing_runs_are_recorded_and_the_batch_goes_on(tmp_path, monkeypatch):
    from sim.batch import runner
    from tests.batch.helpers import run_chunk_failing_for_13_adults

    monkeypatch.setattr(runner, "run_chunk", run_chunk_failing_for_13_adults)
    spec = write_spec(tmp_path, replications=3,
                      sweep={"sites.camp.population.IRQ.adult": [100, BAD]})
    res = run_batch(spec, tmp_path / "out", workers=2, progress=False)
    assert (res.summary.computed, res.summary.failed) == (3, 3)
    assert res.kpis["sites.camp.population.IRQ.adult"].tolist() == [100] * 3
    fail = res.failures
    assert len(fail) == 3 and set(fail["replication"]) == {0, 1, 2}
    assert fail["error"].str.startswith("OverflowError").all()
    assert fail["traceback"].str.contains("Traceback").all()
    assert set(fail["seed"]) == {1}
    assert "failed" in "\n".join(res.summary.lines())
    # a rerun retries only the failed runs (they fail again) and keeps the others
    again = run_batch(spec, tmp_path / "out", workers=0, progress=False)
    assert (again.summary.computed, again.summary.reused, again.summary.failed) == (0, 3, 3)
    assert len(again.failures) == 3


def test_options_are_checked(tmp_path):
    from sim.errors import OutputError

    spec = write_spec(tmp_path)
    with pytest.raises(OutputError, match="not both"):
        run_batch(spec, tmp_path / "a", dask="tcp://127.0.0.1:1", dask_local=1, progress=False)
    from sim.analysis.adaptive import AdaptiveReplications

    with pytest.raises(OutputError, match="need the KPIs"):
        AdaptiveReplications(0.1, [])
    with pytest.raises(OutputError, match="must be > 0"):
        AdaptiveReplications(0, ["escaped"])
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not a batch results folder"):
        run_batch(spec, tmp_path / "c", workers=0, progress=False)
    run_batch(spec, tmp_path / "d", workers=0, progress=False)
    daily = write_spec(tmp_path, "daily.yaml", tables={"daily": True})
    with pytest.raises(OutputError, match="same tables"):
        run_batch(daily, tmp_path / "d", workers=0, progress=False)


def test_dask_scheduler_address(tmp_path):
    from dask.distributed import LocalCluster

    spec = write_spec(tmp_path, replications=3)
    local = run_batch(spec, tmp_path / "local", workers=0, progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        res = run_batch(spec, tmp_path / "dask", dask=cluster.scheduler_address,
                        progress=False)
    assert cluster.scheduler_address in res.summary.executor
    _same(local, res)


def test_a_run_that_kills_its_worker_process_is_found_and_recorded(tmp_path, monkeypatch):
    import sim.batch.runner as runner
    from tests.batch.helpers import run_chunk_dying_on_replication_5

    monkeypatch.setattr(runner, "run_chunk", run_chunk_dying_on_replication_5)
    spec = write_spec(tmp_path, replications=10, chunk_size=4)
    res = run_batch(spec, tmp_path / "out", workers=2, progress=False)
    assert (res.summary.computed, res.summary.failed) == (9, 1)
    assert res.failures["replication"].tolist() == [5]
    assert "worker process died" in res.failures["error"].iloc[0]
    assert sorted(res.kpis["replication"]) == [0, 1, 2, 3, 4, 6, 7, 8, 9]


@pytest.mark.parametrize("replications,workers", [(10, 2), (37, 2), (100, 4), (3, 8)])
def test_guided_chunks_cover_every_run_once_and_shrink_to_single_runs(tmp_path, replications,
                                                                       workers):
    """Without a fixed chunk size: every missing run in exactly one chunk of one variant, no
    chunk over the cap or over half of what remained per worker, and the last chunk a
    single run (so the workers finish together)."""
    import math

    from sim.batch.runner import MAX_CHUNK, plan_tasks
    from sim.batch.spec import load_spec

    batch = load_spec(write_spec(tmp_path, replications=replications,
                                 sweep={"fleets.road.units": [1, 2]}))
    tasks = plan_tasks(batch, replications, set(), None, workers)
    runs = [(t.variant, r) for t in tasks for r, _ in t.runs]
    variants = sorted({t.variant for t in tasks})
    assert len(variants) == 2
    assert sorted(runs) == sorted((v, r) for v in variants for r in range(replications))
    remaining = len(runs)
    for t in tasks:
        assert 1 <= len(t.runs) <= min(MAX_CHUNK, math.ceil(remaining / (2 * workers)))
        remaining -= len(t.runs)
    assert len(tasks[-1].runs) == 1
    assert len(tasks) < len(runs) or replications <= 3  # chunks, not one task per run
