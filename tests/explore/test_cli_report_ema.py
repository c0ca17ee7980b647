"""sim explore and sim report on an explore folder; figures; EMA Workbench interop."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from sim.cli import app

from .conftest import DATA


def test_cli_explore_prints_a_ranking_within_80_columns(lhs_folder):
    res = CliRunner().invoke(app, ["explore", str(DATA / "tiny_lhs.yaml"), "--out",
                                   str(lhs_folder), "--workers", "0", "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "0 computed, 96 reused" in res.output
    body = [x for x in res.output.split("\n")[1:] if str(lhs_folder) not in x]
    assert "rank  policy" in res.output and "meets all 2 thresholds" in res.output
    assert all(len(line) <= 80 for line in body), [x for x in body if len(x) > 80]


def test_cli_explore_bad_spec_is_one_located_line(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"scenarios: [{DATA / 'tiny_explore.yaml'}]\ndesign: {{method: sobol, "
                    f"n: 10}}\n")
    res = CliRunner().invoke(app, ["explore", str(spec), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert f"{spec}:2: design: " in res.output and "power of 2" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "o").exists()


def test_report_of_an_explore_folder(lhs_folder, tmp_path):
    import sim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = sim.build_report(lhs_folder, tmp_path / "r.html")
    text = path.read_text()
    for words in ("Robustness (tiny_explore)", "Sensitivity (tiny_explore)",
                  "Scenario discovery", "data:image/png;base64", "meets all 2 thresholds"):
        assert words in text


def test_figures_are_figures(lhs_folder):
    from sim.exploration import open_explore
    from sim.exploration.analyse import read_tables
    from sim.plots.uncertainty import prim_box, robustness_chart, sensitivity_bars

    t = read_tables(lhs_folder)
    design = open_explore(lhs_folder).design
    for fig in (sensitivity_bars(t.sensitivity, "cost_total"),
                robustness_chart(t.robustness, "tiny_explore"),
                prim_box(t.discovery, design, "tiny_explore", "iraq_alone")):
        assert isinstance(fig, Figure)


def test_export_reads_back_in_ema_workbench(lhs_folder, tmp_path):
    ema = pytest.importorskip("ema_workbench")
    from sim.exploration import open_explore
    from sim.exploration.ema import export_ema

    path = export_ema(lhs_folder, tmp_path / "x.tar.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments, outcomes = ema.load_results(str(path))
    out = open_explore(lhs_folder).outcomes()
    assert len(experiments) == len(out) == 48
    assert {"escort_pay", "backers", "scenario", "policy", "model"} <= set(experiments.columns)
    assert np.allclose(np.sort(outcomes["cost_total"]), np.sort(out["cost_total"]))


def test_a_scenario_as_an_ema_model_runs_in_ema_workbench():
    ema = pytest.importorskip("ema_workbench")
    from sim.exploration.ema import ema_model

    model = ema_model(DATA / "tiny_explore.yaml", kpis=["transferred", "cost_total"])
    assert {u.name for u in model.uncertainties} >= {"escort_pay", "backers", "road_units"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ema.SequentialEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(
                scenarios=3, policies=[ema.Policy("p1", burden_sharing="iraq_alone"),
                                       ema.Policy("p2", burden_sharing="nationality")])
    assert len(experiments) == 6 and outcomes["transferred"].shape == (6,)
    assert np.all(outcomes["cost_total"] > 0)
