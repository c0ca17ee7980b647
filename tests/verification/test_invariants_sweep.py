"""Conservation, capacity and consistency invariants over hypothesis-generated scenarios
(tests/strategies.py), with and without escapes, with and without a burden-sharing policy
(including a budget that binds and a pooled fund that buys beds and units).

Every example goes through tests/model/test_invariants.check_invariants and through
sim.verification.invariants.violations (which adds: reservations, seats, crossing quotas and
acceptance caps by period, records that agree with the trips, KPIs that agree with the
records, Little's law exact at the origin, payer allocations that add up). 200 examples in
`make test`; 2,000 in the nightly run (`pytest -m nightly`)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.verification.invariants import little_origin, violations
from sim.verification.sweep import POLICY_CHOICES, prepare, run_prepared
from tests.model.test_invariants import check_invariants
from tests.strategies import scenarios

CASES = st.tuples(scenarios(), st.sampled_from(POLICY_CHOICES), st.booleans())


def _check(case) -> None:
    data, policy, escape_free = case
    prepared = prepare(data, policy, escape_free)
    res = run_prepared(prepared, policy)
    check_invariants(res.raw)
    assert violations(res) == []
    if escape_free:
        area, by_departures = little_origin(res.raw)
        assert area == by_departures
    if policy is not None:
        k = res.kpis
        paid = sum(v for key, v in k.items() if key.startswith("cost:payer:"))
        assert paid == pytest.approx(k["cost_total"], rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_invariants_hold_over_generated_scenarios(case):
    _check(case)


@pytest.mark.nightly
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_invariants_hold_over_generated_scenarios_nightly(case):
    _check(case)


def test_violations_are_found_when_records_are_broken():
    # the invariant checker is not vacuous: tamper with a run's records and it objects
    import numpy as np

    from sim.simulation import simulate
    from sim.verification import scenarios as S

    res = simulate(S.build(S.two_site_data()))
    assert violations(res) == []
    raw = res.raw
    raw.site_stock[5, 0, 0] += 1  # one person appears at a site
    raw.waiting[3] += 1  # and one more waits without a reason
    raw.trips[0].people = 60  # more than the 50 seats
    found = "\n".join(violations(res))
    for text in ("conservation", "held back", "seats", "Little's law"):
        assert text in found, found
    assert np.any(raw.site_stock)
