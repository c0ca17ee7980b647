"""The forecast summary (hand-made runs), `sim calibrate` and `sim validate-history
--holdout-after` on the synthetic scenario, and the shipped forecast scenario."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.calibration.forecast import fmt_totals, summarise
from sim.cli import app
from sim.scenario import scenario_from_dict
from tests.calibration.conftest import synthetic_data

runner = CliRunner()


def _series(days: int = 60) -> dict[str, np.ndarray]:
    """Three runs: moving 100 a day until day 20, 30 or to the horizon (never stops)."""
    stops = [20, 30, days]
    departed = np.array([np.minimum(np.arange(days) + 1, s) * 100.0 for s in stops])
    camp = np.array([np.maximum(2000.0 - d, 0.0) for d in departed])
    return {"departed": departed, "detainees_departed": departed * 0.5, "site:camp": camp}


def test_forecast_totals_by_hand():
    scn = scenario_from_dict(synthetic_data([{"date": "2026-01-10", "value": 1000,
                                              "source": "hand"}]))
    fc = summarise(scn, _series(), days_after=21, target=1200)
    t = fc.totals.set_index("what")
    stop = t.loc["transfers stop (last departure)"]
    assert stop["q50"] == 29.0 and stop["probability"] == pytest.approx(2 / 3)
    assert np.isinf(stop["q95"])  # the third run still moves people at the horizon
    camp = t.loc["camp empties"]  # 2,000 people gone on day 19 in every run
    assert (camp["q05"], camp["q95"], camp["probability"]) == (19.0, 19.0, 1.0)
    moved = t.loc["people moved by the horizon"]
    assert moved["q50"] == 3000.0
    p = t.loc[[w for w in t.index if w.startswith("P(") and "horizon" in w][0]]
    assert p["probability"] == pytest.approx(2 / 3)  # 1,000 / 1,500 / 3,000 against 1,200
    # the weekly table starts at the last observation and goes 21 days on
    assert fc.table["day"].tolist() == [9, 16, 23, 30]
    assert len(fc.bands) == 31
    assert fc.table["everyone_q05"].le(fc.table["everyone_q50"]).all()
    assert any("after" in r["90%"] for r in fmt_totals(fc))


def test_shipped_forecast_draws_posterior_sample_r():
    scn = sim.load_scenario("scenarios/jan2026_forecast.yaml")
    rows = scn.parameters.rows
    assert len(rows) >= 100 and set(scn.parameters.names) == {
        n for n, u in scn.uncertainties.items() if u is not None and u.fit}
    for r in (0, 7):
        run = sim.simulate(scn, replication=r)
        assert run.kpis["parameter:weekly_cap"] == pytest.approx(rows[r]["weekly_cap"])
        assert run.scenario.fleets["road_convoy"].units == rows[r]["convoy_units"]
    # the surge's cap ends at the last observation: nothing fitted to it is extended
    last = max(o.date for o in scn.observed)
    assert all(c.end is not None and scn.day(c.end) <= scn.day(last) + 1
               for c in scn.acceptance.caps)


def test_sim_calibrate_writes_a_complete_folder(synthetic, tmp_path):
    out = tmp_path / "cal"
    args = ["calibrate", str(synthetic), "--out", str(out), "--population", "20",
            "--generations", "1", "--workers", "0"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "posterior of the fitted inputs" in res.output and "ms per run" in res.output
    meta = json.loads((out / "calibration.json").read_text())
    assert set(meta["fitted"]) == {"cap", "start"} and meta["runs"] >= 20
    post = pd.read_parquet(out / "posterior.parquet")
    assert post["weight"].sum() == pytest.approx(1.0) and len(post) == 20
    assert (out / "figures" / "posterior.png").stat().st_size > 0
    assert (out / "figures" / "pairs.png").stat().st_size > 0
    assert (out / "posterior.csv").read_text().splitlines()[0] == "cap,start"
    again = runner.invoke(app, args)  # an existing folder is kept
    assert again.exit_code == 2 and "already exists" in again.output
    assert json.loads((out / "calibration.json").read_text()) == meta


def test_sim_calibrate_bad_input_is_one_message(tmp_path, synthetic):
    res = runner.invoke(app, ["calibrate", str(synthetic), "--out", str(tmp_path / "x"),
                              "--fit", "nonsense", "--workers", "0"])
    assert res.exit_code == 2 and "unknown uncertainty 'nonsense'" in res.output
    assert not (tmp_path / "x").exists()


def test_holdout_scores_label_in_and_out_of_sample(synthetic):
    res = runner.invoke(app, ["validate-history", str(synthetic), "--holdout-after",
                              "2026-01-16", "--population", "20", "--generations", "1",
                              "--runs", "20", "--workers", "0"])
    assert res.exit_code == 0, res.output
    assert res.output.count(" in ") >= 2 and " out " in res.output
    from sim.calibration import Settings
    from sim.verification.history import holdout_cuts, validate_holdout

    rep = validate_holdout(synthetic, pd.Timestamp("2026-01-16").date(),
                           Settings(population=20, max_generations=1), runs=20, workers=0)
    s = rep.scores
    assert s["in_sample"].tolist() == [True, True, False]
    assert (s["crps"] >= 0).all() and (s["q05"] <= s["q95"]).all()
    assert len(rep.out_of_sample) == 1
    scn = sim.load_scenario(synthetic)
    assert holdout_cuts(scn) == [o.date for o in scn.observed[1:]]
