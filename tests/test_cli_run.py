"""`sim run` end to end: a results store, the summary, refusal to overwrite, clear errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.analysis.summary import compare_observed
from sim.cli import app

ROOT = Path(__file__).parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_sim_run_baseline_end_to_end(tmp_path):
    out = tmp_path / "base"
    res = run("run", BASELINE, "-n", 2, "--out", out, "--policy", "iraq_alone", "--no-plots")
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "Completion day" in text and "iraq_alone" in text and "finished" in text
    assert "policy iraq_alone" in text  # the header says which policies ran
    stored = sim.open_results(out)
    assert stored.kind == "run"
    assert stored.tables == ["kpis", "daily", "trips", "ledger", "events", "payers"]
    kpis = stored.kpis
    assert kpis["replication"].tolist() == [0, 1]
    assert (kpis["transferred"] > 0).all()
    assert len(stored.daily) == 2 * 730
    assert stored.replications == 2 and stored.policies == ["iraq_alone"]
    assert stored.info["scenario_file"] == str(BASELINE)
    assert "metadata:" in stored.scenarios["baseline"]
    # the payer table adds up to the ledger's costs
    cost = stored.ledger[stored.ledger["measure"] == "cost"]
    assert stored.payers["cost"].sum() == pytest.approx(cost["amount"].sum(), rel=1e-9)


def test_existing_output_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "o"
    assert run("run", TINY, "-n", 1, "--out", out, "--no-plots").exit_code == 0
    before = snapshot(out)
    res = run("run", TINY, "-n", 2, "--out", out, "--no-plots")
    assert res.exit_code == 2
    assert "already exists" in res.output and "Traceback" not in res.output
    assert snapshot(out) == before
    res = run("run", TINY, "-n", 2, "--out", out, "--force", "--no-plots")
    assert res.exit_code == 0
    assert len(sim.open_results(out).kpis) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp leftovers"


def test_bad_scenario_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {TINY}\nfleets:\n  road:\n    units: -1\n")
    out = tmp_path / "never"
    res = run("run", bad, "--out", out)
    assert res.exit_code == 2
    assert f"{bad}:4: fleets.road.units" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_unknown_policy_is_a_clear_error(tmp_path):
    res = run("run", TINY, "--policy", "nope", "--out", tmp_path / "x")
    assert res.exit_code == 2
    assert "unknown policy 'nope'" in res.output


def test_output_under_a_file_is_a_clear_error(tmp_path):
    # works as root too: a folder cannot be created inside a regular file
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = run("run", TINY, "--out", blocker / "o", "--no-plots")
    assert res.exit_code == 2
    assert "error: cannot create" in res.output and "Traceback" not in res.output


def test_disk_full_keeps_earlier_results_and_leaves_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "o"
    assert run("run", TINY, "-n", 1, "--out", out, "--no-plots").exit_code == 0
    before = snapshot(out)
    real = os.replace

    def full(src, dst, *args, **kwargs):  # the disk fills up when a part is written
        if os.sep + "parts" + os.sep in os.fspath(dst):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    res = run("run", TINY, "-n", 2, "--out", out, "--force", "--no-plots")
    assert res.exit_code == 2
    assert "No space left on device" in res.output and "Traceback" not in res.output
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_failing_runs_write_nothing_and_exit_1(tmp_path, monkeypatch):
    import sim.simulation

    real = sim.simulation.simulate

    def simulate(scn, **kwargs):  # no valid scenario fails: the failure is injected
        if scn.sites["camp"].population["IRQ"]["adult"] == 13:
            raise OverflowError("injected failure")
        return real(scn, **kwargs)

    monkeypatch.setattr(sim.simulation, "simulate", simulate)
    bad = tmp_path / "overflow.yaml"
    bad.write_text(f"extends: {TINY}\nsites:\n  camp:\n    population:\n      IRQ:\n"
                   f"        adult: 13\n")
    res = run("run", bad, "-n", 2, "--out", tmp_path / "o", "--no-plots")
    assert res.exit_code == 1, res.output
    assert "2 of 2 runs failed" in res.stderr and "OverflowError" in res.stderr
    assert "Traceback" not in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["overflow.yaml"]


def test_replay_reports_model_versus_observed(tmp_path):
    out = tmp_path / "replay"
    replay = ROOT / "scenarios" / "jan2026_replay.yaml"
    res = run("run", replay, "-n", 2, "--out", out, "--no-plots")
    assert res.exit_code == 0, res.output
    assert "Model against observed" in res.output
    assert "averaged relative difference" in res.output
    observed = compare_observed(sim.load_scenario(replay), sim.open_results(out).daily)
    assert len(observed) >= 4


def test_sim_compare_reads_a_run_folder(tmp_path):
    out = tmp_path / "two"
    assert run("run", BASELINE, "-n", 3, "--out", out, "--policy", "all",
               "--no-plots").exit_code == 0
    res = run("compare", out, "--baseline", "iraq_alone")
    assert res.exit_code == 0, res.output
    assert "Comparison with iraq_alone" in res.output and "eu_key" in res.output
    table = pd.read_csv(out / "compare.csv")
    assert set(table["policy"]) == set(sim.open_results(out).policies)


def test_force_replaces_only_a_sim_run_folder(tmp_path):
    from sim.batch import run_batch
    from tests.batch.helpers import write_spec

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    res = run("run", TINY, "-n", 1, "--out", mine, "--force", "--no-plots")
    assert res.exit_code == 2, res.output
    assert "not a `sim run` results folder" in res.stderr and "Traceback" not in res.output
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (mine / "notes.txt").read_text() == "my notes"
    batch = run_batch(write_spec(tmp_path, replications=2), tmp_path / "batch", workers=0,
                      progress=False).path
    before = snapshot(batch)
    res = run("run", TINY, "-n", 1, "--out", batch, "--force", "--no-plots")
    assert res.exit_code == 2, res.output
    assert "not a `sim run` results folder" in res.stderr
    assert snapshot(batch) == before
    # a sim run folder with a file the tool did not write is not replaced either
    out = tmp_path / "run"
    assert run("run", TINY, "-n", 1, "--out", out, "--no-plots").exit_code == 0
    (out / "notes.txt").write_text("mine too")
    res = run("run", TINY, "-n", 2, "--out", out, "--force", "--no-plots")
    assert res.exit_code == 2 and "notes.txt" in res.stderr
    assert (out / "notes.txt").read_text() == "mine too"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp leftovers"


def test_every_policy_by_default_and_workers_change_no_number(tmp_path):
    one = tmp_path / "in-process"
    res = run("run", BASELINE, "-n", 2, "--out", one, "--no-plots")
    assert res.exit_code == 0, res.output
    header = " ".join(res.output.split()[:40])
    scn = sim.load_scenario(BASELINE)
    assert "every policy of the scenario" in header
    assert sim.open_results(one).policies == list(scn.policies)
    two = tmp_path / "two-workers"
    res = run("run", BASELINE, "-n", 2, "--out", two, "--no-plots", "--workers", 2)
    assert res.exit_code == 0, res.output
    a, b = sim.open_results(one).kpis, sim.open_results(two).kpis
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_policy_none_and_a_mistyped_policy(tmp_path):
    res = run("run", BASELINE, "-n", 1, "--out", tmp_path / "none", "--policy", "none",
              "--no-plots")
    assert res.exit_code == 0 and sim.open_results(tmp_path / "none").policies == ["none"]
    res = run("run", BASELINE, "--policy", "eu-key", "--out", tmp_path / "x")
    assert res.exit_code == 2 and "did you mean 'eu_key'" in " ".join(res.output.split())
    assert not (tmp_path / "x").exists()
