"""People held back for funding, per budgeted payer: who refused them (hand-built cases of
the tiny scenario, the arithmetic by hand, and invariants over generated scenarios)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.batch.tables import payer_days
from sim.model.boarding import FUNDING, held_by_payer
from sim.model.reasons import BLOCK_REASONS
from sim.scenario import scenario_from_dict
from tests.policy.conftest import tiny
from tests.strategies import scenarios

KEY = {"rule": "key", "params": {"participants": ["USA", "GBR", "IRQ"]}}
HELD = BLOCK_REASONS.index("funding")


def _held(res, payer: str) -> np.ndarray:
    """The payer's held_for_funding column of the per-day payers table."""
    df = payer_days(res)
    return df.loc[df["payer"] == payer, "held_for_funding"].to_numpy()


def test_a_refused_group_counts_under_every_payer_that_refused_it():
    # site 0: group 0 held back for funding (5 people), group 1 too (3), group 2 waits for
    # beds (4); site 1: nobody held back for funding
    reasons = np.array([[FUNDING, FUNDING, BLOCK_REASONS.index("beds")], [-1, -1, -1]])
    stock = np.array([[5, 3, 4], [7, 0, 0]])
    inf = np.inf
    approvals = np.array([
        [[0, 0, 0], [9, 9, 9]],        # refuses both groups: 5 + 3
        [[2, inf, 0], [0, 0, 0]],      # approves 2 of the 5, group 1 costs it nothing: 3
        [[inf, inf, inf], [0, 0, 0]],  # costs nothing there: 0
        [[9, 0, 0], [0, 0, 0]],        # approves all 5, refuses the 3: 3
    ])
    np.testing.assert_array_equal(held_by_payer(reasons, stock, approvals), [8, 3, 0, 3])
    assert held_by_payer(reasons, stock, None).shape == (0,)  # no budgets: no payer
    nobody = np.full_like(reasons, -1)
    np.testing.assert_array_equal(held_by_payer(nobody, stock, approvals), [0, 0, 0, 0])


def test_the_payer_with_the_tiny_budget_is_the_one_holding_people_back():
    # Iraq approves nobody (a year of holding costs is more than its ceiling); the USA and
    # Britain share the cost without a ceiling, so they never hold anyone back
    tiny_budget = {**KEY, "budgets": {"IRQ": {"annual": 100.0}}}
    # Iraq approves nobody before its fiscal year starting on day 20, then everyone
    later = {"rule": "host_pays", "budgets": {"IRQ": {"annual": 1.0e6, "first_year": 0.0,
                                                      "fiscal_year_start": "01-21"}}}
    scn = tiny(tiny_budget=tiny_budget, later=later)
    for rep in range(2):
        for policy in ("tiny_budget", "later"):
            res = sim.simulate(scn, policy=policy, replication=rep)
            blocked = res.daily["blocked:funding"].to_numpy()
            assert res.raw.budgeted == ("IRQ",)
            assert blocked.max() > 0
            np.testing.assert_array_equal(_held(res, "IRQ"), blocked)  # the only one refusing
            for other in ("USA", "GBR"):
                assert not _held(res, other).any(), other
            if policy == "later":  # once the money came, nobody is held back for funding
                assert blocked[:20].all() and not blocked[20:].any()


def test_two_payers_refusing_the_same_people_both_count_them():
    both = {**KEY, "budgets": {"IRQ": {"annual": 100.0}, "USA": {"annual": 100.0}}}
    one = {**KEY, "budgets": {"IRQ": {"annual": 100.0}, "USA": {"annual": 1.0e12}}}
    scn = tiny(both=both, one=one)
    res = sim.simulate(scn, policy="both")
    blocked = res.daily["blocked:funding"].to_numpy()
    assert blocked.max() > 0
    for payer in ("IRQ", "USA"):  # so the payers' figures add up to twice the total
        np.testing.assert_array_equal(_held(res, payer), blocked)
    res = sim.simulate(scn, policy="one")  # the USA can pay for everyone: only Iraq refuses
    np.testing.assert_array_equal(_held(res, "IRQ"), res.daily["blocked:funding"].to_numpy())
    assert not _held(res, "USA").any()


def test_no_policy_and_no_budget_record_no_payer():
    scn = tiny(free={"rule": "host_pays"})
    for policy in (None, "free"):
        raw = sim.simulate(scn, policy=policy).raw
        assert raw.budgeted == () and raw.held_for_funding.shape == (raw.plan.horizon, 0)
    res = sim.simulate(scn, policy="free")
    assert (payer_days(res)["held_for_funding"] == 0).all()


@st.composite
def budgeted(draw) -> dict:
    """A generated scenario with a policy under which some payers have a ceiling."""
    data = draw(scenarios(max_sites=2, horizon=(10, 60)))
    nats = list(data["countries"])
    rule = draw(st.sampled_from(["nationality", "un_scale"]))
    policy: dict = {"rule": rule}
    if rule == "un_scale":
        policy["params"] = {"scale": {n: float(i + 1) for i, n in enumerate(nats)}}
    ceilings = st.sampled_from([100.0, 3.0e4, 3.0e5, 3.0e6, 1.0e9])
    payers = draw(st.lists(st.sampled_from(nats), min_size=1, unique=True))
    policy["budgets"] = {p: {"annual": draw(ceilings)} for p in payers}
    data["policies"] = {"p": policy}
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budgeted())
def test_each_payer_holds_back_at_most_the_people_held_for_funding(data):
    res = sim.simulate(scenario_from_dict(data), policy="p")
    raw = res.raw
    total = raw.blocked[:, HELD]
    per_payer = raw.held_for_funding  # [T, B]
    assert per_payer.shape == (raw.plan.horizon, len(raw.budgeted))
    assert set(raw.budgeted) == set(data["policies"]["p"]["budgets"])
    assert (per_payer >= 0).all() and (per_payer <= total[:, None]).all()
    # everyone held back for funding was refused by some payer with a ceiling
    assert (per_payer.sum(axis=1) >= total).all()
    # the per-day payers table carries the same numbers, 0 for payers without a ceiling
    df = payer_days(res)
    for p in res.payers.payer_ids:
        want = (per_payer[:, raw.budgeted.index(p)] if p in raw.budgeted
                else np.zeros(raw.plan.horizon))
        np.testing.assert_array_equal(df.loc[df["payer"] == p, "held_for_funding"], want)
