"""Numbers at the edges: put 0, tiny, huge, infinite, NaN and true/false values into the
numbers of a scenario (one to four at a time); each result is either refused with located
problems (file, line, path, message) or accepted, and then it runs to a clean finish: no
exception, no numpy warning, the model's invariants hold (conservation, capacities, seats,
records that agree with the KPIs, payers' shares that add up) and every KPI is finite or
NaN (a mean over nobody), never infinite.

100 examples in `make test` (the model's invariants); 1,500 in the nightly run (`pytest -m
nightly`), which adds the verification's checks of records and KPIs."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from sim.scenario import ScenarioError
from sim.scenario.base import MAX_COUNT, MAX_DAYS, MAX_MONEY, MAX_SEED, MAX_TRIPS
from sim.scenario.checks import most_trips
from sim.scenario.loader import apply_overrides, validate_scenario
from sim.scenario.yamlio import parse_yaml
from sim.simulation import simulate
from sim.verification.invariants import violations
from tests.fuzzing import get, paths
from tests.model.test_invariants import check_invariants
from tests.scenario.test_fuzz import RICH_DATA

# the rich tiny scenario, short, with every optional number present and a policy with a
# budget and a fund (so that payers' ledgers and capacity orders see the numbers too)
BASE = apply_overrides(RICH_DATA, {
    "metadata.horizon_days": 30,
    "escapes.base_hazard_per_day.camp": 0.01,
    "escapes.crowding_exponent": 0.5,
    "escapes.category_multiplier": {"adult": 2.0},
    "controllers.SDF.escape_multiplier": 1.5,
    "fleets.road.min_load": 5,
    "policies": {"p": {"rule": "host_pays", "budgets": {"IRQ": {"annual": 5.0e6}},
                       "fund": {"contributions": {"rule": "fixed",
                                                  "params": {"shares": {"IRQ": 1}}},
                                "annual": 1.0e6, "threshold": 10,
                                "buy": [{"kind": "beds", "target": "centre", "amount": 50,
                                         "cost": 1000, "lag_days": 3}]}}},
}, "tiny.yaml")
NUMBERS = [p for p in paths(BASE) if p and isinstance(get(BASE, p), (int, float))
           and not isinstance(get(BASE, p), bool)]
EDGES = [0, -0.0, 5e-324, 1e-300, 1e-9, 0.5, 1, 2, 7, 365, MAX_DAYS, MAX_DAYS + 1, 36_500,
         MAX_TRIPS, MAX_TRIPS + 1, MAX_COUNT, MAX_COUNT + 1, MAX_MONEY, 1e15, 1e30, 1e308,
         MAX_SEED, MAX_SEED + 1, 2**128, math.inf, -math.inf, math.nan, True, False, -1, 1.5,
         "1", None]


@st.composite
def edge_documents(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(NUMBERS))
        value = draw(st.sampled_from(EDGES) | st.floats() | st.integers())
        note(f"{'.'.join(map(str, path))} = {value!r}")
        get(data, path[:-1])[path[-1]] = value
    return data


def _load(data: dict):
    """The document as YAML text, read back and validated (so that problems have lines)."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    parsed, locs = parse_yaml(text, "edge.yaml")
    return validate_scenario(parsed, locs, "edge.yaml")


def check_edges(data: dict, full: bool = True) -> bool:
    """Refused with located problems (False), or accepted and run cleanly (True); ``full``
    adds the verification's record and KPI checks (slower) to the model's invariants."""
    try:
        scn = _load(data)
    except ScenarioError as exc:
        for p in exc.problems:
            assert p.file == "edge.yaml" and p.line and p.line >= 1, p
            assert p.path and p.message.strip() and "\n" not in str(p), p
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow or invalid value fails the test
        for policy in (None, "p"):
            res = simulate(scn, policy=policy)
            check_invariants(res.raw)
            assert len(res.raw.trips) <= most_trips(scn)[0]
            assert not full or violations(res) == []
            for key, value in res.kpis.items():
                assert not math.isinf(value), (key, value)
                if key.startswith(("cost", "personnel_days", "trips", "transferred")):
                    assert np.isfinite(value) and value >= 0, (key, value)
    return True


SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=100, **SETTINGS)
@given(edge_documents())
def test_numbers_at_the_edges_run_cleanly_or_are_refused_with_a_location(data):
    check_edges(data, full=False)


@pytest.mark.nightly
@settings(max_examples=1500, **SETTINGS)
@given(edge_documents())
def test_numbers_at_the_edges_nightly(data):
    check_edges(data)


AT_THE_BOUNDS = {
    "largest": {"sites.camp.population.IRQ.adult": MAX_COUNT - 100, "sites.camp.capacity": 1,
                "escapes.crowding_exponent": 10, "escapes.base_hazard_per_day.camp": 1,
                "controllers.SDF.escape_multiplier": 1000, "escapes.category_multiplier.adult":
                1000, "conflict.effects.fighting.escape": 1000, "metadata.seed": MAX_SEED,
                "fleets.road.units": MAX_COUNT, "fleets.road.cost_per_km": MAX_MONEY,
                "fleets.road.seats": 10**4, "fleets.road.min_load": 10**4,
                "sites.camp.cost_per_person_day": MAX_MONEY, "dispositions.0.priority": -10**6,
                "escapes.mass_breakout.rate_per_year": 365, "metadata.replications": 100_000,
                "escapes.recapture.delay_days": MAX_DAYS,
                "routes.0.travel_time": {"dist": "lognormal", "mean": 36.5, "sd": 36_500},
                "destinations.centre.stay": {"dist": "gamma", "mean": 1, "sd": 1000}},
    "smallest": {"escapes.base_hazard_per_day.camp": 5e-324, "fleets.road.cost_per_km": 5e-324,
                 "routes.0.travel_time": {"dist": "exponential", "mean": 5e-324},
                 "fleets.road.load_time": {"dist": "lognormal", "mean": 1e-300, "sd": 1e-297},
                 "destinations.centre.stay": {"dist": "gamma", "mean": 1e-300, "sd": 2e-303},
                 "conflict.process.fighting_duration": {"dist": "fixed", "value": 1}},
}


@pytest.mark.parametrize("name", AT_THE_BOUNDS)
def test_scenarios_at_the_bounds_are_accepted_and_run_cleanly(name):
    assert check_edges(apply_overrides(BASE, AT_THE_BOUNDS[name], "x"))


def test_the_edges_reach_every_number_of_the_scenario():
    # the fuzz is not vacuous: it can change every number (counts, costs, rates, dates as
    # day numbers, distribution parameters, policy amounts) of the rich scenario
    dotted = {".".join(map(str, p)) for p in NUMBERS}
    for field in ("fleets.road.units", "fleets.road.cost_per_km", "metadata.seed",
                  "escapes.crowding_exponent", "conflict.process.ceasefire_duration.mean",
                  "routes.0.travel_time.value", "policies.p.fund.buy.0.cost",
                  "sites.camp.population.IRQ.adult", "acceptance.caps.0.max_people"):
        assert field in dotted, field
    assert len(NUMBERS) >= 60
    assert check_edges(BASE)
