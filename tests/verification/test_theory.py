"""Little's law, queueing and probability theory, with statistical tolerances over
independent replications (z-scores and chi-square p-values; never numbers pinned to a seed).
Each test runs one check of sim/verification/checks.py, the same code that writes
docs/validation.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.simulation import simulate
from sim.verification import checks as C
from sim.verification import scenarios as S
from sim.verification.invariants import days_waited, little_origin, waits

STOCHASTIC = ["little-origin", "little-transit", "fleet-throughput", "reception-mginf",
              "screening-batch-service",
              "escapes-binomial", "escapes-crowding", "breakouts-poisson",
              "recapture-binomial", "burden-shares"]


@pytest.mark.parametrize("check_id", STOCHASTIC)
def test_check_passes(check_id):
    result = C.run_check(check_id, "fast")
    assert result.passed, f"{result.measured}\n" + "\n".join(result.details)
    assert result.claim and result.tolerance and result.measured and result.setup


def test_every_check_is_run_by_the_tests():
    assert set(C.CHECKS) == set(STOCHASTIC) | {"schedule-by-hand", "invariants", "metamorphic"}


# ----------------------------------------------------------------------------- Little
def test_little_exact_identity_by_hand():
    # one unit of 10 seats, 30 people, cycle 0.9 days: departures at 0, 0.9 and 1.8. At the
    # end-of-day record of day 0 (t = 0.999...) the first two trips have left: 10 wait; at
    # the end of day 1 nobody. Sum of records: 10 person-days = 10 people x 1 record (those
    # who left at 1.8) + 20 x 0 records (those who left at 0 and 0.9).
    data = S.lab(sites__camp__population={"IRQ": {"adult": 30}}, fleets__road__units=1,
                 fleets__road__seats=10)
    raw = simulate(S.build(data)).raw
    assert [t.depart for t in raw.trips] == pytest.approx([0.0, 0.9, 1.8])
    assert raw.waiting[:3].tolist() == [10, 0, 0]
    assert little_origin(raw) == (10.0, 10.0)
    assert [days_waited(w) for w in (0.0, 0.9, 1.0, 1.8, 2.0)] == [0, 0, 1, 1, 2]


def test_little_origin_censors_those_still_waiting():
    # a horizon too short to move everyone: people still waiting count (T - start) days
    data = S.lab(metadata__horizon_days=3, sites__camp__population={"IRQ": {"adult": 500}},
                 fleets__road__units=1, fleets__road__seats=10)
    raw = simulate(S.build(data)).raw
    area, by_departures = little_origin(raw)
    assert raw.site_stock[-1].sum() > 0 and area == by_departures


def test_little_origin_within_two_percent_and_bounded_by_one_over_w():
    scn = S.build(S.origin_little_data())
    for rep in range(3):
        res = simulate(scn, replication=rep)
        wait, people = waits(res.raw)
        T = scn.metadata.horizon_days
        L, lam, W = res.raw.waiting.mean(), people.sum() / T, res.kpis["mean_wait_days"]
        assert abs(L / (lam * W) - 1) <= min(C.LITTLE_TOLERANCE, 1 / W)


def test_expected_record_stay_is_the_mean_of_whole_days():
    fixed = S.build(S.lab()).fleets["road"].load_time  # fixed 0.1: max(1, ceil(0.1)) = 1
    assert C.expected_record_stay(fixed, 1000) == 1.0
    from sim.scenario.distributions import Uniform

    # uniform(0, 4): ceil takes 1, 2, 3, 4 with probability 1/4 each: mean 2.5
    stay = Uniform(dist="uniform", low=0.0, high=4.0)
    assert C.expected_record_stay(stay, 100_000) == pytest.approx(2.5, abs=1e-4)


def test_stays_are_drawn_from_their_distribution():
    # one cohort of 1,000 people screened on day 1: systematic sampling gives 1,000 evenly
    # spaced quantiles, so the mean stay matches E[max(1, ceil(S))] to within 1/1000 of the
    # range, whatever the seed
    data = S.lab(metadata__horizon_days=200, sites__camp__population={"IRQ": {"adult": 1000}},
                 fleets__road__units=20, destinations__centre__stay=S.STEADY_STAY)
    scn = S.build(data)
    expected = C.expected_record_stay(scn.destinations["centre"].stay)
    for rep in range(3):
        raw = simulate(scn, replication=rep).raw
        out = np.diff(np.concatenate([[0], raw.discharged.sum(axis=1)]))
        days = np.arange(len(out))
        assert out.sum() == 1000
        mean_stay = float((days * out).sum() / 1000) - 1  # screened on day 1
        assert abs(mean_stay - expected) < 0.1


# ----------------------------------------------------------------------------- escapes
def test_escape_probabilities_by_hand():
    scn = S.build(S.escapes_data())
    q = C.escape_probability(scn)
    # prison fighters: days 0-9 SDF x1, 10-19 SDF x1 in fighting x3, 20-59 government x1.5
    h = 0.002 * (10 * 1 + 10 * 3 + 40 * 1.5)
    assert q[("prison", "fighter")] == pytest.approx(1 - math.exp(-h))
    # contested camp children: x0.5 x5, fighting x3 on 10 days of 60
    h = 0.001 * 0.5 * 5 * (50 + 10 * 3)
    assert q[("camp_contested", "child")] == pytest.approx(1 - math.exp(-h))


def test_a_wrong_hazard_would_be_caught(monkeypatch):
    # the binomial test has power: a 20% error in one hazard is found
    monkeypatch.setitem(S.ESCAPE_CATEGORY, "child", 0.6)
    scn = S.build(S.escapes_data())
    monkeypatch.setitem(S.ESCAPE_CATEGORY, "child", 0.5)  # the model sees 0.6, theory 0.5
    q = C.escape_probability(S.build(S.escapes_data()))
    plan = simulate(scn).raw.plan
    child = np.flatnonzero(plan.group_cat == plan.cat_ids.index("child"))
    s = plan.site_ids.index("camp_sdf")
    n = int(plan.initial_stock[s, child].sum())
    x = np.mean([simulate(scn, replication=r).raw.escaped_by_site[s, child].sum()
                 for r in range(40)])
    p = q[("camp_sdf", "child")]
    assert abs((x - n * p) / math.sqrt(n * p * (1 - p) / 40)) > C.Z_LIMIT
