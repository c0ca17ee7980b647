"""Budgets that act, the pooled fund, payer ledgers, and common random numbers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
from sim.scenario import scenario_from_dict, scenario_to_dict
from tests.policy.conftest import tiny, tiny_data

MOVEMENT = ("site_stock", "dest_stock", "in_transit", "arrived", "discharged", "released",
            "repatriated", "escaped", "recaptured", "beds", "units", "waiting")


def _same_movements(a, b) -> None:
    for name in MOVEMENT:
        np.testing.assert_array_equal(getattr(a.raw, name), getattr(b.raw, name), err_msg=name)
    trips = [[dataclasses.astuple(t) for t in r.raw.trips] for r in (a, b)]
    assert trips[0] == trips[1]


KEY = {"rule": "key", "params": {"participants": ["USA", "GBR", "IRQ"]}}


def test_who_pays_alone_leaves_movements_bit_identical_tiny():
    scn = tiny(host={"rule": "host_pays"}, key=KEY, nat={"rule": "nationality"},
               cap={"rule": "cap", "params": {"rule": KEY, "max_share": 0.4}},
               unlimited={"rule": "host_pays", "budgets": {"IRQ": {"annual": None}}})
    plain = sim.simulate(scn, replication=1)
    runs = {p: sim.simulate(scn, policy=p, replication=1) for p in scn.policies}
    for res in runs.values():
        _same_movements(plain, res)
        assert res.kpis["cost_total"] == pytest.approx(plain.kpis["cost_total"])
    assert runs["host"].kpis["share_iraq"] != runs["key"].kpis["share_iraq"]


def test_who_pays_alone_leaves_movements_bit_identical_baseline(baseline):
    data = scenario_to_dict(baseline)
    data["policies"] = {
        "host": {"rule": "host_pays"},
        "hybrid": {"rule": "hybrid", "params": {
            "fraction": 0.5, "nationality": {"stateless": ["OTH"]},
            "rest": {"rule": "un_scale", "params": {"scale": {"USA": 22, "GBR": 4, "DEU": 6}}}}},
    }
    scn = scenario_from_dict(data)
    a = sim.simulate(scn, policy="host", replication=2)
    b = sim.simulate(scn, policy="hybrid", replication=2)
    _same_movements(a, b)
    assert a.kpis["escaped"] == b.kpis["escaped"]
    assert a.kpis["share_iraq"] > b.kpis["share_iraq"]


def test_tight_budget_finishes_later_and_blocks_more():
    # nothing in the first fiscal year: nobody is approved until the year starting on day 20
    tight = {"rule": "host_pays",
             "budgets": {"IRQ": {"annual": 1.0e6, "first_year": 0.0,
                                 "fiscal_year_start": "01-21"}}}
    # Iraq also pays the camp (the SDF's backers are not billed): a year of its holding
    # costs is more than the ceiling, nobody is ever approved, and the costs overrun
    never = {"rule": "host_pays", "params": {"bill_backers": False},
             "budgets": {"IRQ": {"annual": 100.0}}}
    scn = tiny(free={"rule": "host_pays"}, tight=tight, never=never)
    for rep in range(3):
        free = sim.simulate(scn, policy="free", replication=rep).kpis
        late = sim.simulate(scn, policy="tight", replication=rep).kpis
        stop = sim.simulate(scn, policy="never", replication=rep).kpis
        assert free["completion_day"] <= 2
        assert late["completion_day"] >= 20
        assert np.isnan(stop["completion_day"]) and stop["transferred"] == 0
        for k in (late, stop):
            assert k["days_blocked:funding"] >= free["days_blocked:funding"]
        assert late["days_blocked:funding"] >= 19
        assert stop["overrun:payer:IRQ"] > 0  # holding costs accrue past the ceiling


def _approval_scenario(annual: float):
    """tiny.yaml where Iraq pays the transfers and the centre, adults (priority 0) before
    children (1)."""
    data = tiny_data(p={"rule": "host_pays", "budgets": {"IRQ": {"annual": annual}}})
    rule = data["dispositions"][0]
    data["dispositions"] = [{**rule, "categories": ["adult"], "priority": 0},
                            {**rule, "categories": ["child"], "priority": 1},
                            *data["dispositions"][1:]]
    return scenario_from_dict(data)


def test_payers_approve_in_priority_order_and_more_money_approves_more():
    prev, seen_partial = 0.0, False
    for annual in (3.0e4, 1.0e5, 4.0e5, 8.0e5, 1.6e6):
        res = sim.simulate(_approval_scenario(annual), policy="p", replication=0)
        plan, raw = res.raw.plan, res.raw
        adult = plan.group_cat == plan.cat_ids.index("adult")
        adults_moved, children_moved = raw.arrived[-1][adult].sum(), raw.arrived[-1][~adult].sum()
        adults_left = raw.site_stock[-1][0][adult].sum()
        # nobody behind the group where the money runs out is approved that year: children
        # move only once every adult could
        assert children_moved == 0 or adults_left == 0, annual
        seen_partial |= adults_moved > 0 and adults_left > 0 and children_moved == 0
        assert res.kpis["transferred"] >= prev  # more money never moves fewer people
        prev = res.kpis["transferred"]
    assert seen_partial and prev == 200  # everyone with a transfer moves with the most


def test_overrun_is_spending_above_the_ceiling_per_fiscal_year():
    pol = {"rule": "key", "params": KEY["params"],
           "budgets": {"IRQ": {"annual": 20000.0}, "USA": {"annual": 1.0e9}}}
    res = sim.simulate(tiny(p=pol), policy="p")
    lp = res.ledger_payers
    cal = res.payers.cp.calendars[res.payers.payer_ids.index("IRQ")]
    paid = lp[(lp.payer == "IRQ") & (lp.measure == "cost")].groupby("day").amount.sum()
    per_year = np.bincount(cal.index[paid.index.to_numpy()], weights=paid.to_numpy(),
                           minlength=cal.n_years)
    allow = np.full(cal.n_years, 20000.0)
    allow[0] = 20000.0 * cal.first_fraction
    assert res.kpis["overrun:payer:IRQ"] == pytest.approx(np.maximum(per_year - allow, 0).sum())
    assert res.kpis["overrun:payer:USA"] == 0


def _fund_scenario(**fund):
    data = tiny_data()
    data["destinations"]["centre"]["beds"] = 50
    data["destinations"]["centre"]["stay"] = None
    base = {"contributions": {"rule": "fixed", "params": {"shares": {"USA": 3, "GBR": 1}}},
            "annual": 1.0e6, "threshold": 1,
            "buy": [{"kind": "beds", "target": "centre", "amount": 60, "cost": 1.0e5,
                     "lag_days": 5}]}
    base.update(fund)
    data["policies"] = {"none": {"rule": "host_pays"},
                        "fund": {"rule": "host_pays", "fund": base}}
    return scenario_from_dict(data)


def test_pooled_fund_buys_beds_after_the_lag():
    scn = _fund_scenario()
    none = sim.simulate(scn, policy="none")
    fund = sim.simulate(scn, policy="fund")
    k = fund.kpis
    assert none.kpis["transferred"] == 50
    assert k["fund:orders"] >= 1 and k["fund:beds"] == 60 * k["fund:orders"]
    assert k["transferred"] > 50
    first = fund.raw.orders[0]
    assert first.day >= 1 and first.ready_day == first.day + 5
    beds = fund.raw.beds[:, 0]
    assert (beds[:first.ready_day - 1] == 50).all() and beds[first.ready_day] == 110
    # the capital cost is booked and paid by the contributors 3:1
    assert k["cost:capacity_expansion"] == pytest.approx(k["fund:spent"])
    cap = fund.ledger_payers
    cap = cap[cap.category == "capacity_expansion"].groupby("payer").amount.sum()
    assert cap["USA"] == pytest.approx(0.75 * k["fund:spent"])
    assert cap["GBR"] == pytest.approx(0.25 * k["fund:spent"])
    # the movements before the first delivery are the same (common random numbers)
    d = first.ready_day
    np.testing.assert_array_equal(none.raw.site_stock[:d], fund.raw.site_stock[:d])


def test_pooled_fund_respects_its_pledge_and_max_orders():
    poor = sim.simulate(_fund_scenario(annual=5.0e4), policy="fund").kpis
    assert poor["fund:orders"] == 0 and poor["transferred"] == 50
    once = sim.simulate(_fund_scenario(buy=[{"kind": "beds", "target": "centre", "amount": 60,
                                             "cost": 1.0, "lag_days": 1, "max_orders": 1}]),
                        policy="fund").kpis
    assert once["fund:orders"] == 1 and once["transferred"] == 110


def test_payer_ledger_adds_up():
    scn = tiny(p={"rule": "hybrid", "params": {"fraction": 0.4, "rest": KEY},
                  "security": {"rule": "fixed", "params": {"shares": {"GBR": 1}}}})
    res = sim.simulate(scn, policy="p")
    lp, led = res.ledger_payers, res.ledger
    assert {"payer", "share", "activity"} <= set(lp.columns)
    keys = ["day", "category", "location", "nationality", "measure"]
    a = lp.groupby(keys).amount.sum()
    b = led.groupby(keys).amount.sum()
    np.testing.assert_allclose(a.reindex(b.index).to_numpy(), b.to_numpy(), rtol=1e-9)
    shares = lp.groupby(keys + ["activity"]).share.sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, rtol=1e-9)
    # personnel-days follow the security rule
    pers = lp[lp.measure == "personnel_days"]
    assert set(pers.payer) == {"GBR"}
    assert res.kpis["personnel_days:payer:GBR"] == pytest.approx(res.kpis["personnel_days"])
    total = sum(v for k, v in res.kpis.items() if k.startswith("cost:payer:"))
    assert total == pytest.approx(res.kpis["cost_total"])
    assert res.kpis["largest_share"] == max(v for k, v in res.kpis.items()
                                            if k.startswith("share:payer:"))
    assert 0 < res.kpis["share_deviation"] < 1  # hybrid vs its key
    assert np.isnan(sim.simulate(tiny(h={"rule": "host_pays"}), policy="h")
                    .kpis["share_deviation"])


def test_baseline_policies_run(baseline):
    out = {p: sim.simulate(baseline, policy=p, replication=0).kpis for p in baseline.policies}
    keysets = {frozenset(k) for k in out.values()}
    assert len(keysets) == 1  # every policy reports the same KPIs
    for k in out.values():
        shares = [v for key, v in k.items() if key.startswith("share:payer:")]
        assert sum(shares) == pytest.approx(1.0)
    assert out["iraq_alone"]["share_iraq"] > out["eu_key"]["share_iraq"]
    assert out["iraq_alone"]["days_blocked:funding"] > 0
    assert out["capped"]["largest_share"] <= 0.22 + 1e-9
    assert out["eu_key"]["share_deviation"] == pytest.approx(0.0, abs=1e-12)
    assert out["eu_key"]["fund:orders"] >= 1
