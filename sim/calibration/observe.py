"""What a run says about each observation, and how far that is from what was reported.

An observation (``observed:`` entry) counts people who had departed for Iraq, arrived there,
or were held at a site, by the end of each day of its reported window, either everyone or
detainees only (people taken out of prisons). :func:`series` gives a run's daily counts for
every kind of observation, :func:`window_values` the run's lowest and highest value over each
observation's window (for a cumulative count: its values on the first and last day), and:

- a run **matches** an observation when the interval of its window values meets the reported
  range (``low``-``high``, or the count +- its stated uncertainty, or the count itself);
- its **gap** is how far the two intervals are apart (0 when they meet), in people;
- the **distance** of a run from the observations is the root mean square of the gaps, each
  divided by its reported count (scale-aware: 100 people off a count of 150 weigh as much as
  1,500 off 2,250); 0 when every observation matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.scenario.schema import Observation, Scenario


def column(obs: Observation) -> str:
    """The name of the daily count an observation is compared with."""
    if obs.measure == "at_site":
        return f"site:{obs.site}"
    base = "departed" if obs.measure == "departed" else "arrived"
    return base if obs.who == "all" else f"detainees_{base}"


def series(res: Any) -> dict[str, np.ndarray]:
    """Daily counts of one run (index: day): ``departed``, ``arrived`` (cumulative, everyone),
    ``detainees_departed``, ``detainees_arrived`` (cumulative, from prisons) and
    ``site:ID`` (people held at each site)."""
    daily = res.daily
    scn: Scenario = res.scenario
    n = len(daily)
    out = {"departed": daily["departed"].to_numpy(dtype=float),
           "arrived": daily["transferred"].to_numpy(dtype=float)}
    for c in daily.columns:
        if c.startswith("site:"):
            out[c] = daily[c].to_numpy(dtype=float)
    prisons = {sid for sid, s in scn.sites.items() if s.kind == "prison"}
    trips = res.trips
    for name, when in (("detainees_departed", "depart"), ("detainees_arrived", "arrive")):
        counts = np.zeros(n)
        if trips is not None and len(trips):
            t = trips.loc[trips["origin"].isin(prisons)]
            days = np.floor(t[when].to_numpy(dtype=float)).astype(int)
            keep = days < n
            np.add.at(counts, days[keep], t["people"].to_numpy(dtype=float)[keep])
        out[name] = np.cumsum(counts)
    return out


def days_of(scn: Scenario, obs: Observation) -> tuple[int, int]:
    """First and last day number of an observation's window, within the horizon."""
    last = scn.metadata.horizon_days - 1
    first, end = (min(max(int(scn.day(d)), 0), last) for d in obs.window)
    return first, end


def window_values(scn: Scenario, counts: dict[str, np.ndarray],
                  observed: Sequence[Observation]) -> np.ndarray:
    """(len(observed), 2): a run's lowest and highest value over each observation's window."""
    out = np.empty((len(observed), 2))
    for i, obs in enumerate(observed):
        first, end = days_of(scn, obs)
        values = counts[column(obs)][first:end + 1]
        out[i] = values.min(), values.max()
    return out


def bounds(observed: Sequence[Observation]) -> np.ndarray:
    """(len(observed), 2): the reported range of each observation."""
    return np.array([obs.bounds for obs in observed], dtype=float).reshape(-1, 2)


def scales(observed: Sequence[Observation]) -> np.ndarray:
    """The scale of each observation's gap: its reported count (at least 1 person)."""
    return np.array([max(float(obs.transferred), 1.0) for obs in observed])


def gaps(windows: np.ndarray, reported: np.ndarray) -> np.ndarray:
    """People between each modelled window interval and the reported range (0 when they
    meet); the last axis of both holds (low, high)."""
    return np.maximum(0.0, np.maximum(reported[..., 0] - windows[..., 1],
                                      windows[..., 0] - reported[..., 1]))


def distance(windows: np.ndarray, reported: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Root mean square of the scaled gaps (over the last observation axis)."""
    return np.sqrt(np.mean((gaps(windows, reported) / scale) ** 2, axis=-1))


def point_values(windows: np.ndarray, observed: Sequence[Observation]) -> np.ndarray:
    """The modelled value of each observation used for scores: the value within the run's
    window interval closest to the reported count."""
    counts = np.array([float(o.transferred) for o in observed])
    return np.clip(counts, windows[..., 0], windows[..., 1])
