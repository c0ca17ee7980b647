"""The KPI catalogue: one declaration per KPI, flat keys that read back, a tidy long table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.kpis import CATALOGUE, DIMENSIONS, Run, flat_key, headline, long_table, parse_key, summary
from sim.kpis.catalogue import kpi
from sim.scenario.vocabulary import Action
from tests.policy.conftest import tiny


@pytest.fixture(scope="module")
def runs():
    scn = tiny(shared={"rule": "key", "params": {"participants": ["IRQ", "USA", "GBR"]},
                       "budgets": {"IRQ": {"annual": 1.0e5}}})
    return [sim.simulate(scn, policy=p, replication=0) for p in (None, *scn.policies)]


def test_every_kpi_is_declared_with_words_and_a_direction():
    assert len(CATALOGUE) > 30
    for k in CATALOGUE:
        assert k.label and k.unit and k.direction in ("higher", "lower"), k
        assert k.tier in ("headline", "summary", "detail")
        assert set(k.dims) <= set(DIMENSIONS)
        for d in k.dims:
            assert "{" + d + "}" in k.pattern and "{" + d + "}" in k.label
    assert headline()[0] == "transferred" and set(headline()) <= set(summary())
    assert parse_key("moved:a>b")[0].key == "moved"
    assert parse_key("cost:payer:USA") == (CATALOGUE["cost_by_payer"], {"payer": "USA"})
    assert parse_key("cost:transport") == (CATALOGUE["cost_by_category"],
                                           {"cost_category": "transport"})
    assert parse_key("no_such_kpi") is None


def test_flat_keys_read_back_and_the_long_table_holds_every_value(runs):
    for res in runs:
        table = res.kpi_table
        assert len(table) == len(res.kpis)
        for flat, value in res.kpis.items():
            k, dims = parse_key(flat)
            assert k.flat(**dims) == flat
            rows = table[table["kpi"] == k.key]
            for d in DIMENSIONS:
                rows = rows[rows[d].isna()] if d not in dims else rows[rows[d] == dims[d]]
            assert len(rows) == 1
            got = float(rows["value"].iloc[0])
            assert got == value or (math.isnan(got) and math.isnan(value))
    assert not any(CATALOGUE[k].needs_policy for k in runs[0].kpi_table["kpi"])
    assert any(CATALOGUE[k].needs_policy for k in runs[1].kpi_table["kpi"])


def test_long_table_of_a_wide_table_keeps_the_ids(runs):
    wide = pd.DataFrame([{"policy": r.policy or "none", "replication": 0, **r.kpis}
                         for r in runs])
    table = long_table(wide, id_columns=["policy", "replication"])
    assert list(table.columns[:3]) == ["policy", "replication", "kpi"]
    assert len(table) == int(wide.drop(columns=["policy", "replication"]).notna().sum().sum()
                             + wide.drop(columns=["policy", "replication"]).isna().sum().sum())


def test_a_kpi_declared_in_one_place_reaches_results(runs):
    @kpi("test_people_moved_twice", "Twice the people moved", "people", "higher")
    def _twice(r):
        return 2 * float(r.raw.arrived[r.last].sum())

    try:
        res = sim.simulate(runs[0].scenario, replication=0)
        assert res.kpis["test_people_moved_twice"] == 2 * res.kpis["transferred"]
        assert "test_people_moved_twice" in set(res.kpi_table["kpi"])
        assert sim.kpis.label("test_people_moved_twice")[0] == "Twice the people moved"
    finally:
        CATALOGUE.remove("test_people_moved_twice")


@pytest.mark.parametrize("replication", range(4))
def test_escapees_at_large_are_escapes_not_yet_back(replication):
    """People are conserved: those at large at the horizon are the gross escapes minus the
    returned, never negative and never more than escaped; with every escapee recaptured a
    day later, only the last day's escapees are still at large."""
    scn = sim.load_scenario("scenarios/baseline.yaml", overrides={"metadata.horizon_days": 120})
    k = sim.simulate(scn, replication=replication).kpis
    assert k["at_large"] == k["escaped"] - k["recaptured"]
    assert 0 <= k["at_large"] <= k["escaped"]
    caught = sim.load_scenario("scenarios/baseline.yaml", overrides={
        "metadata.horizon_days": 120, "escapes.recapture.probability": 1.0,
        "escapes.recapture.delay_days": 1})
    res = sim.simulate(caught, replication=replication)
    escaped = res.raw.escaped.sum(axis=1)  # cumulative, by day
    assert res.kpis["escaped"] > 0
    assert res.kpis["at_large"] == escaped[-1] - escaped[-2]


