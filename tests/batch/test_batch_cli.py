"""``sim batch`` and ``sim compare`` from the command line; adaptive replications."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from sim.batch import open_results, run_batch
from sim.cli import app
from tests.batch.helpers import sim_cli, write_spec

PEOPLE = {"sites.camp.population.IRQ.adult": 500, "sites.camp.population.IRQ.child": 500}


# Runs of a valid scenario that raise: simulate() fails for the sweep point adult = 13 (no
# valid scenario makes the model fail any more, so the failure is injected).
FAILING_CLI = """
import sim.simulation as s
real = s.simulate
def simulate(scn, **kw):
    if scn.sites["camp"].population["IRQ"]["adult"] == 13:
        raise OverflowError("injected")
    return real(scn, **kw)
s.simulate = simulate
from sim.cli import main
main()
"""


def test_cli_batch_reports_failures_with_exit_code_1(tmp_path):
    import subprocess
    import sys

    from tests.batch.helpers import ROOT

    spec = write_spec(tmp_path, replications=2,
                      sweep={"sites.camp.population.IRQ.adult": [100, 13]})
    out = tmp_path / "out"
    cli = subprocess.run([sys.executable, "-c", FAILING_CLI, "batch", str(spec), "--out",
                          str(out), "--workers", "0", "--no-progress"], capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert cli.returncode == 1, cli.stderr
    assert "2 computed, 0 reused, 2 failed" in cli.stdout
    assert "OverflowError" in cli.stdout and "Traceback" not in cli.stderr
    assert len(open_results(out).failures) == 2
    bad = sim_cli("batch", str(tmp_path / "nope.yaml"), "--out", str(out))
    assert bad.returncode == 2 and "nope.yaml: file not found" in bad.stderr


def _adaptive(spec, out, **kw):
    from sim.analysis.adaptive import AdaptiveReplications

    rule = AdaptiveReplications(kw.pop("target"), ["escaped"], by="fleets.road.units",
                                baseline=1, max_replications=kw.pop("max_replications"))
    res = run_batch(spec, out, workers=0, progress=False, more=rule)
    return res, rule.report


def test_adaptive_replications_reach_the_target(tmp_path):
    spec = write_spec(tmp_path, replications=4, sweep={"fleets.road.units": [1, 2]},
                      overrides=PEOPLE)
    res, rep = _adaptive(spec, tmp_path / "out", target=0.05, max_replications=80)
    assert rep.reached and rep.worst <= 0.05 and rep.rounds >= 2
    assert 4 < rep.replications <= 80
    assert (res.kpis.groupby("fleets.road.units").size() == rep.replications).all()
    assert res.summary.computed == 2 * rep.replications
    assert json.loads((tmp_path / "out" / "batch.json").read_text())["replications"] == \
        rep.replications
    assert (rep.table["rule"] == "|difference|").all()
    # the same command again: nothing to compute, target already met
    again, rep = _adaptive(spec, tmp_path / "out", target=0.05, max_replications=80)
    assert again.summary.computed == 0 and rep.reached
    # a cap below what the target needs: stops there and says so
    capped, rep = _adaptive(spec, tmp_path / "capped", target=0.001, max_replications=6)
    assert not rep.reached and rep.replications == 6
    assert "NOT reached" in rep.lines()[0]


def _invoke(*args: str):
    """The CLI in this process (its exit code, stdout and stderr)."""
    return CliRunner().invoke(app, list(args))


def test_cli_adaptive_on_a_single_policy_watches_the_mean(tmp_path):
    spec = write_spec(tmp_path, replications=3, overrides=PEOPLE)
    cli = _invoke("batch", str(spec), "--out", str(tmp_path / "out"), "--workers", "0",
                  "--no-progress", "--target-rel-halfwidth", "0.05", "--kpi", "escaped",
                  "--max-replications", "40")
    assert cli.exit_code == 0, cli.stderr
    assert "adaptive: target relative half-width 0.05 on escaped" in cli.stdout
    assert "reached" in cli.stdout and "|mean|" in cli.stdout


def test_cli_compare_prints_and_writes_tables(tmp_path):
    spec = write_spec(tmp_path, replications=6, sweep={"fleets.road.units": [1, 2]})
    out = tmp_path / "out"
    run_batch(spec, out, workers=0, progress=False)
    cli = _invoke("compare", str(out), "--by", "fleets.road.units", "--baseline", "1")
    assert cli.exit_code == 0, cli.stderr
    assert "Escapes (gross)" in cli.stdout and "clearly" in cli.stdout
    assert f"wrote {out / 'compare.csv'}" in cli.stdout
    csv = pd.read_csv(out / "compare.csv")
    parquet = pd.read_parquet(out / "compare.parquet")
    assert len(csv) == len(parquet) > 0
    assert {"kpi", "mean", "diff", "p_holm", "verdict", "in_best_subset"} <= set(csv.columns)
    one = _invoke("compare", str(out), "--by", "fleets.road.units", "--baseline", "1", "--kpi",
                  "escaped")
    assert one.exit_code == 0 and set(pd.read_csv(out / "compare.csv")["kpi"]) == {"escaped"}
    bad = _invoke("compare", str(out), "--by", "fleets.road.units", "--baseline", "7")
    assert bad.exit_code == 2
    assert "baseline: unknown fleets.road.units '7' (expected one of: 1, 2)" in bad.stderr
    missing = _invoke("compare", str(tmp_path / "nothing"))
    assert missing.exit_code == 2 and "not a folder" in missing.stderr
