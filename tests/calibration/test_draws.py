"""Parametric uncertainty inside runs (``parameters:``): each replication draws its own
inputs on its own streams, the same under every policy, and records them."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from sim.scenario.drawing import draw_values
from sim.scenario.draws import read_samples, write_samples
from tests.calibration.conftest import synthetic_data

REPLAY = "scenarios/jan2026_replay.yaml"


@pytest.fixture(scope="module")
def prior():
    return load_scenario(REPLAY, overrides={"parameters": {"draw": "prior"}})


def test_same_replication_draws_the_same_inputs_under_every_policy(prior):
    a = sim.simulate(prior, policy="iraq_alone", replication=2)
    b = sim.simulate(prior, policy="eu_key", replication=2)
    keys = [k for k in a.kpis if k.startswith("parameter:")]
    assert len(keys) > 50 and all(a.kpis[k] == b.kpis[k] for k in keys)


def test_draws_lie_in_their_ranges_and_differ_between_replications(prior):
    section = {k: u for k, u in prior.uncertainties.items() if u is not None}
    seen = [draw_values(prior, r) for r in range(30)]
    for name in ("weekly_cap", "first_wave_cap", "convoy_units", "surge_start"):
        u = section[name]
        values = [s[name] for s in seen]
        assert all(u.low <= v <= u.high for v in values)
        assert len(set(values)) > 1
    assert draw_values(prior, 5) == draw_values(prior, 5)
    assert draw_values(prior, 5, seed=1) != draw_values(prior, 5, seed=2)


def test_the_drawn_values_are_in_the_run_and_recorded(prior):
    run = sim.simulate(prior, replication=4)
    drawn = draw_values(prior, 4)
    assert run.scenario.acceptance.caps[2].max_people == round(drawn["weekly_cap"])
    assert run.scenario.fleets["road_convoy"].units == drawn["convoy_units"]
    assert run.scenario.acceptance.caps[2].start == drawn["surge_start"]
    assert run.kpis["parameter:weekly_cap"] == pytest.approx(drawn["weekly_cap"])
    assert run.scenario.uncertainties is None  # the run's scenario is one future


def test_a_new_uncertainty_does_not_shift_the_others():
    data = synthetic_data()
    base = scenario_from_dict({**data, "parameters": {"draw": "prior"}})
    more = dict(data)
    more["uncertainties"] = {**data["uncertainties"], "units": {
        "path": "fleets.road.units", "dist": "integer", "low": 1, "high": 3,
        "source": "[A1]"}}
    extended = scenario_from_dict({**more, "parameters": {"draw": "prior"}})
    for r in range(5):
        a, b = draw_values(base, r), draw_values(extended, r)
        assert all(a[k] == b[k] for k in a)


def test_posterior_rows_are_taken_in_turn_and_others_drawn():
    rows = [{"cap": 25.0, "start": 2.0}, {"cap": 70.0, "start": 8.0}]
    scn = scenario_from_dict({**synthetic_data(),
                              "parameters": {"draw": "posterior", "rows": rows}})
    for r in range(4):
        v = draw_values(scn, r)
        assert (v["cap"], v["start"]) == (rows[r % 2]["cap"], rows[r % 2]["start"])
        assert 45 <= v["seats"] <= 60
    run = sim.simulate(scn, replication=1)
    assert run.scenario.acceptance.caps[0].max_people == 70
    assert run.scenario.dispositions[0].start == 8


def test_weighted_rows_are_drawn_by_weight():
    rows = [{"cap": 25.0, "weight": 0.0}, {"cap": 70.0, "weight": 3.0},
            {"cap": 30.0, "weight": 1.0}]
    scn = scenario_from_dict({**synthetic_data(),
                              "parameters": {"draw": "posterior", "rows": rows}})
    caps = np.array([draw_values(scn, r)["cap"] for r in range(400)])
    assert not (caps == 25.0).any()
    assert np.mean(caps == 70.0) == pytest.approx(0.75, abs=0.07)  # ~5 standard errors


def test_sample_files_round_trip_and_load_relative_to_the_scenario(tmp_path):
    import yaml

    rows = [{"cap": 41.5, "start": 3}, {"cap": 38.25, "start": 5}]
    (tmp_path / "post.csv").write_text(write_samples(rows, ["cap", "start"]))
    assert read_samples(tmp_path / "post.csv") == [{"cap": 41.5, "start": 3.0},
                                                   {"cap": 38.25, "start": 5.0}]
    data = {**synthetic_data(), "parameters": {"draw": "posterior", "samples": "post.csv"}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    scn = load_scenario(tmp_path / "s.yaml")
    assert [r["cap"] for r in scn.parameters.rows] == [41.5, 38.25]
    data["parameters"]["samples"] = "missing.csv"
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError, match=r"s\.yaml:\d+: parameters\.samples: sample file "
                                            r"'missing\.csv' not found"):
        load_scenario(tmp_path / "s.yaml")


@pytest.mark.parametrize("section, message", [
    ({"draw": "posterior"}, "needs samples"),
    ({"draw": "prior", "rows": [{"cap": 1.0}]}, "takes no samples"),
    ({"draw": "sometimes"}, "prior"),
])
def test_bad_parameters_sections_are_refused(section, message):
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict({**synthetic_data(), "parameters": section})


def test_without_parameters_nothing_is_drawn():
    scn = scenario_from_dict(synthetic_data())
    run = sim.simulate(scn, replication=0)
    assert not any(k.startswith("parameter:") for k in run.kpis)
    assert run.scenario.parameters is None
    assert run.daily.equals(sim.simulate(scn, replication=0).daily)


def test_a_stored_effective_scenario_loads_without_its_sample_file(tmp_path):
    """A results folder keeps the effective scenario (rows inline): it loads anywhere."""
    from sim.scenario import dump_scenario

    scn = load_scenario("scenarios/jan2026_forecast.yaml")
    (tmp_path / "stored.yaml").write_text(dump_scenario(scn))
    again = load_scenario(tmp_path / "stored.yaml")
    assert again.parameters.rows == scn.parameters.rows
    assert draw_values(again, 3) == draw_values(scn, 3)
