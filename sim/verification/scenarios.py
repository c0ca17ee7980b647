"""Scenarios built for verification, and the results worked out by hand for the deterministic
one. Everything is plain data (``scenario_from_dict``), so that a check does not depend on the
shipped scenarios or the test data.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sim.scenario import Scenario, scenario_from_dict

START = dt.date(2026, 1, 1)


def fixed(value: float) -> dict:
    return {"dist": "fixed", "value": value}


def lab(**changes: Any) -> dict:
    """One camp, one centre, one road fleet, nothing random and nothing binding: a base that
    each check changes (``changes`` replace whole top-level sections or, with ``__`` in the
    name, nested fields: ``fleets__road__units=3``)."""
    data: dict[str, Any] = {
        "metadata": {"name": "lab", "start_date": START, "horizon_days": 60, "seed": 2026,
                     "replications": 1},
        "categories": {"adult": {"security_level": "high", "upkeep_per_day": 10,
                                 "guards_per_100": 5}},
        "countries": {"IRQ": {"name": "Iraq"}},
        "controllers": {"SDF": {"name": "SDF"}},
        "sites": {"camp": {"name": "Camp", "kind": "camp", "lat": 36.4, "lon": 41.2,
                           "capacity": 10**8, "population": {"IRQ": {"adult": 100}},
                           "controller": [{"start": 0, "controller": "SDF"}]}},
        "destinations": {"centre": {"name": "Centre", "kind": "rehabilitation", "lat": 35.8,
                                    "lon": 43.3, "beds": 10**8, "intake_per_day": 10**7}},
        "dispositions": [{"action": "transfer", "destination": "centre"}],
        "fleets": {"road": {"mode": "road", "units": 2, "seats": 50,
                            "escorts_per_trip": {"high": 10}, "load_time": fixed(0.1),
                            "turnaround": fixed(0.2), "cost_per_trip": 1000,
                            "cost_per_km": 2}},
        "routes": [{"origin": "camp", "destination": "centre", "fleet": "road", "via": "x",
                    "distance_km": 250, "travel_time": fixed(0.3)}],
        "crossings": {"x": {"name": "X", "lat": 36.8, "lon": 42.1,
                            "daily_throughput": 10**7}},
        "escapes": {"base_hazard_per_day": {"camp": 0.0, "prison": 0.0}},
    }
    for key, value in changes.items():
        node = data
        *parents, last = key.split("__")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = copy.deepcopy(value)
        else:
            node[last] = copy.deepcopy(value)
    return data


def build(data: dict) -> Scenario:
    return scenario_from_dict(copy.deepcopy(data), source=data["metadata"]["name"])


# ----------------------------------------------------------------------------- by hand
def two_site_data() -> dict:
    """Two sites, two destinations, one crossing, one fleet, beds and a weekly acceptance cap.

    Prison B (150 Syrians) goes first (priority 0) to prison D2; camp A (200 Iraqis) then goes
    to the rehabilitation centre D1, which has 80 beds and keeps people exactly 2 days. The
    crossing X lets 150 people a day through; Iraq accepts 250 people a week. Two units of 50
    seats run a cycle of load 0.1 + out 0.3 + back 0.3 + turnaround 0.2 = 0.9 days.
    """
    site = {"lat": 36.0, "lon": 41.0, "capacity": 1000,
            "controller": [{"start": 0, "controller": "SDF"}]}
    return {
        "metadata": {"name": "two_by_two", "start_date": START, "horizon_days": 15,
                     "seed": 1, "replications": 1},
        "categories": {"adult": {"security_level": "high", "upkeep_per_day": 10,
                                 "guards_per_100": 5}},
        "countries": {"IRQ": {"name": "Iraq"}, "SYR": {"name": "Syria"}},
        "controllers": {"SDF": {"name": "SDF"}},
        "sites": {
            "A": {"name": "A", "kind": "camp", **site,
                  "population": {"IRQ": {"adult": 200}}, "cost_per_person_day": 2},
            "B": {"name": "B", "kind": "prison", **site,
                  "population": {"SYR": {"adult": 150}}, "cost_per_person_day": 4},
        },
        "destinations": {
            "D1": {"name": "D1", "kind": "rehabilitation", "lat": 35.8, "lon": 43.3,
                   "beds": 80, "intake_per_day": 1000, "stay": fixed(2),
                   "cost_per_person_day": 3, "screening_cost_per_person": 20},
            "D2": {"name": "D2", "kind": "prison", "lat": 33.3, "lon": 44.2, "beds": 1000,
                   "intake_per_day": 1000, "stay": None, "cost_per_person_day": 5,
                   "screening_cost_per_person": 50},
        },
        "dispositions": [
            {"sites": ["B"], "action": "transfer", "destination": "D2", "priority": 0},
            {"sites": ["A"], "action": "transfer", "destination": "D1", "priority": 1},
        ],
        "fleets": {"road": {"mode": "road", "units": 2, "seats": 50,
                            "escorts_per_trip": {"high": 10}, "load_time": fixed(0.1),
                            "turnaround": fixed(0.2), "cost_per_trip": 1000,
                            "cost_per_km": 2}},
        "routes": [
            {"origin": "A", "destination": "D1", "fleet": "road", "via": "X",
             "distance_km": 250, "travel_time": fixed(0.3)},
            {"origin": "B", "destination": "D2", "fleet": "road", "via": "X",
             "distance_km": 400, "travel_time": fixed(0.3)},
        ],
        "crossings": {"X": {"name": "X", "lat": 36.8, "lon": 42.1, "daily_throughput": 150}},
        "acceptance": {"caps": [{"period_days": 7, "max_people": 250}]},
        "escapes": {"base_hazard_per_day": {"camp": 0.0, "prison": 0.0}},
        "costs": {"escort_cost_per_person_day": 100, "guard_cost_per_person_day": 10},
    }


TWO_SITE_TRIPS = [
    # (origin, destination, depart, arrive, back, people)
    # day 0: B goes first (priority 0): both units leave at t=0 with 50 each (crossing used
    # 100 of 150, acceptance 100 of 250); at t=0.9 the first unit back takes B's last 50
    # (crossing 150: spent). A cannot cross on day 0; the second unit waits.
    ("B", "D2", 0.0, 0.4, 0.9, 50),
    ("B", "D2", 0.0, 0.4, 0.9, 50),
    ("B", "D2", 0.9, 1.3, 1.8, 50),
    # day 1: acceptance room 250 - 150 = 100, D1 has 80 free beds: the idle unit takes 50 at
    # t=1; the unit back at 1.8 takes min(seats 50, beds 30, room 50) = 30; at t=1.9 D1 is
    # full (80 reserved), so A waits for beds.
    ("A", "D1", 1.0, 1.4, 1.9, 50),
    ("A", "D1", 1.8, 2.2, 2.7, 30),
    # the 50 who arrived at 1.4 are screened on day 2 and leave on day 4 (stay 2): on day 4
    # 50 beds are free but only 250 - 230 = 20 acceptance places are left this week.
    ("A", "D1", 4.0, 4.4, 4.9, 20),
    # day 7: a new week (250 places), and D1 is empty again (the 30 left on day 5, the 20 on
    # day 7): 50 + 30 leave at t=7 and fill D1's 80 beds.
    ("A", "D1", 7.0, 7.4, 7.9, 50),
    ("A", "D1", 7.0, 7.4, 7.9, 30),
    # the 80 are screened on day 8 and leave on day 10: the last 20 go then.
    ("A", "D1", 10.0, 10.4, 10.9, 20),
]

# End-of-day records (days 0-14) that follow from the trips above.
TWO_SITE_DAILY = {
    "site:A": [200, 120, 120, 120, 100, 100, 100, 20, 20, 20, 0, 0, 0, 0, 0],
    "site:B": [0] * 15,
    # D1: 50 arrive at 1.4, 30 at 2.2; 50 leave on day 4, 20 arrive at 4.4; 30 leave on day
    # 5; 20 on day 7 and 80 arrive at 7.4; 80 leave on day 10 and 20 arrive at 10.4; they
    # are screened on day 11 and leave on day 13.
    "dest:D1": [0, 50, 80, 80, 50, 20, 20, 80, 80, 80, 20, 20, 20, 0, 0],
    # D2 holds everyone it receives (stay: null)
    "dest:D2": [100] + [150] * 14,
    "in_transit": [50, 30] + [0] * 13,
    "waiting": [200, 120, 120, 120, 100, 100, 100, 20, 20, 20, 0, 0, 0, 0, 0],
    # why A waited at the end of each day: the crossing (day 0), beds (days 1-3, 7-9) and
    # the weekly acceptance cap (days 4-6)
    "blocked:crossing": [200] + [0] * 14,
    "blocked:beds": [0, 120, 120, 120, 0, 0, 0, 20, 20, 20, 0, 0, 0, 0, 0],
    "blocked:acceptance": [0, 0, 0, 0, 100, 100, 100, 0, 0, 0, 0, 0, 0, 0, 0],
    "blocked:units": [0] * 15,
    "discharged": [0, 0, 0, 0, 50, 80, 80, 100, 100, 100, 180, 180, 180, 200, 200],
}

_SITE_A_DAYS = 200 + 3 * 120 + 3 * 100 + 3 * 20  # person-days at A = 920
_D1_DAYS = sum(TWO_SITE_DAILY["dest:D1"])  # 600
_D2_DAYS = 100 + 14 * 150  # 2,200
_ESCORT_DAYS = 9 * 10 * 0.9  # 9 trips x 10 escorts x 0.9-day cycle = 81

TWO_SITE_KPIS = {
    "trips": 9,
    "transferred": 350,
    "discharged": 200,
    # A's last 20 arrive at 10.4: nobody waits or travels from the end of day 10 on
    "completion_day": 10,
    # sum(people x departure time) / people (every transfer starts on day 0)
    "mean_wait_days": (50 * 0.9 + 50 * 1.0 + 30 * 1.8 + 20 * 4 + 80 * 7 + 20 * 10) / 350,
    # round trips: A-D1 1,000 + 2 x 2 x 250 = 2,000 (6 trips); B-D2 1,000 + 2 x 2 x 400
    # = 2,600 (3 trips)
    "cost:transport": 6 * 2000 + 3 * 2600,
    "personnel_days:escort": _ESCORT_DAYS,
    "personnel_days:guard": 0.05 * (_SITE_A_DAYS + _D1_DAYS + _D2_DAYS),
    # escorts at 100 USD a day plus guards at 10 USD a day
    "cost:security": _ESCORT_DAYS * 100 + 0.05 * (_SITE_A_DAYS + _D1_DAYS + _D2_DAYS) * 10,
    # upkeep 10 + custody 2 at A; nobody is left at B at the end of any day
    "cost:detention_syria": _SITE_A_DAYS * (10 + 2),
    "cost:rehabilitation": _D1_DAYS * (10 + 3),
    "cost:detention_iraq": _D2_DAYS * (10 + 5),
    # 200 screened at D1 (20 USD), 150 at D2 (50 USD)
    "cost:screening": 200 * 20 + 150 * 50,
    "days_blocked": 10,
    "days_blocked:acceptance": 3,
    "days_blocked:beds": 6,
    "days_blocked:crossing": 1,
    "peak_beds:D1": 80,
    "peak_beds:D2": 150,
}
TWO_SITE_KPIS["cost_total"] = sum(TWO_SITE_KPIS[f"cost:{c}"] for c in (
    "transport", "security", "detention_syria", "rehabilitation", "detention_iraq",
    "screening"))

TWO_SITE_LEDGER = {
    # (category, location, nationality, measure): amount
    ("transport", "A", "IRQ", "cost"): 12000,
    ("transport", "B", "SYR", "cost"): 7800,
    ("escort", "A", "IRQ", "personnel_days"): 6 * 10 * 0.9,
    ("escort", "B", "SYR", "personnel_days"): 3 * 10 * 0.9,
    ("screening", "D1", "IRQ", "cost"): 4000,
    ("screening", "D2", "SYR", "cost"): 7500,
    ("detention_iraq", "D2", "SYR", "cost"): _D2_DAYS * 15,
}


# ----------------------------------------------------------------------------- stochastic
def origin_little_data(horizon: int = 200) -> dict:
    """A closed system for Little's law at the origin: 3,000 people (two groups whose transfers
    start on days 0 and 5) wait for a small fleet with random travel times, incidents and a
    random conflict that slows the roads. Nobody escapes, so transfers are the only exit."""
    return lab(
        metadata__name="little_origin", metadata__horizon_days=horizon,
        categories={"adult": {"security_level": "high"}, "child": {"security_level": "low"}},
        sites__camp__population={"IRQ": {"adult": 1500, "child": 1500}},
        dispositions=[{"categories": ["adult"], "action": "transfer", "destination": "centre",
                       "start": 5},
                      {"categories": ["child"], "action": "transfer", "destination": "centre",
                       "priority": 1}],
        fleets__road__seats=20,
        fleets__road__turnaround={"dist": "uniform", "low": 0.1, "high": 0.5},
        fleets__road__incident_probability=0.1,
        fleets__road__incident_delay={"dist": "exponential", "mean": 1.0},
        routes__0__travel_time={"dist": "lognormal", "mean": 0.6, "sd": 0.3},
        conflict={"process": {"ceasefire_duration": {"dist": "exponential", "mean": 20},
                              "fighting_duration": {"dist": "exponential", "mean": 5}},
                  "effects": {"fighting": {"travel_time": 2.0}}},
    )


STEADY_UNITS, STEADY_SEATS = 10, 5
STEADY_TRAVEL = {"dist": "lognormal", "mean": 0.6, "sd": 0.3}
STEADY_TURN = {"dist": "uniform", "low": 0.1, "high": 0.5}
STEADY_INCIDENT, STEADY_DELAY = 0.1, {"dist": "exponential", "mean": 1.0}
STEADY_STAY = {"dist": "lognormal", "mean": 20, "sd": 10}


def steady_data(horizon: int = 400) -> dict:
    """An open flow in steady state: a million people wait, so the fleet (10 units x 5 seats)
    never idles; travel times are lognormal, turnarounds uniform, 10% of trips are delayed by
    an exponential incident. Arrivals (a superposition of 10 renewal processes) go to a centre
    with unlimited beds and screening and lognormal stays: an M/G/infinity-like system."""
    return lab(
        metadata__name="steady_flow", metadata__horizon_days=horizon,
        sites__camp__population={"IRQ": {"adult": 10**6}},
        fleets__road__units=STEADY_UNITS, fleets__road__seats=STEADY_SEATS,
        fleets__road__turnaround=STEADY_TURN,
        fleets__road__incident_probability=STEADY_INCIDENT,
        fleets__road__incident_delay=STEADY_DELAY,
        routes__0__travel_time=STEADY_TRAVEL,
        destinations__centre__stay=STEADY_STAY,
    )


ESCAPE_HAZARD = {"prison": 0.002, "camp": 0.001}
ESCAPE_CATEGORY = {"fighter": 1.0, "woman": 1.0, "child": 0.5}
ESCAPE_CONTROLLER = {"SDF": 1.0, "GOV": 1.5, "CONTESTED": 5.0}
ESCAPE_FIGHTING = 3.0


def escapes_data(horizon: int = 60) -> dict:
    """Nobody moves; people escape from three sites with different hazards: a prison whose
    controller changes on day 20 (SDF x1 -> government x1.5), a camp under the SDF and a
    contested camp (x5); forced fighting on days 10-19 triples every hazard; children's hazard
    is halved. No crowding, breakouts or recapture."""
    cats = {"fighter": {"security_level": "high"}, "woman": {"security_level": "medium"},
            "child": {"security_level": "low"}}
    ctrl = {c: {"name": c, "escape_multiplier": m} for c, m in ESCAPE_CONTROLLER.items()}
    base = {"lat": 36.0, "lon": 41.0, "capacity": 10**6}
    sites = {
        "prison": {"name": "Prison", "kind": "prison", **base,
                   "population": {"IRQ": {"fighter": 1500}, "SYR": {"fighter": 2500}},
                   "controller": [{"start": 0, "controller": "SDF"},
                                  {"start": 20, "controller": "GOV"}]},
        "camp_sdf": {"name": "Camp SDF", "kind": "camp", **base,
                     "population": {"IRQ": {"woman": 1000, "child": 2000},
                                    "SYR": {"woman": 1500, "child": 2500}},
                     "controller": [{"start": 0, "controller": "SDF"}]},
        "camp_contested": {"name": "Camp contested", "kind": "camp", **base,
                           "population": {"IRQ": {"woman": 300, "child": 700}},
                           "controller": [{"start": 0, "controller": "CONTESTED"}]},
    }
    return lab(
        metadata__name="escapes", metadata__horizon_days=horizon, categories=cats,
        countries={"IRQ": {"name": "Iraq"}, "SYR": {"name": "Syria"}}, controllers=ctrl,
        sites=sites, dispositions=[{"action": "stay"}], routes=[],
        conflict={"timeline": [{"kind": "fighting", "start": 10, "end": 20}],
                  "effects": {"fighting": {"escape": ESCAPE_FIGHTING}}},
        escapes={"base_hazard_per_day": dict(ESCAPE_HAZARD),
                 "category_multiplier": dict(ESCAPE_CATEGORY)},
    )


def crowding_data() -> dict:
    """One day at a camp holding twice its capacity: the hazard is multiplied by
    (2,000 / 1,000) ^ 2 = 4."""
    return lab(metadata__name="crowding", metadata__horizon_days=1,
               sites__camp__capacity=1000, sites__camp__population={"IRQ": {"adult": 2000}},
               dispositions=[{"action": "stay"}],
               escapes={"base_hazard_per_day": {"camp": 0.01, "prison": 0.0},
                        "crowding_exponent": 2.0})


BREAKOUT_RATE = 3.0  # per site-year, in a ceasefire under a controller with multiplier 1
BREAKOUT_FIGHTING = 4.0


def breakout_data(horizon: int = 60) -> dict:
    """Mass breakouts only (no daily hazard), each freeing the whole site (fraction 1), at
    four identical camps under the SDF (x1) and four contested ones (x5); forced fighting on
    days 30-39 multiplies the breakout rate by 4."""
    ctrl = {"SDF": {"name": "SDF"}, "CONTESTED": {"name": "Contested",
                                                  "escape_multiplier": 5.0}}
    sites = {}
    for i in range(8):
        who = "SDF" if i < 4 else "CONTESTED"
        sites[f"c{i}"] = {"name": f"Camp {i}", "kind": "camp", "lat": 36.0, "lon": 41.0,
                          "capacity": 10**6, "population": {"IRQ": {"adult": 10}},
                          "controller": [{"start": 0, "controller": who}]}
    return lab(
        metadata__name="breakouts", metadata__horizon_days=horizon, controllers=ctrl,
        sites=sites, dispositions=[{"action": "stay"}], routes=[],
        conflict={"timeline": [{"kind": "fighting", "start": 30, "end": 40}],
                  "effects": {"fighting": {"breakout": BREAKOUT_FIGHTING}}},
        escapes={"base_hazard_per_day": {"camp": 0.0, "prison": 0.0},
                 "mass_breakout": {"rate_per_year": BREAKOUT_RATE, "fraction": fixed(1.0)}},
    )


RECAPTURE_P, RECAPTURE_DELAY = 0.4, 3


def recapture_data(horizon: int = 60) -> dict:
    """Daily escapes from a camp, each escapee recaptured with probability 0.4 and back after
    3 days (and free to escape again)."""
    return lab(metadata__name="recapture", metadata__horizon_days=horizon,
               sites__camp__population={"IRQ": {"adult": 5000}},
               dispositions=[{"action": "stay"}],
               escapes={"base_hazard_per_day": {"camp": 0.004, "prison": 0.0},
                        "recapture": {"probability": RECAPTURE_P,
                                      "delay_days": RECAPTURE_DELAY}})