def _groups_by_hand(run: Run, values: np.ndarray, combine) -> dict:
    """``combine`` of ``values`` ([S, G]) over each site's groups of one nationality whose
    transfer starts within the horizon and who start with people, site by site."""
    plan = run.plan
    out = {}
    for s, sid in enumerate(plan.site_ids):
        for n, nid in enumerate(plan.nat_ids):
            cells = [g for g in range(plan.n_groups) if plan.group_nat[g] == n
                     and plan.action[s, g] == int(Action.transfer)
                     and plan.initial_stock[s, g] > 0 and plan.start_day[s, g] <= run.last]
            if cells:
                out[(sid, nid)] = float(combine(values[s, cells]))
    return out


@pytest.mark.parametrize("horizon", [120, 730])
def test_waits_and_left_behind_by_group_follow_each_departure(horizon):
    """The longest wait of each site and group is its latest departure's wait, or the wait
    to the horizon of those left behind; the by-group KPIs gather them site by site."""
    scn = sim.load_scenario("scenarios/baseline.yaml",
                            overrides={"metadata.horizon_days": horizon})
    for replication in range(2):
        res = sim.simulate(scn, replication=replication)
        run = Run(res.raw)
        plan = run.plan
        want = np.full(plan.initial_stock.shape, -1.0)
        for t, s, people in res.raw.departures:
            for g in np.flatnonzero(people > 0):
                want[s, g] = max(want[s, g], t - plan.start_day[s, g])
        left = run.left_behind > 0
        want[left] = np.maximum(want[left], plan.horizon - plan.start_day[left])
        assert (want >= 0).any() and run.longest_waits.tobytes() == want.tobytes()
        by_hand = _groups_by_hand(run, run.left_behind, np.sum)
        assert by_hand
        assert {flat_key("left_behind_by_group", site=s, nationality=n): v
                for (s, n), v in by_hand.items()} == {
            k: v for k, v in res.kpis.items() if parse_key(k)[0].key == "left_behind_by_group"}
        longest = {flat_key("max_wait_by_group", site=s, nationality=n): v
                   for (s, n), v in _groups_by_hand(run, want, np.max).items()}
        got = {k: v for k, v in res.kpis.items() if parse_key(k)[0].key == "max_wait_by_group"}
        assert list(got) == list(longest)
        assert all(got[k] == v or (math.isnan(got[k]) and v < 0) for k, v in longest.items())


def test_person_days_at_risk_and_peak_beds_by_hand():
    """Person-days under a changed custodian count each day's people at each site whose
    controller is not the one of day 0; peak beds are the fullest day of each destination."""
    scn = sim.load_scenario("scenarios/baseline.yaml")
    res = sim.simulate(scn, replication=0)
    raw = res.raw
    T, S, _ = raw.site_stock.shape
    risk = sum(int(raw.site_stock[t, s].sum()) for t in range(T) for s in range(S)
               if raw.controller[t, s] != raw.controller[0, s])
    assert risk > 0 and res.kpis["person_days_at_risk"] == risk
    for d, did in enumerate(raw.plan.dest_ids):
        peak = max(int(raw.dest_stock[t, d].sum()) for t in range(T))
        assert res.kpis[flat_key("peak_beds", destination=did)] == peak
