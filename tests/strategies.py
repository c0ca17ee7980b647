"""Hypothesis strategies that generate valid scenarios (as dicts) for invariant tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

START = dt.date(2026, 1, 1)


def _dist(draw, low: float, high: float) -> dict:
    kind = draw(st.sampled_from(["fixed", "uniform", "lognormal", "exponential"]))
    a = draw(st.floats(low, high))
    if kind == "fixed":
        return {"dist": "fixed", "value": a}
    if kind == "uniform":
        return {"dist": "uniform", "low": a, "high": a + draw(st.floats(0, high))}
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": max(a, 0.01), "sd": draw(st.floats(0, high))}
    return {"dist": "exponential", "mean": max(a, 0.01)}


def _spell(draw, high: float) -> dict:
    """A conflict spell: a median of at least one day (the schema's bound)."""
    kind = draw(st.sampled_from(["fixed", "uniform", "lognormal", "exponential"]))
    a = draw(st.floats(1.5, high))
    if kind == "fixed":
        return {"dist": "fixed", "value": a}
    if kind == "uniform":
        return {"dist": "uniform", "low": 1.0, "high": a}
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": a, "sd": draw(st.floats(0, a))}
    return {"dist": "exponential", "mean": a}


@st.composite
def scenarios(draw, max_sites: int = 3, max_dests: int = 2, horizon: tuple = (10, 90)) -> dict:
    """A random but valid scenario exercising every mechanism."""
    T = draw(st.integers(*horizon))
    nats = ["IRQ", "SYR", "FRA"][: draw(st.integers(1, 3))]
    cats = {"fighter": {"security_level": "high", "upkeep_per_day": 10, "guards_per_100": 5},
            "child": {"security_level": "low", "upkeep_per_day": 4}}
    n_sites = draw(st.integers(1, max_sites))
    n_dests = draw(st.integers(1, max_dests))
    sites = {}
    for i in range(n_sites):
        pop = {n: {c: draw(st.integers(0, 400)) for c in cats} for n in nats}
        periods = [{"start": 0, "controller": "A"}]
        if draw(st.booleans()):
            periods.append({"start": draw(st.integers(1, T)), "controller": "B"})
        closures = []
        if draw(st.booleans()):
            s = draw(st.integers(0, T - 1))
            closures.append({"start": s, "end": draw(st.integers(s + 1, T))})
        sites[f"s{i}"] = {
            "name": f"Site {i}", "kind": draw(st.sampled_from(["prison", "camp"])),
            "lat": 36.0, "lon": 41.0, "capacity": draw(st.integers(50, 2000)),
            "population": pop, "controller": periods, "closures": closures,
            "cost_per_person_day": 1.0,
        }
    sites["s0"]["population"][nats[0]]["fighter"] += 1  # never empty
    dests = {}
    for j in range(n_dests):
        stay = None if draw(st.booleans()) else _dist(draw, 1, 30)
        dests[f"d{j}"] = {
            "name": f"Dest {j}", "kind": draw(st.sampled_from(["prison", "rehabilitation"])),
            "lat": 35.8, "lon": 43.3, "beds": draw(st.integers(0, 1500)),
            "intake_per_day": draw(st.integers(1, 300)), "stay": stay,
            "cost_per_person_day": 2.0, "screening_cost_per_person": 5.0,
        }
    fleets = {
        "road": {"mode": "road", "units": draw(st.integers(0, 5)),
                 "seats": draw(st.integers(1, 60)),
                 "escorts_per_trip": {"high": 10, "low": 2},
                 "load_time": _dist(draw, 0, 0.3), "turnaround": _dist(draw, 0, 0.5),
                 "cost_per_trip": 1000, "cost_per_km": 2,
                 "incident_probability": draw(st.floats(0, 0.5)),
                 "incident_delay": _dist(draw, 0, 2), "min_load": draw(st.integers(1, 20))},
        "air": {"mode": "air", "units": draw(st.integers(0, 2)), "seats": draw(st.integers(1, 100)),
                "load_time": _dist(draw, 0, 0.2), "turnaround": _dist(draw, 0, 1)},
    }
    routes, dispositions = [], []
    for i in range(n_sites):
        d = f"d{draw(st.integers(0, n_dests - 1))}"
        routes.append({"origin": f"s{i}", "destination": d, "fleet": "road", "via": "x",
                       "distance_km": 200, "travel_time": _dist(draw, 0.05, 2),
                       "closed_when_fighting": draw(st.booleans())})
        if draw(st.booleans()):
            routes.append({"origin": f"s{i}", "destination": d, "fleet": "air",
                           "distance_km": 250, "travel_time": _dist(draw, 0.02, 0.5)})
        for c in cats:
            action = draw(st.sampled_from(["transfer", "transfer", "release", "repatriate",
                                           "stay"]))
            rule = {"sites": [f"s{i}"], "categories": [c], "action": action,
                    "start": draw(st.integers(0, T // 2)), "priority": draw(st.integers(0, 2))}
            if action == "transfer":
                rule["destination"] = d
            if action == "release":
                rule["rate_per_day"] = draw(st.floats(0, 50))
            dispositions.append(rule)
    timeline = []
    if draw(st.booleans()):
        s = draw(st.integers(0, T - 1))
        timeline.append({"kind": "crossing_closed", "crossing": "x", "start": s,
                         "end": draw(st.integers(s + 1, T))})
    if draw(st.booleans()):
        timeline.append({"kind": "breakout", "site": "s0", "start": draw(st.integers(0, T - 1)),
                         "fraction": draw(st.floats(0, 1))})
    if draw(st.booleans()):
        timeline.append({"kind": "capacity_change", "destination": "d0",
                         "start": draw(st.integers(0, T - 1)),
                         "beds": dests["d0"]["beds"] + draw(st.integers(0, 500))})
    if draw(st.booleans()):
        s = draw(st.integers(0, T - 1))
        timeline.append({"kind": "fighting", "start": s, "end": draw(st.integers(s + 1, T))})
    conflict = {"timeline": timeline,
                "effects": {"fighting": {"escape": 3.0, "travel_time": 1.5, "incident": 2.0,
                                         "crossing_quota": 0.5, "breakout": 5.0}}}
    if draw(st.booleans()):
        conflict["process"] = {"ceasefire_duration": _spell(draw, 30),
                               "fighting_duration": _spell(draw, 10)}
    escapes = {"base_hazard_per_day": {"prison": draw(st.floats(0, 0.01)),
                                       "camp": draw(st.floats(0, 0.02))},
               "category_multiplier": {"child": draw(st.floats(0, 2))},
               "crowding_exponent": draw(st.floats(0, 2))}
    if draw(st.booleans()):
        escapes["mass_breakout"] = {"rate_per_year": draw(st.floats(0, 20)),
                                    "fraction": {"dist": "beta", "a": 2, "b": 10}}
    if draw(st.booleans()):
        escapes["recapture"] = {"probability": draw(st.floats(0, 1)),
                                "delay_days": draw(st.integers(1, 10))}
    acceptance = {}
    if draw(st.booleans()):
        acceptance = {"total": draw(st.integers(0, 3000)),
                      "caps": [{"period_days": draw(st.integers(1, 14)),
                                "max_people": draw(st.integers(0, 500))}]}
    repatriation = []
    if draw(st.booleans()):
        repatriation.append({"country": nats[-1], "start": draw(st.integers(0, T - 1)),
                             "every_days": draw(st.integers(1, 30)),
                             "batch_size": draw(st.integers(1, 100)), "cost_per_person": 500})
    return {
        "metadata": {"name": "generated", "start_date": START, "horizon_days": T,
                     "seed": draw(st.integers(0, 2**32 - 1)), "replications": 1},
        "categories": cats,
        "countries": {n: {"name": n} for n in nats},
        "controllers": {"A": {"name": "A"}, "B": {"name": "B", "escape_multiplier": 2.0}},
        "sites": sites,
        "destinations": dests,
        "dispositions": dispositions,
        "fleets": fleets,
        "routes": routes,
        "crossings": {"x": {"name": "X", "lat": 36.8, "lon": 42.1,
                            "daily_throughput": draw(st.integers(0, 500))}},
        "repatriation": repatriation,
        "acceptance": acceptance,
        "conflict": conflict,
        "escapes": escapes,
        "costs": {"escort_cost_per_person_day": 50, "guard_cost_per_person_day": 30},
    }
