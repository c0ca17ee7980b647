"""The per-person reference model of benchmarks/ simulates the same flow as the cohort model:
on deterministic configurations both move the same people, in the same trips, at the same
times, and finish on the same day."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from benchmarks.reference_person_model import TINY, FlowConfig, flow_overrides, run_reference


def both(overrides: dict):
    scn = sim.load_scenario(TINY, overrides=overrides)
    return sim.simulate(scn), run_reference(FlowConfig.from_scenario(scn))


def test_same_flow_same_trips_and_completion():
    # 2,000 people, 4 units x 50 seats, fixed 0.3 days each way, nothing else binding:
    # 10 rounds of 4 trips every 0.6 days; the last arrives at 5.4 + 0.3 -> day 5.
    res, ref = both(flow_overrides(2000, units=4, seats=50, travel=0.3))
    assert ref.transferred == res.kpis["transferred"] == 2000
    assert ref.trips == res.kpis["trips"] == 40
    assert ref.completion_day == res.kpis["completion_day"] == 5
    np.testing.assert_allclose(sorted(t for t, _ in ref.trip_log), sorted(res.trips["depart"]))
    assert [n for _, n in ref.trip_log] == res.trips.sort_values("depart")["people"].tolist()


@pytest.mark.parametrize("people,units,seats", [(2030, 3, 40), (1, 2, 50), (737, 5, 60)])
def test_same_flow_with_load_and_turnaround_times(people, units, seats):
    ov = flow_overrides(people, units=units, seats=seats, travel=0.45, horizon=40)
    ov["fleets.road.load_time"] = {"dist": "fixed", "value": 0.1}
    ov["fleets.road.turnaround"] = {"dist": "fixed", "value": 0.25}
    res, ref = both(ov)
    assert ref.transferred == res.kpis["transferred"] == people
    assert ref.trips == res.kpis["trips"] == math.ceil(people / seats)
    assert ref.completion_day == res.kpis["completion_day"]
    np.testing.assert_allclose(sorted(t for t, _ in ref.trip_log), sorted(res.trips["depart"]))


def test_same_flow_when_beds_run_out():
    # 1,030 beds that never free up for 2,000 people: trips stop once the beds are taken, and
    # the programme has then moved everyone it may: it completes on the last arrival day.
    ov = flow_overrides(2000, units=4, seats=50, travel=0.3, horizon=20)
    ov["destinations.centre.beds"] = 1030
    res, ref = both(ov)
    assert ref.transferred == res.kpis["transferred"] == 1030
    assert ref.trips == res.kpis["trips"] == 21
    assert ref.completion_day == res.kpis["completion_day"] == math.floor(
        max(t for t, _ in ref.trip_log) + 0.3)


def test_sampled_times_move_everyone():
    ov = flow_overrides(500, units=3, seats=40, travel=0.3, horizon=30)
    ov["routes.0.travel_time"] = {"dist": "triangular", "low": 0.2, "mode": 0.3, "high": 0.6}
    ov["fleets.road.turnaround"] = {"dist": "uniform", "low": 0.1, "high": 0.3}
    scn = sim.load_scenario(TINY, overrides=ov)
    ref = run_reference(FlowConfig.from_scenario(scn, seed=3))
    res = sim.simulate(scn)
    assert ref.transferred == res.kpis["transferred"] == 500
    assert ref.trips == res.kpis["trips"] == 13
    assert abs(ref.completion_day - res.kpis["completion_day"]) <= 2
