"""Statistics for terminating simulations: t confidence intervals, paired-t tests, Holm.

Replications are independent, so a KPI's mean gets a t-based CI; two policies run on the same
replications see the same random streams (common random numbers), so their difference is
estimated from the paired differences, whose variance is much smaller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Interval:
    """Mean of a sample with a t-based confidence interval."""

    n: int
    mean: float
    sd: float
    low: float
    high: float
    p_value: float  # two-sided, of "the mean is 0" (a paired-t test for differences)

    @property
    def halfwidth(self) -> float:
        return 0.5 * (self.high - self.low)

    @property
    def covers_zero(self) -> bool:
        return bool(self.low <= 0 <= self.high) if math.isfinite(self.halfwidth) else True


def t_interval(values, level: float = 0.95) -> Interval:
    """Mean with its two-sided ``level`` t CI (NaNs dropped; needs 2 values for a CI)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return Interval(1, mean, math.nan, math.nan, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    if se == 0:
        p = 1.0 if mean == 0 else 0.0
    else:
        p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    return Interval(n, mean, sd, mean - half, mean + half, p)


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float, int]:
    """:func:`t_interval` as a tuple (mean, low, high, n) for tables and figures."""
    i = t_interval(values, level)
    return i.mean, i.low, i.high, i.n


def paired_interval(x, y, level: float = 0.95) -> Interval:
    """CI of mean(x - y) over pairs where both are known (paired t)."""
    d = np.asarray(x, dtype=float) - np.asarray(y, dtype=float)
    return t_interval(d, level)


def lower_bound(values, alpha: float) -> float:
    """One-sided (1 - alpha) lower confidence bound of the mean (t); -inf if n < 2."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return -math.inf
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    return float(x.mean() - stats.t.ppf(1 - alpha, x.size - 1) * se)


def holm(p_values) -> np.ndarray:
    """Holm step-down adjusted p-values (NaNs stay NaN and are not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = idx.size
    if m == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def rel_halfwidth(diff: float, halfwidth: float, baseline_mean: float,
                  covers_zero: bool) -> float:
    """Precision of an estimated difference, as used by adaptive replications.

    - ``halfwidth / |diff|`` when the CI of the difference excludes 0;
    - ``halfwidth / |baseline_mean|`` when it covers 0 (the difference is ~0, so its
      precision is judged against the size of the KPI itself);
    - 0 when the half-width is 0 (identical or deterministic runs); inf when it cannot be
      told (fewer than 2 pairs, or a zero baseline with a difference around 0).
    """
    if not math.isfinite(halfwidth):
        return math.inf
    if halfwidth == 0:
        return 0.0
    denom = abs(baseline_mean) if covers_zero else abs(diff)
    return halfwidth / denom if denom > 0 else math.inf
