"""Escapes against their exact distribution (statistical tolerances, not pinned seeds)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import sim
from sim.scenario import load_scenario

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"


def test_escapes_match_binomial_expectation():
    # Nobody moves; constant hazard h on a camp for T days. Each person escapes independently
    # with probability q = 1 - exp(-h T), so the total is Binomial(N, q): mean N q, var N q(1-q).
    h, T, N = 0.002, 60, 200
    scn = load_scenario(TINY, overrides={
        "dispositions": [{"action": "stay"}],
        "escapes.base_hazard_per_day.camp": h,
    })
    R = 200
    totals = np.array([sim.simulate(scn, replication=r).kpis["escaped"] for r in range(R)])
    q = 1 - math.exp(-h * T)
    mean, var = N * q, N * q * (1 - q)
    z = (totals.mean() - mean) / math.sqrt(var / R)
    assert abs(z) < 4, (totals.mean(), mean)
    # sample variance of R draws: chi-square with R-1 df; 4-sigma band on var
    assert abs(totals.var(ddof=1) / var - 1) < 4 * math.sqrt(2 / (R - 1))


def test_category_multiplier_and_controller_scale_hazard():
    # Children get multiplier 0, so only adults escape; controller B doubles the hazard.
    base = {"dispositions": [{"action": "stay"}], "escapes.base_hazard_per_day.camp": 0.003,
            "escapes.category_multiplier": {"child": 0.0}}
    scn = load_scenario(TINY, overrides=base)
    res = [sim.simulate(scn, replication=r).kpis for r in range(100)]
    assert all(k["escaped:child"] == 0 for k in res)
    adults = np.mean([k["escaped:adult"] for k in res])
    assert abs(adults - 100 * (1 - math.exp(-0.003 * 60))) < 4 * math.sqrt(
        100 * 0.165 * 0.835 / 100)
    doubled = load_scenario(TINY, overrides={
        **base, "controllers.SDF.escape_multiplier": 2.0})
    adults2 = np.mean([sim.simulate(doubled, replication=r).kpis["escaped:adult"]
                       for r in range(100)])
    expected2 = 100 * (1 - math.exp(-0.006 * 60))
    assert abs(adults2 - expected2) < 4 * math.sqrt(100 * 0.30 * 0.70 / 100)


def test_dated_breakout_and_recapture():
    scn = load_scenario(TINY, overrides={
        "dispositions": [{"action": "stay"}],
        "conflict.timeline": [{"kind": "breakout", "site": "camp", "start": 5, "fraction": 0.5}],
        "escapes.recapture": {"probability": 1.0, "delay_days": 3},
    })
    res = sim.simulate(scn)
    d = res.daily
    assert d.loc[4, "escaped"] == 0 and d.loc[5, "escaped"] == 100
    assert d.loc[5, "at_sites"] == 100
    assert d.loc[8, "recaptured"] == 100 and d.loc[8, "at_sites"] == 200
    assert res.events["kind"].tolist() == ["breakout"]
