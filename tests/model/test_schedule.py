"""Deterministic scenarios whose schedule, trips and costs are computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.scenario import load_scenario

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"


def tiny(**overrides):
    return load_scenario(TINY, overrides=overrides)


def test_fleet_bound_schedule_by_hand():
    # 230 people, 2 units x 40 seats, cycle = load 0.1 + out 0.3 + back 0.3 + turn 0.2 = 0.9 d.
    # Departures: t=0 (40, 40), t=0.9 (40, 40), t=1.8 (40, 30) -> 6 trips; the last arrives at
    # 1.8 + 0.1 + 0.3 = 2.2, so the programme completes on day 2.
    scn = tiny(**{
        "sites.camp.population": {"IRQ": {"adult": 230}},
        "fleets.road.units": 2, "fleets.road.seats": 40,
        "fleets.road.load_time": {"dist": "fixed", "value": 0.1},
        "fleets.road.turnaround": {"dist": "fixed", "value": 0.2},
        "routes.0.travel_time": {"dist": "fixed", "value": 0.3},
    })
    res = sim.simulate(scn)
    trips = res.trips
    assert len(trips) == 6
    np.testing.assert_allclose(trips["depart"], [0, 0, 0.9, 0.9, 1.8, 1.8])
    np.testing.assert_allclose(trips["arrive"], [0.4, 0.4, 1.3, 1.3, 2.2, 2.2])
    assert trips["people"].tolist() == [40, 40, 40, 40, 40, 30]
    assert res.kpis["completion_day"] == 2
    assert res.kpis["transferred"] == 230
    # mean wait at origin: (80*0 + 80*0.9 + 70*1.8) / 230
    assert res.kpis["mean_wait_days"] == pytest.approx((80 * 0.9 + 70 * 1.8) / 230)
    # transport: per trip 1000 + 2 USD/km x 2 x 250 km = 2000; escorts: 10 per trip (adults
    # are high security) x 0.9 days; escort cost is 0 in tiny.yaml
    assert res.kpis["cost:transport"] == pytest.approx(6 * 2000)
    assert res.kpis["personnel_days:escort"] == pytest.approx(6 * 10 * 0.9)


def test_crossing_quota_schedule_by_hand():
    # Quota 80 a day binds: two trips a day (40 + 40); units come back at 0.9 but the quota is
    # spent. 330 people -> days 0-3 carry 80 each, day 4 the last 10: 9 trips, done on day 4.
    scn = tiny(**{
        "sites.camp.population": {"IRQ": {"adult": 330}},
        "fleets.road.units": 2, "fleets.road.seats": 40,
        "fleets.road.load_time": {"dist": "fixed", "value": 0.1},
        "fleets.road.turnaround": {"dist": "fixed", "value": 0.2},
        "routes.0.travel_time": {"dist": "fixed", "value": 0.3},
        "crossings.rabia.daily_throughput": 80,
    })
    res = sim.simulate(scn)
    assert len(res.trips) == 9
    assert res.trips.groupby("day")["people"].sum().tolist() == [80, 80, 80, 80, 10]
    assert res.kpis["completion_day"] == 4
    # at the end of day 0, the 250 still waiting are held back by the crossing quota
    assert res.daily.loc[0, "blocked:crossing"] == 250
    assert res.daily.loc[0, "waiting"] == 250


def test_beds_and_intake_by_hand():
    # 100 beds, intake 30/day, stays of exactly 3 days: 200 people arrive as beds free up.
    scn = tiny(**{
        "sites.camp.population": {"IRQ": {"adult": 200}},
        "destinations.centre.beds": 100,
        "destinations.centre.intake_per_day": 30,
        "destinations.centre.stay": {"dist": "fixed", "value": 3},
        "fleets.road.units": 10, "fleets.road.seats": 50,
    })
    res = sim.simulate(scn)
    daily = res.daily
    assert (daily["dest:centre"] <= 100).all()
    assert daily["dest:centre"].max() == 100
    # day 0: 100 arrive; screening happens at the start of each day: 30 on days 1, 2, 3, 4;
    # the first 30 are discharged on day 1 + 3 = 4, freeing beds for new arrivals on day 4.
    assert daily.loc[:3, "arrived"].tolist() == [100, 100, 100, 100]
    assert daily.loc[4, "discharged"] == 30
    assert daily.loc[4, "arrived"] == 130
    assert res.kpis["transferred"] == 200
    assert (daily.loc[:3, "blocked:beds"] == 100).all()


def test_costs_by_hand():
    # No transfers (stay): 200 people for 60 days at a site. Daily holding cost per person is
    # upkeep (adult 10, child 5) + site cost 2; guards 5 per 100 adults at 0 USD.
    scn = tiny(**{"dispositions": [{"action": "stay"}]})
    res = sim.simulate(scn)
    expected = 60 * (100 * (10 + 2) + 100 * (5 + 2))
    assert res.kpis["cost:detention_syria"] == pytest.approx(expected)
    assert res.kpis["cost_total"] == pytest.approx(expected)
    assert res.kpis["personnel_days:guard"] == pytest.approx(60 * 100 * 0.05)
    ledger = res.ledger
    assert ledger.loc[ledger["measure"] == "cost", "amount"].sum() == pytest.approx(expected)
    assert set(ledger["nationality"]) == {"IRQ"}
    assert math.isnan(res.kpis["completion_day"])


def test_acceptance_cap_by_hand():
    # A weekly cap of 60 and 200 people: 60 in each of weeks 0, 1, 2 and 20 in week 3.
    scn = tiny(**{"acceptance": {"caps": [{"period_days": 7, "max_people": 60}]}})
    res = sim.simulate(scn)
    per_week = res.trips.groupby(res.trips["day"] // 7)["people"].sum().tolist()
    assert per_week == [60, 60, 60, 20]
    assert res.kpis["completion_day"] == 21
    assert res.daily.loc[0, "blocked:acceptance"] == 140


def test_daily_record_sees_the_day_it_describes():
    # forced fighting on days 5-7 shows on exactly those days; a site closed from day 1 does
    # not change why people waited at the end of day 0 (the one unit was on the road)
    scn = tiny(**{
        "fleets.road.units": 1,
        "conflict.timeline": [{"kind": "fighting", "start": 5, "end": 8}],
        "sites.camp.closures": [{"start": 1, "end": 3}],
    })
    daily = sim.simulate(scn).daily
    assert daily.index[daily["fighting"]].tolist() == [5, 6, 7]
    assert daily.loc[0, "blocked:units"] == 150 and daily.loc[0, "blocked:access"] == 0
    assert daily.loc[1, "blocked:access"] == daily.loc[1, "waiting"] > 0


def test_wait_counts_from_when_the_transfer_may_start():
    # transfers start on day 10: nobody has waited for them before that
    scn = tiny(**{"dispositions": [{"action": "transfer", "destination": "centre",
                                    "start": 10}]})
    res = sim.simulate(scn)
    assert res.trips["depart"].min() == 10
    assert res.kpis["mean_wait_days"] == pytest.approx((100 * 0 + 100 * 1.0) / 200)
