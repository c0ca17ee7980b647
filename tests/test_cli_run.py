"""`sim run` end to end: outputs, summary, refusal to overwrite, clear errors."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_sim_run_baseline_end_to_end(tmp_path):
    out = tmp_path / "base"
    res = run("run", BASELINE, "-n", 2, "--out", out, "--policy", "iraq_alone", "--no-plots")
    assert res.exit_code == 0, res.output
    assert "completion_day" in res.output and "iraq_alone" in res.output
    for name in ("kpis", "daily", "trips", "ledger", "events", "payers"):
        assert (out / f"{name}.parquet").is_file(), name
    kpis = pd.read_parquet(out / "kpis.parquet")
    assert kpis["replication"].tolist() == [0, 1]
    assert (kpis["transferred"] > 0).all()
    daily = pd.read_parquet(out / "daily.parquet")
    assert len(daily) == 2 * 730
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 2 and summary["policies"] == ["iraq_alone"]
    assert {"kpi", "mean", "ci_low", "ci_high"} <= set(summary["kpis"][0])
    assert "metadata:" in (out / "scenario.yaml").read_text()
    # the payer table adds up to the ledger's costs
    payers = pd.read_parquet(out / "payers.parquet")
    ledger = pd.read_parquet(out / "ledger.parquet")
    cost = ledger[ledger["measure"] == "cost"]
    assert payers["cost"].sum() == pytest.approx(cost["amount"].sum(), rel=1e-9)


def test_existing_output_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "o"
    assert run("run", TINY, "-n", 1, "--out", out, "--no-plots").exit_code == 0
    before = (out / "kpis.parquet").read_bytes()
    res = run("run", TINY, "-n", 2, "--out", out, "--no-plots")
    assert res.exit_code == 2
    assert "already exists" in res.output and "Traceback" not in res.output
    assert (out / "kpis.parquet").read_bytes() == before
    res = run("run", TINY, "-n", 2, "--out", out, "--force", "--no-plots")
    assert res.exit_code == 0
    assert len(pd.read_parquet(out / "kpis.parquet")) == 2
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
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(table, where, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pyarrow.parquet.write_table", full)
    res = run("run", TINY, "-n", 2, "--out", out, "--force", "--no-plots")
    assert res.exit_code == 2
    assert "No space left on device" in res.output and "Traceback" not in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_replay_reports_model_versus_observed(tmp_path):
    out = tmp_path / "replay"
    res = run("run", ROOT / "scenarios" / "jan2026_replay.yaml", "-n", 2, "--out", out,
              "--no-plots")
    assert res.exit_code == 0, res.output
    assert "Model versus observed" in res.output
    assert "averaged relative difference" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["observed"]) >= 4
