"""Completion of the transfer programme, counting the runs that never finish.

A run's ``completion_day`` is NaN when the programme did not finish within the horizon. Such
a run is *right-censored* at the horizon: all we know is that it finishes later. Averaging
the finished runs only would favour a policy that often fails to finish (its few finished
runs are the fast ones), so every estimate here keeps the unfinished runs, as "later than
the horizon":

- **Share finished by day x**, ``F(x)``: the Kaplan-Meier estimate of the distribution of the
  completion day, computed with :func:`scipy.stats.ecdf` on :class:`scipy.stats.CensoredData`
  (finished runs are observed, unfinished ones censored at the horizon). Every run is
  followed to the same horizon, so the estimate equals the plain share of runs finished by
  day x, and ``F`` stays below 1 after the horizon when some runs never finish.
- **Median completion day**: the first day by which at least half of the runs have
  finished; ``inf`` ("beyond the horizon") when fewer than half finish within it. Its 95%
  interval is where the pointwise 95% band of ``F`` (Greenwood's variance, log-log
  transform) crosses one half (Brookmeyer and Crowley 1982); an end that the band never
  reaches is ``inf``.
- **Ranking** ("best"): the lower median first; policies whose medians tie (for instance
  both beyond the horizon) by the larger share finished within the horizon, then by the
  lower *restricted* mean (unfinished runs counted at the horizon).
- **Paired differences** between policies use the restricted completion day
  ``min(day, horizon)`` (:func:`restricted`): a pair where only one policy finishes counts,
  with the unfinished one at the horizon (a conservative bound on how much later it is).

``COMPLETION`` is the catalogue key these rules apply to.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from sim.kpis import CATALOGUE

COMPLETION = CATALOGUE["completion_day"].pattern
"""The flat key of the completion day (NaN = did not finish within the horizon)."""


@dataclass(frozen=True)
class Completion:
    """Completion of one policy's runs (days from the start; ``inf`` = beyond the horizon)."""

    n: int
    finished: int
    median: float
    median_low: float
    median_high: float
    horizon: float | None = None

    @property
    def share_finished(self) -> float:
        """Share of the runs that finished within the horizon (NaN without runs)."""
        return self.finished / self.n if self.n else math.nan

    def rank_key(self, restricted_mean: float = math.nan) -> tuple[float, float, float]:
        """Sort key, best first: lower median, larger share finished, lower restricted mean."""
        share = self.share_finished if self.n else 0.0
        rmean = restricted_mean if math.isfinite(restricted_mean) else math.inf
        return (self.median, -share, rmean)


def _finite(values) -> tuple[np.ndarray, int]:
    x = np.asarray(values, dtype=float)
    return x[np.isfinite(x)], int(x.size)


def share_finished_by(values, day: float) -> float:
    """Share of the runs that finished by ``day`` (unfinished runs count as not finished)."""
    done, n = _finite(values)
    return float((done <= day).sum() / n) if n else math.nan


def completion(values, horizon: float | None = None, level: float = 0.95) -> Completion:
    """The Kaplan-Meier summary of completion days (NaN = not finished within the horizon)."""
    done, n = _finite(values)
    k = int(done.size)
    if n == 0:
        return Completion(0, 0, math.nan, math.nan, math.nan, horizon)
    if k == 0:
        return Completion(n, 0, math.inf, math.inf, math.inf, horizon)
    from scipy import stats

    end = float(horizon) if horizon is not None else float(done.max())
    data = stats.CensoredData(uncensored=done, right=np.full(n - k, end)) if k < n else \
        stats.CensoredData(uncensored=done)
    cdf = stats.ecdf(data).cdf
    days = np.unique(done)
    share = cdf.evaluate(days)
    median = _first(days, share >= 0.5 - 1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # undefined band where F = 0 or 1
        band = cdf.confidence_interval(level, method="log-log")
        low, high = band.low.evaluate(days), band.high.evaluate(days)
    low = np.where(np.isfinite(low), low, share)
    high = np.where(np.isfinite(high), high, 1.0)
    return Completion(n, k, median, _first(days, high >= 0.5), _first(days, low >= 0.5),
                      horizon)


def _first(days: np.ndarray, mask: np.ndarray) -> float:
    hit = np.flatnonzero(mask)
    return float(days[hit[0]]) if hit.size else math.inf


def restricted(values, horizon: float | None) -> np.ndarray:
    """Completion days with the unfinished runs at the horizon (NaN kept without one)."""
    x = np.asarray(values, dtype=float)
    if horizon is None or not math.isfinite(float(horizon)):
        return x
    return np.where(np.isfinite(x), np.minimum(x, horizon), float(horizon))


def median_text(median: float, low: float, high: float, fmt=None) -> str:
    """``median 160 [150, 175]``; ``beyond the horizon`` for an infinite end."""
    from sim.numbers import fmt_number

    f = fmt or fmt_number

    def day(x: float) -> str:
        return "beyond the horizon" if math.isinf(x) else f(x)

    text = f"median {day(median)}"
    if math.isfinite(median) or math.isfinite(low):
        text += f" [{day(low)}, {day(high)}]"
    return text


def describe(c: Completion, fmt=None) -> str:
    """Plain words: ``median 160 [150, 175]; 61% finished``."""
    from sim.numbers import fmt_percent

    if c.n == 0:
        return "n/a"
    return (f"{median_text(c.median, c.median_low, c.median_high, fmt)}; "
            f"{fmt_percent(c.share_finished)} finished")
