"""CIs, paired-t, Holm, the adaptive precision rule, verdicts and the best subset."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import compare, holm, paired_interval, rel_halfwidth, t_interval
from sim.analysis.compare import verdict


def test_t_interval_matches_scipy():
    x = np.array([3.0, 5.0, 4.0, 8.0, 6.5, np.nan])
    iv = t_interval(x)
    lo, hi = stats.t.interval(0.95, 4, loc=np.nanmean(x), scale=stats.sem(x[:-1]))
    assert iv.n == 5 and iv.mean == pytest.approx(5.3)
    assert (iv.low, iv.high) == (pytest.approx(lo), pytest.approx(hi))
    assert iv.p_value == pytest.approx(stats.ttest_1samp(x[:-1], 0).pvalue)
    assert math.isnan(t_interval([1.0]).low) and t_interval([]).n == 0
    flat = t_interval([2.0, 2.0, 2.0])
    assert (flat.low, flat.high, flat.p_value) == (2.0, 2.0, 0.0)


def test_paired_interval_is_a_paired_t_test():
    rng = np.random.default_rng(3)
    a = rng.normal(10, 3, 20)
    b = a + rng.normal(1, 0.5, 20)
    iv = paired_interval(b, a)
    assert iv.mean == pytest.approx((b - a).mean())
    assert iv.p_value == pytest.approx(stats.ttest_rel(b, a).pvalue)


def test_holm_by_hand():
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    # sorted 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> running max
    np.testing.assert_allclose(holm(p)[:4], [0.03, 0.06, 0.06, 0.02])
    assert math.isnan(holm(p)[4])
    assert holm([0.6, 0.9])[1] == 1.0


def test_rel_halfwidth_rule():
    assert rel_halfwidth(100.0, 5.0, 1000.0, covers_zero=False) == 0.05  # / |difference|
    assert rel_halfwidth(1.0, 5.0, 1000.0, covers_zero=True) == 0.005  # / |baseline mean|
    assert rel_halfwidth(0.0, 0.0, 0.0, covers_zero=True) == 0.0  # identical runs
    assert rel_halfwidth(1.0, math.nan, 10.0, covers_zero=True) == math.inf
    assert rel_halfwidth(0.0, 1.0, 0.0, covers_zero=True) == math.inf


def test_verdicts_in_plain_words():
    assert verdict(120, 80, 160, 0.001, "iraq_alone", n_pairs=30) == \
        "higher than iraq_alone by 120 (95% CI 80 to 160)"
    assert verdict(-1234.5, -1600, -900, 0.01, "iraq_alone", n_pairs=30) == \
        "lower than iraq_alone by 1,234 (95% CI 900 to 1,600)"
    assert verdict(10, -10, 30, 0.2, "iraq_alone", n_pairs=30) == \
        "no clear difference from iraq_alone (95% CI -10 to 30)"
    assert verdict(10, -10, 30, 0.2, "x", n_pairs=1).startswith("cannot tell")


def _table(n: int = 30) -> pd.DataFrame:
    """Three policies on common random numbers: b = a + 10, c = a + noise (no effect)."""
    rng = np.random.default_rng(11)
    world = rng.normal(500, 50, n)  # shared by all policies in a replication
    rows = []
    for pol, shift, noise in (("a", 0.0, 1.0), ("b", 10.0, 1.0), ("c", 0.0, 1.0)):
        vals = world + shift + rng.normal(0, noise, n)
        rows += [{"run_id": f"{pol}{r}", "scenario": "s", "policy": pol, "replication": r,
                  "seed": 1, "escaped": v, "transferred": v} for r, v in enumerate(vals)]
    return pd.DataFrame(rows)


def test_compare_paired_differences_holm_verdicts_and_best_subset():
    df = _table()
    out = compare(df, baseline="a")
    assert list(out.columns[:3]) == ["scenario", "policy", "kpi"]
    esc = out[out["kpi"] == "escaped"].set_index("policy")
    assert esc.loc["a", "verdict"] == "baseline"
    assert esc.loc["b", "verdict"].startswith("higher than a by 10")
    assert esc.loc["c", "verdict"].startswith("no clear difference from a")
    assert esc.loc["b", "diff_ci_low"] < 10 < esc.loc["b", "diff_ci_high"]
    # the paired CI is far narrower than the spread of the KPI itself (common random numbers)
    assert esc.loc["b", "diff_ci_high"] - esc.loc["b", "diff_ci_low"] < \
        0.1 * (esc.loc["b", "ci_high"] - esc.loc["b", "ci_low"])
    assert esc["p_holm"].drop("a").tolist() == pytest.approx(
        holm(esc["p_value"].drop("a")).tolist())
    # fewer escapes are better: a and c are indistinguishable, b is clearly worse
    assert esc["in_best_subset"].to_dict() == {"a": True, "b": False, "c": True}
    # more transfers are better: b is best, alone
    tr = out[out["kpi"] == "transferred"].set_index("policy")
    assert (tr["best"] == "b").all() and tr["in_best_subset"].to_dict() == {
        "a": False, "b": True, "c": False}
    # a wide indifference zone lets b back in
    wide = compare(df, baseline="a", kpis=["escaped"], indifference=50).set_index("policy")
    assert wide["in_best_subset"].all()


def test_compare_rejects_unknown_names():
    from sim.scenario import ScenarioError

    df = _table(5)
    with pytest.raises(ScenarioError, match="unknown policy 'zzz'"):
        compare(df, baseline="zzz")
    with pytest.raises(ScenarioError, match="unknown KPI 'nope'"):
        compare(df, kpis=["nope"])
    with pytest.raises(ScenarioError, match="cannot compare by"):
        compare(df, by="replication")
