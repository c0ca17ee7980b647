"""Payer rules: hand-computed examples, shares summing to 1, the registry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.costs import ACTIVITY_OF, COST_CATEGORIES
from sim.policy.compiled import compile_policy
from sim.rules import (
    Context,
    Entry,
    RuleError,
    cap_shares,
    key_shares,
    register_rule,
    registry,
    unregister_rule,
)
from sim.rules.builtin import KeyParams
from sim.scenario import scenario_from_dict
from tests.policy.conftest import tiny, tiny_data

# two countries with round numbers for hand computation
AB = {
    "A": {"population": 10, "gdp_usd": 30, "unemployment_rate": 0.1, "asylum_per_million": 100},
    "B": {"population": 30, "gdp_usd": 10, "unemployment_rate": 0.2, "asylum_per_million": 300},
}


def _ab_scenario(**policies):
    data = tiny_data(**policies)
    for c, ind in AB.items():
        data["countries"][c] = {"name": c, "indicators": ind}
    data["countries"]["C"] = {"name": "C"}
    data["controllers"]["GOV"] = {"name": "government", "country": "SYR"}
    data["controllers"]["CONT"] = {"name": "contested"}
    return scenario_from_dict(data)


def _shares(scn, rule: str, params: dict, entry: Entry, receiving: str = "IRQ") -> dict:
    ctx = Context(scn, receiving)
    return ctx.shares({"rule": rule, "params": params}, entry)


def _approx(got: dict, want: dict) -> None:
    assert set(got) == {k for k, v in want.items() if v > 0}, got
    for k, v in want.items():
        assert got.get(k, 0.0) == pytest.approx(v, abs=1e-12), (k, got)


SITE = dict(location="camp", side="syria", controller="SDF")
DEST = dict(location="centre", side="iraq", controller=None)


# ----------------------------------------------------------------------------- hand-computed
def test_host_pays_by_place_custodian_and_activity():
    scn = _ab_scenario()
    hold = Entry("detention_syria", nationality="A", activity="holding", **SITE)
    _approx(_shares(scn, "host_pays", {}, hold), {"USA": 0.75, "GBR": 0.25})  # SDF backers
    _approx(_shares(scn, "host_pays", {"bill_backers": False}, hold), {"IRQ": 1.0})  # fallback
    gov = Entry("detention_syria", "camp", "A", side="syria", controller="GOV")
    _approx(_shares(scn, "host_pays", {}, gov), {"SYR": 1.0})  # the custodian's country
    cont = Entry("detention_syria", "camp", "A", side="syria", controller="CONT")
    _approx(_shares(scn, "host_pays", {"fallback": {"A": 1, "B": 3}}, cont),
            {"A": 0.25, "B": 0.75})
    iraq = Entry("detention_iraq", nationality="B", activity="holding", **DEST)
    _approx(_shares(scn, "host_pays", {}, iraq), {"IRQ": 1.0})
    trip = Entry("transport", nationality="B", activity="transfer", **SITE)
    _approx(_shares(scn, "host_pays", {}, trip), {"IRQ": 1.0})
    _approx(_shares(scn, "host_pays", {"transport": "custodian"}, trip),
            {"USA": 0.75, "GBR": 0.25})
    rep = Entry("repatriation", nationality="B", activity="repatriation", **SITE)
    _approx(_shares(scn, "host_pays", {}, rep), {"B": 1.0})
    _approx(_shares(scn, "host_pays", {"repatriation": "custodian"}, rep),
            {"USA": 0.75, "GBR": 0.25})
    _approx(_shares(scn, "host_pays", {}, iraq, receiving="A"), {"A": 1.0})


def test_nationality_with_fallback_stateless_and_refusing():
    scn = _ab_scenario()
    params = {"fallback": {"A": 1, "B": 1}, "stateless": ["C"], "refusing": ["SYR"]}
    for nat, want in (("B", {"B": 1.0}), ("C", {"A": 0.5, "B": 0.5}),
                      ("SYR", {"A": 0.5, "B": 0.5}), ("GBR", {"GBR": 1.0})):
        entry = Entry("transport", nationality=nat, **SITE)
        _approx(_shares(scn, "nationality", params, entry), want)
    entry = Entry("transport", nationality="C", **SITE)
    _approx(_shares(scn, "nationality", {"stateless": ["C"]}, entry), {"IRQ": 1.0})


def test_key_eu_2015_by_hand():
    # population A 1/4 B 3/4; GDP A 3/4 B 1/4; unemployment inverse 1/0.1 : 1/0.2 -> 2/3 : 1/3;
    # asylum inverse 1/100 : 1/300 -> 3/4 : 1/4
    a = 0.4 * 0.25 + 0.4 * 0.75 + 0.1 * 2 / 3 + 0.1 * 0.75
    scn = _ab_scenario()
    entry = Entry("screening", nationality="C", **DEST)
    _approx(_shares(scn, "key", {"participants": ["A", "B"]}, entry), {"A": a, "B": 1 - a})
    # population and GDP only
    got = _shares(scn, "key", {"participants": ["A", "B"], "inverse": [],
                               "weights": {"population": 0.5, "gdp_usd": 0.5}}, entry)
    _approx(got, {"A": 0.5, "B": 0.5})
    # a floor lifts a zero before inverting: asylum A 0 -> 100 = B's 100 -> 1/2 : 1/2
    data = tiny_data()
    data["countries"]["A"] = {"name": "A", "indicators": {**AB["A"], "asylum_per_million": 0}}
    data["countries"]["B"] = {"name": "B", "indicators": {**AB["B"], "asylum_per_million": 100}}
    scn0 = scenario_from_dict(data)
    got = _shares(scn0, "key", {"participants": ["A", "B"], "floor": {"asylum_per_million": 100},
                                "weights": {"asylum_per_million": 1.0}}, entry)
    _approx(got, {"A": 0.5, "B": 0.5})


def test_un_scale_renormalises():
    scn = _ab_scenario()
    entry = Entry("screening", nationality="C", **DEST)
    got = _shares(scn, "un_scale", {"scale": {"USA": 22.0, "A": 8.0, "B": 10.0}}, entry)
    _approx(got, {"USA": 0.55, "A": 0.2, "B": 0.25})


def test_hybrid_splits_nationality_and_rest():
    scn = _ab_scenario()
    entry = Entry("transport", nationality="B", **SITE)
    params = {"fraction": 0.3, "rest": {"rule": "fixed", "params": {"shares": {"A": 1}}}}
    _approx(_shares(scn, "hybrid", params, entry), {"B": 0.3, "A": 0.7})
    params["rest"] = {"rule": "fixed", "params": {"shares": {"A": 1, "B": 1}}}
    _approx(_shares(scn, "hybrid", params, entry), {"B": 0.3 + 0.35, "A": 0.35})


def test_cap_redistributes_pro_rata_iteratively():
    # A capped at 0.3: its 0.2 excess goes to B and C in proportion 0.3 : 0.2
    _approx(cap_shares({"A": 0.5, "B": 0.3, "C": 0.2}, {"A": 0.3}, None),
            {"A": 0.3, "B": 0.42, "C": 0.28})
    # B (cap 0.4) is pushed over by the first round: 0.02 more goes to C
    _approx(cap_shares({"A": 0.5, "B": 0.3, "C": 0.2}, {"A": 0.3, "B": 0.4}, None),
            {"A": 0.3, "B": 0.4, "C": 0.3})
    # a default cap for everyone: A's 0.2 goes 3:1 to B and C (B 0.45, C 0.15); B is now over
    # 0.4, so its 0.05 goes to C
    _approx(cap_shares({"A": 0.6, "B": 0.3, "C": 0.1}, {}, 0.4),
            {"A": 0.4, "B": 0.4, "C": 0.2})
    # one payer only: the excess goes to the overflow shares
    _approx(cap_shares({"A": 1.0}, {"A": 0.25}, None, lambda: {"B": 1, "C": 3}),
            {"A": 0.25, "B": 0.1875, "C": 0.5625})
    with pytest.raises(RuleError, match="caps cannot hold"):
        cap_shares({"A": 1.0}, {"A": 0.25}, None)


def test_cap_rule_through_the_registry():
    scn = _ab_scenario()
    entry = Entry("transport", nationality="B", **SITE)
    inner = {"rule": "fixed", "params": {"shares": {"A": 5, "B": 3, "C": 2}}}
    got = _shares(scn, "cap", {"rule": inner, "caps": {"A": 0.3, "B": 0.4}}, entry)
    _approx(got, {"A": 0.3, "B": 0.4, "C": 0.3})


# ----------------------------------------------------------------------------- shares sum to 1
@st.composite
def _policies(draw):
    n = draw(st.integers(2, 6))
    ids = [f"K{i}" for i in range(n)]
    pos = st.floats(0.01, 1e6, allow_nan=False)
    countries = {c: {"name": c, "indicators": {
        "population": draw(pos), "gdp_usd": draw(pos), "unemployment_rate": draw(pos),
        "asylum_per_million": draw(st.floats(0, 1e4))}} for c in ids}
    raw = [draw(st.floats(0, 1)) for _ in range(4)]
    if sum(raw) == 0:
        raw[0] = 1.0
    weights = dict(zip(("population", "gdp_usd", "unemployment_rate", "asylum_per_million"),
                       (w / sum(raw) for w in raw)))
    weights["asylum_per_million"] = 1.0 - sum(v for k, v in weights.items()
                                              if k != "asylum_per_million")
    weights = {k: max(v, 0.0) for k, v in weights.items()}
    parts = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=n, unique=True))
    key = {"rule": "key", "params": {"participants": parts, "weights": weights,
                                     "floor": {"asylum_per_million": 1.0}}}
    scale = {c: draw(st.floats(0, 30)) for c in parts}
    scale[parts[0]] += 1.0
    cap = draw(st.floats(min(1.0 / len(parts) + 1e-3, 1.0), 1.0))
    backers = {c: 1.0 / len(parts) for c in parts}
    policies = {
        "host": {"rule": "host_pays", "params": {"transport": draw(
            st.sampled_from(["receiving", "custodian"]))}},
        "nat": {"rule": "nationality", "params": {"stateless": draw(
            st.lists(st.sampled_from(ids + ["IRQ"]), unique=True)), "fallback": parts[0]}},
        "key": key,
        "un": {"rule": "un_scale", "params": {"scale": scale}},
        "hybrid": {"rule": "hybrid", "params": {"fraction": draw(st.floats(0, 1)),
                                                "rest": key}},
        "cap": {"rule": "cap", "params": {"rule": key, "max_share": cap}},
        "cap_host": {"rule": "cap", "params": {"rule": {"rule": "host_pays"},
                                               "caps": {"IRQ": draw(st.floats(0, 1))},
                                               "overflow": key}},
    }
    return countries, backers, policies


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(_policies())
def test_shares_sum_to_one_for_every_entry_under_every_rule(case):
    countries, backers, policies = case
    data = tiny_data()
    data["countries"].update(countries)
    data["sites"]["camp"]["population"]["K0"] = {"adult": 5}
    data["controllers"]["SDF"]["backers"] = backers
    data["controllers"]["GOV"] = {"name": "gov", "country": "SYR"}
    data["controllers"]["CONT"] = {"name": "contested"}
    data["sites"]["camp"]["controller"] += [{"start": 10, "controller": "GOV"},
                                            {"start": 20, "controller": "CONT"}]
    data["policies"] = policies
    scn = scenario_from_dict(data)
    for name in policies:
        cp = compile_policy(scn, name)
        for mats in (cp.cost, cp.escort_cost[None], cp.personnel):
            for loc in range(cp.loc_ctrl.shape[1]):
                for c in np.unique(cp.loc_ctrl[:, loc]):
                    m = mats[:, loc, c]  # [K, N, P]
                    assert (m >= 0).all()
                    np.testing.assert_allclose(m.sum(axis=-1), 1.0, rtol=0, atol=1e-9)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.floats(0, 100), min_size=1),
       st.dictionaries(st.sampled_from("ABCDEFG"), st.floats(0, 1)),
       st.one_of(st.none(), st.floats(0, 1)))
def test_cap_keeps_sum_and_caps_when_feasible(raw, caps, default):
    total = sum(raw.values())
    if total <= 0:
        return
    shares = {k: v / total for k, v in raw.items()}
    positive = [k for k, v in shares.items() if v > 0]

    def cap(p):
        c = caps.get(p, default)
        return 1.0 if c is None else c

    try:
        out = cap_shares(shares, caps, default)
    except RuleError:
        assert sum(cap(p) for p in positive) < 1 + 1e-9
        return
    assert math.isclose(sum(out.values()), 1.0, abs_tol=1e-9)
    for p, v in out.items():
        assert v >= 0 and v <= cap(p) + 1e-9
        assert shares.get(p, 0) > 0  # no new payers without an overflow rule


def test_key_shares_are_cached_per_params():
    scn = tiny()
    ctx = Context(scn)
    p = KeyParams(participants=["USA", "GBR"])
    assert key_shares(ctx, p) is key_shares(ctx, p)


# ----------------------------------------------------------------------------- registry
def test_custom_rule_registered_in_a_test_is_usable_by_name():
    @register_rule("test_half_and_half")
    def half(entry, ctx, params):
        return {params["first"]: 1.0, "GBR": 1.0}  # normalised to 0.5 each

    try:
        scn = tiny(halves={"rule": "test_half_and_half", "params": {"first": "USA"}})
        res = sim.simulate(scn, policy="halves")
        assert res.kpis["share:payer:USA"] == pytest.approx(0.5)
        assert res.kpis["share:payer:GBR"] == pytest.approx(0.5)
        assert res.kpis["personnel_days:payer:USA"] == pytest.approx(
            res.kpis["personnel_days"] / 2)
        with pytest.raises(ValueError, match="already registered"):
            register_rule("test_half_and_half")(lambda e, c, p: {"USA": 1})
    finally:
        unregister_rule("test_half_and_half")


def test_a_custom_rule_that_fails_is_a_scenario_error():
    @register_rule("test_broken")
    def broken(entry, ctx, params):
        return {"NOWHERE": 1.0}

    try:
        with pytest.raises(sim.ScenarioError, match="NOWHERE"):
            tiny(p={"rule": "test_broken"})
    finally:
        unregister_rule("test_broken")


def test_entry_point_rules_are_loaded(monkeypatch):
    class FakeEntryPoint:
        name = "test_from_plugin"

        @staticmethod
        def load():
            return lambda entry, ctx, params: {"IRQ": 1.0}

    import importlib.metadata as md

    monkeypatch.setattr(md, "entry_points",
                        lambda group=None: [FakeEntryPoint()] if group == "sim.policies" else [])
    monkeypatch.setattr(registry, "_PLUGINS_LOADED", False)
    try:
        assert "test_from_plugin" in registry.rule_names()
        scn = tiny(p={"rule": "test_from_plugin"})
        assert sim.simulate(scn, policy="p").kpis["share_iraq"] == 1.0
    finally:
        unregister_rule("test_from_plugin")


def test_builtin_rules_and_activities():
    assert {"host_pays", "nationality", "key", "un_scale", "hybrid", "cap",
            "fixed"} <= set(registry.rule_names())
    assert set(COST_CATEGORIES) <= set(ACTIVITY_OF)
