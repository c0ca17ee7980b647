"""Completion with the runs that never finish counted: Kaplan-Meier median by hand and against
its definition, the share finished, and "best" decided on it (never on finished runs only)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.analysis.completion import COMPLETION, completion, describe, restricted, share_finished_by

NAN = math.nan


def test_by_hand():
    c = completion([5.0, 6.0, 7.0], horizon=30)
    assert (c.n, c.finished, c.median, c.share_finished) == (3, 3, 6.0, 1.0)
    assert c.median_low <= c.median <= c.median_high
    # 2 of 5 finish: fewer than half, so the median is beyond the horizon
    c = completion([10.0, 11.0, NAN, NAN, NAN], horizon=30)
    assert c.median == math.inf and c.finished == 2 and c.share_finished == 0.4
    assert "beyond the horizon" in describe(c) and "40% finished" in describe(c)
    # exactly half finish by day 20: the median is day 20
    assert completion([10.0, 20.0, NAN, NAN], horizon=30).median == 20.0
    assert completion([NAN, NAN], horizon=30).median == math.inf
    assert math.isnan(completion([], horizon=30).median)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=40),
       st.integers(0, 40))
def test_median_is_the_first_day_by_which_half_finished(done, unfinished):
    values = np.array(done + [NAN] * unfinished, dtype=float)
    n = values.size
    c = completion(values, horizon=200)
    shares = {d: share_finished_by(values, d) for d in range(0, 201)}
    reached = [d for d, s in shares.items() if s >= 0.5]
    assert c.median == (min(reached) if reached else math.inf)
    assert c.finished == len(done) and c.n == n
    # the share finished is monotone in the day and tops out at the share that finished
    seq = [shares[d] for d in range(0, 201)]
    assert all(a <= b for a, b in zip(seq, seq[1:])) and seq[-1] == len(done) / n
    assert c.median_low <= c.median <= c.median_high


def test_restricted_counts_unfinished_runs_at_the_horizon():
    np.testing.assert_array_equal(restricted([5.0, NAN, 40.0], 30), [5.0, 30.0, 30.0])
    assert np.isnan(restricted([NAN], None)).all()


def test_best_is_not_the_policy_that_rarely_finishes():
    # "fast" finishes on days 10 and 11 in two runs of twenty and never in the others;
    # "steady" finishes on day 50 every time. A mean over finished runs would call "fast"
    # best.
    n = 20
    kpis = pd.DataFrame({
        "policy": ["fast"] * n + ["steady"] * n, "replication": list(range(n)) * 2,
        "scenario": "s", COMPLETION: [10.0, 11.0] + [NAN] * (n - 2) + [50.0] * n})
    table = sim.compare(kpis, baseline="steady", kpis=[COMPLETION])
    assert set(table["best"]) == {"steady"}
    fast = table[table["policy"] == "fast"].iloc[0]
    assert fast["median"] == math.inf and fast["finished"] == 0.1
    assert fast["median_low"] == math.inf  # 2 of 20: clearly fewer than half finish
    assert not fast["in_best_subset"]
    steady = table[table["policy"] == "steady"].iloc[0]
    assert steady["median"] == 50.0 and steady["finished"] == 1.0 and steady["in_best_subset"]
