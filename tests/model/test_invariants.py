"""Conservation and capacity invariants over generated scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

import sim
from sim.scenario import scenario_from_dict
from tests.strategies import scenarios


def accounted(raw) -> np.ndarray:
    """Everyone, wherever they are, per day (must equal the initial population)."""
    return (raw.site_stock.sum(axis=(1, 2)) + raw.in_transit.sum(axis=1)
            + raw.dest_stock.sum(axis=(1, 2)) + raw.discharged.sum(axis=1)
            + raw.released.sum(axis=1) + raw.repatriated.sum(axis=1)
            + raw.escaped.sum(axis=1) - raw.recaptured.sum(axis=1))


def check_invariants(raw) -> None:
    initial = int(raw.plan.initial_stock.sum())
    np.testing.assert_array_equal(accounted(raw), initial)
    # the same holds group by group
    per_group = (raw.site_stock.sum(axis=1) + raw.in_transit + raw.dest_stock.sum(axis=1)
                 + raw.discharged + raw.released + raw.repatriated + raw.escaped
                 - raw.recaptured)
    np.testing.assert_array_equal(per_group, np.broadcast_to(raw.plan.initial_stock.sum(axis=0),
                                                             per_group.shape))
    for arr in (raw.site_stock, raw.dest_stock, raw.in_transit):
        assert arr.min() >= 0
    for arr in (raw.arrived, raw.discharged, raw.released, raw.repatriated, raw.escaped):
        assert (np.diff(arr.sum(axis=1)) >= 0).all(), "cumulative counts never fall"
    occupancy = raw.dest_stock.sum(axis=2)
    assert (occupancy <= raw.beds).all(), "never more people than beds"
    assert raw.recaptured.sum(axis=1).max(initial=0) <= raw.escaped.sum(axis=1).max(initial=0)
    for t in raw.trips:
        assert 0 < t.people
        assert t.depart <= t.arrive <= t.back
    assert raw.cost.min() >= 0 and raw.personnel.min() >= 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_conservation_and_capacity_hold_every_day(data):
    scn = scenario_from_dict(data)
    res = sim.simulate(scn, replication=0)
    check_invariants(res.raw)
    kpis = res.kpis
    assert kpis["transferred"] == res.raw.arrived[-1].sum()
    assert kpis["trips"] == len(res.raw.trips)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_sites=2, max_dests=1, horizon=(10, 40)))
def test_seats_crossing_and_acceptance_limits(data):
    scn = scenario_from_dict(data)
    raw = sim.simulate(scn).raw
    seats = {i: scn.fleets[f].seats for i, f in enumerate(raw.plan.fleet_ids)}
    for t in raw.trips:
        assert t.people <= seats[t.fleet]
    quota = scn.crossings["x"].daily_throughput
    per_day: dict[int, int] = {}
    for t in raw.trips:
        if t.crossing >= 0:
            per_day[int(t.depart)] = per_day.get(int(t.depart), 0) + t.people
    assert all(n <= quota for n in per_day.values())
    if scn.acceptance.total is not None:
        assert sum(t.people for t in raw.trips) <= scn.acceptance.total
