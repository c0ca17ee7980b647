"""The words and numbers the CLI and the report share: display units from the catalogue,
percentages for shares, percentage points for their differences, ``<0.001``."""

from __future__ import annotations

import math

from sim.analysis import present


def row(**kw):
    base = {"kpi": "share_iraq", "policy": "b", "baseline": "a", "direction": "lower",
            "n": 10, "mean": 0.2, "ci_low": 0.19, "ci_high": 0.21, "diff": -0.1,
            "diff_ci_low": -0.12, "diff_ci_high": -0.08, "p_holm": 1e-9, "best": "b",
            "in_best_subset": True}
    base.update(kw)
    return base


def test_shares_in_percent_and_differences_in_points():
    assert present.estimate(row()) == "20% [19%, 21%]"
    assert present.difference(row()) == "-10 pp [-12 pp, -8 pp], clearly better"
    assert present.p_value(row()) == "<0.001" and present.rank(row()) == "best"


def test_costs_in_millions_and_unclear_differences():
    r = row(kpi="cost_total", mean=2.6e8, ci_low=2.5e8, ci_high=2.7e8, diff=1e6,
            diff_ci_low=-1e6, diff_ci_high=3e6, p_holm=0.4, best="a", in_best_subset=False)
    assert present.estimate(r) == "260 [250, 270]"
    assert present.difference(r) == "+1 [-1, 3], no clear difference"
    assert present.rank(r) == "" and present.p_value(r) == "0.4"
    assert present.difference(row(policy="a")) == "baseline"


def test_completion_is_its_median_and_share_finished():
    r = row(kpi="completion_day", mean=80.0, finished=0.6, median=math.inf,
            median_low=150.0, median_high=math.inf)
    assert present.estimate(r) == ("median beyond the horizon [150, beyond the horizon]; "
                                   "60% finished")
