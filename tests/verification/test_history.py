"""Historical validation: `sim validate-history` compares a replay's cumulative transfers with
its observed counts (per-point errors, the averaged relative difference, a figure)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.analysis.summary import compare_observed
from sim.cli import app
from sim.verification.history import history_figure, validate_history

ROOT = Path(__file__).resolve().parents[2]
REPLAY = ROOT / "scenarios" / "jan2026_replay.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def report():
    return validate_history(REPLAY, replications=3)


def test_every_observation_is_compared(report):
    scn = report.scenario
    pts = report.points
    assert len(pts) == len(scn.observed) >= 4
    assert pts["source"].str.len().min() > 10, "every observation keeps its source"
    assert (pts["measure"] == [o.measure for o in scn.observed]).all()
    assert (pts["model_min"] <= pts["model_mean"] + 1e-9).all()
    assert (pts["model_mean"] <= pts["model_max"] + 1e-9).all()
    for _, r in pts.iterrows():
        assert r["error"] == pytest.approx(r["model_mean"] - r["observed"])
        assert r["rel_error"] == pytest.approx(r["error"] / r["observed"])
    checks = pts[pts["role"] == "check"]
    assert report.averaged_relative_difference == pytest.approx(checks["rel_error"].abs().mean())


def test_same_numbers_as_sim_run(report):
    # the same comparison as the summary of `sim run` (sim.analysis.summary.compare_observed)
    daily = report.daily.assign(policy="none")
    table = compare_observed(report.scenario, daily)
    pd.testing.assert_series_equal(table["model_mean"], report.points["model_mean"],
                                   check_names=False)
    checks = table["role"] == "check"
    assert (table["role"] == report.points["role"]).all()
    assert math.isclose(table.loc[checks, "rel_error"].abs().mean(),
                        report.averaged_relative_difference)


def test_points_fixed_by_the_inputs_are_not_checks(report):
    # a point is an input exactly when every replication reproduces the observed count
    pts = report.points
    fixed = (pts["model_min"] == pts["model_max"]) & (pts["model_min"] == pts["observed"])
    assert ((pts["role"] == "input") == fixed).all()
    assert len(report.checks) == (~fixed).sum()


def test_model_column_matches_each_observations_measure(report):
    day = int(report.points["day"].iloc[-1])
    at = report.daily[report.daily["day"] == day]
    column = "departed" if report.points["measure"].iloc[-1] == "departed" else "transferred"
    assert report.points["model_mean"].iloc[-1] == pytest.approx(at[column].mean())


def test_figure(report):
    fig = history_figure(report)
    assert len(fig.axes) == 2
    for ax in fig.axes:  # every observation once, as a check or as an input
        obs = {c.get_gid(): len(c.get_offsets()) for c in ax.collections
               if str(c.get_gid()).startswith("observed:")}
        assert obs == {"observed:check": len(report.checks),
                       "observed:input": len(report.points) - len(report.checks)}
    texts = {t.get_gid(): t.get_text() for t in fig.texts}
    assert f"averaged relative difference {report.averaged_relative_difference:.1%}" in \
        texts["title"]
    assert "sim " in texts["provenance"] and "seed" in texts["provenance"]
    errors = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "rel-error"]
    assert errors == [f"{e:+.0%}" for e in report.checks["rel_error"]]


def test_cli_prints_points_and_average_and_writes_the_figure(tmp_path):
    fig = tmp_path / "figs" / "history.png"
    res = runner.invoke(app, ["validate-history", str(REPLAY), "-n", "2", "--figure", str(fig)])
    assert res.exit_code == 0, res.output
    assert "averaged relative difference:" in res.stdout
    for date in ("2026-01-21", "2026-01-30", "2026-02-01", "2026-02-06"):
        assert date in res.stdout
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"figure written to {fig}" in res.stdout.replace("\n", "")


def test_cli_under_a_policy_and_as_svg(tmp_path):
    fig = tmp_path / "h.svg"
    res = runner.invoke(app, ["validate-history", str(REPLAY), "-n", "1", "--policy",
                              "eu_key", "--figure", str(fig)])
    assert res.exit_code == 0, res.output
    assert "policy eu_key" in res.stdout and fig.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("args, message", [
    ([str(TINY)], "no observations to compare with"),
    ([str(REPLAY), "-n", "1", "--figure", "{tmp}/h.txt"], "cannot write a figure as '.txt'"),
    ([str(REPLAY), "-n", "1", "--figure", "{tmp}/file/h.png"], "cannot create"),
    ([str(REPLAY), "-n", "1", "--figure", "{tmp}"], "is a folder"),
    (["{tmp}/missing.yaml"], "file not found"),
    ([str(REPLAY), "-n", "1", "--policy", "nope", "--figure", "{tmp}/h.png"],
     "unknown policy 'nope'"),
])
def test_cli_errors_are_one_clear_message(tmp_path, args, message):
    (tmp_path / "file").write_text("a file, not a folder")
    res = runner.invoke(app, ["validate-history", *[a.format(tmp=tmp_path) for a in args]])
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "Traceback" not in res.output
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob(".*tmp*"))
