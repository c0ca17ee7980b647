"""Deterministic limits computed by hand: two sites, two destinations, a crossing quota, beds
with fixed stays, a weekly acceptance cap and priorities (the trace is written out in
sim/verification/scenarios.py, next to the expected values)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.simulation import simulate
from sim.verification import scenarios as S
from sim.verification.checks import check_two_site_schedule


@pytest.fixture(scope="module")
def res():
    return simulate(S.build(S.two_site_data()))


def test_every_trip_as_worked_out(res):
    plan = res.raw.plan
    got = [(plan.site_ids[t.origin], plan.dest_ids[t.destination], t.people)
           for t in res.raw.trips]
    assert got == [(o, d, n) for o, d, _, _, _, n in S.TWO_SITE_TRIPS]
    times = np.array([(t.depart, t.arrive, t.back) for t in res.raw.trips])
    np.testing.assert_allclose(times, [row[2:5] for row in S.TWO_SITE_TRIPS], atol=1e-9)


def test_daily_records_and_blocking_reasons_as_worked_out(res):
    for column, want in S.TWO_SITE_DAILY.items():
        assert res.daily[column].tolist() == want, column


def test_kpis_and_costs_as_worked_out(res):
    k = res.kpis
    for key, want in S.TWO_SITE_KPIS.items():
        assert k[key] == pytest.approx(want, rel=1e-12, abs=1e-9), key
    # the hand values, spelled out for the headline numbers
    assert k["completion_day"] == 10 and k["trips"] == 9
    assert k["cost:transport"] == 6 * (1000 + 2 * 2 * 250) + 3 * (1000 + 2 * 2 * 400)
    assert k["cost_total"] == pytest.approx(93_100)
    assert k["mean_wait_days"] == pytest.approx(989 / 350)


def test_ledger_by_location_and_nationality_as_worked_out(res):
    ledger = res.ledger.groupby(["category", "location", "nationality", "measure"])[
        "amount"].sum()
    for key, want in S.TWO_SITE_LEDGER.items():
        assert math.isclose(ledger[key], want, rel_tol=1e-12), key


def test_the_check_reports_every_quantity_equal():
    result = check_two_site_schedule()
    assert result.passed, result.details
    assert result.values["mismatches"] == 0 and result.values["quantities"] >= 40


def test_a_wrong_hand_value_would_be_caught(monkeypatch):
    # the check is not vacuous: one changed expectation makes it fail, and says where
    monkeypatch.setitem(S.TWO_SITE_KPIS, "completion_day", 11)
    result = check_two_site_schedule()
    assert not result.passed
    assert any("completion_day" in d for d in result.details)
