"""The KPI catalogue: one declaration per KPI, flat keys that read back, a tidy long table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import sim
from sim.kpis import CATALOGUE, DIMENSIONS, headline, long_table, parse_key, summary
from sim.kpis.catalogue import kpi
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
