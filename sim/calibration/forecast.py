"""The forecast of a scenario that draws its inputs (``parameters:``), from its runs.

Every run draws its own future (a posterior sample, the other uncertain inputs from their
priors, and the model's own randomness); the forecast summarises the runs:

- ``bands``: per day, the median, 50% and 90% bands of cumulative people moved to Iraq
  (departed), everyone and detainees only (people taken out of prisons);
- ``table``: from the last observation, every week for ``days_after`` days, the same bands;
- ``totals``: people moved by the horizon, the day transfers stop (the last day anyone left;
  a run still moving people in the horizon's last ``quiet_days`` days has not stopped), the
  probability of reaching ``target`` detainees, and the day each site empties (holds no one
  from that day to the horizon), each with its probability within the horizon; their
  quantiles are empirical (no interpolation), so "after the horizon" is a value like any
  other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario

TARGET = 7000
"""CENTCOM's "up to 7,000" detainees (January 2026) [S13]."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class Forecast:
    name: str
    runs: int
    start: dt.date
    horizon: int
    last_observation: dt.date
    target: int
    bands: pd.DataFrame
    table: pd.DataFrame
    totals: pd.DataFrame
    observed: pd.DataFrame

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.horizon - 1)


def _last_observation(scn: Scenario) -> dt.date:
    return max((o.date for o in scn.observed), default=scn.metadata.start_date)


def series_from_results(results: Any, scn: Scenario) -> dict[str, np.ndarray]:
    """Per-run daily counts (runs x days) of a results folder of the scenario ``scn`` under
    one policy: ``departed``, ``detainees_departed`` and ``site:ID``."""
    daily = results.daily.sort_values(["replication", "day"])
    reps = sorted(daily["replication"].unique())
    days = int(daily["day"].max()) + 1
    out = {c: daily[c].to_numpy(dtype=float).reshape(len(reps), days)
           for c in daily.columns if c == "departed" or c.startswith("site:")}
    prisons = {sid for sid, s in scn.sites.items() if s.kind == "prison"}
    counts = np.zeros((len(reps), days))
    trips = results.trips
    if trips is not None and len(trips):
        t = trips.loc[trips["origin"].isin(prisons)]
        row = pd.Index(reps).get_indexer(t["replication"])
        day = np.floor(t["depart"].to_numpy(dtype=float)).astype(int)
        keep = (row >= 0) & (day < days)
        np.add.at(counts, (row[keep], day[keep]), t["people"].to_numpy(dtype=float)[keep])
    out["detainees_departed"] = np.cumsum(counts, axis=1)
    return out


def _q(values: np.ndarray) -> list[float]:
    return [float(v) for v in np.quantile(values, QUANTILES)]


def summarise(scn: Scenario, series: dict[str, np.ndarray], days_after: int = 60,
              target: int = TARGET, quiet_days: int = 7) -> Forecast:
    """The forecast of ``scn`` from per-run daily counts (see :func:`series_from_results`)."""
    everyone, detainees = series["departed"], series["detainees_departed"]
    runs, days = everyone.shape
    start = scn.metadata.start_date
    last = _last_observation(scn)
    last_day = (last - start).days
    shown = min(days, last_day + days_after + 1)
    rows = []
    for d in range(shown):
        row: dict[str, Any] = {"day": d, "date": start + dt.timedelta(days=d)}
        for what, arr in (("everyone", everyone), ("detainees", detainees)):
            for q, v in zip(QUANTILES, _q(arr[:, d])):
                row[f"{what}_q{round(q * 100):02d}"] = v
        rows.append(row)
    bands = pd.DataFrame(rows)
    weekly = [d for d in range(last_day, shown) if (d - last_day) % 7 == 0]
    if shown - 1 not in weekly:
        weekly.append(shown - 1)
    table = bands.loc[bands["day"].isin(weekly)].reset_index(drop=True)
    totals = _totals(scn, series, target, quiet_days, last_day + days_after)
    observed = pd.DataFrame([{"date": o.date, "value": o.transferred, "low": o.bounds[0],
                              "high": o.bounds[1]} for o in scn.observed],
                            columns=["date", "value", "low", "high"])
    return Forecast(scn.metadata.name, runs, start, days, last, target, bands, table, totals,
                    observed)


def _totals(scn: Scenario, series: dict[str, np.ndarray], target: int, quiet_days: int,
            by_day: int) -> pd.DataFrame:
    everyone, detainees = series["departed"], series["detainees_departed"]
    days = everyone.shape[1]
    by_day = min(by_day, days - 1)
    rows = [_row("people moved by the horizon", everyone[:, -1], "people"),
            _row("detainees moved by the horizon", detainees[:, -1], "people")]
    moved = np.diff(everyone, axis=1, prepend=0.0) > 0
    stop = np.array([float(np.flatnonzero(m)[-1]) if m.any() else 0.0 for m in moved])
    stop[stop >= days - quiet_days] = np.inf
    rows.append(_row("transfers stop (last departure)", stop, "day"))
    for label, arr in ((f"P(detainees moved reach {target:,}) by "
                        f"{scn.date_of(by_day):%d %b %Y}", detainees[:, by_day]),
                       (f"P(detainees moved reach {target:,}) by the horizon",
                        detainees[:, -1])):
        rows.append({"what": label, "kind": "probability",
                     "probability": float(np.mean(arr >= target))})
    for col in sorted(c for c in series if c.startswith("site:")):
        held = series[col]
        empty = np.full(held.shape[0], np.inf)
        for i, h in enumerate(held):
            nonzero = np.flatnonzero(h > 0)
            first = 0 if not len(nonzero) else nonzero[-1] + 1
            if first < days:
                empty[i] = float(first)
        rows.append(_row(f"{col[5:]} empties", empty, "day"))
    return pd.DataFrame(rows)


def _row(what: str, values: np.ndarray, kind: str) -> dict[str, Any]:
    row: dict[str, Any] = {"what": what, "kind": kind}
    for q, v in zip(QUANTILES, np.quantile(values, QUANTILES, method="inverted_cdf")):
        row[f"q{round(q * 100):02d}"] = float(v)
    row["probability"] = float(np.mean(np.isfinite(values)))
    row["mean"] = float(np.mean(values)) if np.isfinite(values).all() else float("nan")
    return row


def fmt_totals(fc: Forecast) -> list[dict[str, str]]:
    """Rows for printing: median [50% band] [90% band], and the probability within the
    horizon (days as dates; 'after <end>' beyond the horizon)."""
    def cell(kind: str, v: float) -> str:
        if kind == "day":
            return f"after {fc.end:%d %b}" if not np.isfinite(v) else \
                f"{fc.start + dt.timedelta(days=int(v)):%d %b}"
        return f"{v:,.0f}"

    out = []
    for _, r in fc.totals.iterrows():
        if r["kind"] == "probability":
            out.append({"what": r["what"], "median": f"{r['probability']:.0%}", "50%": "",
                        "90%": "", "within horizon": ""})
            continue
        k = r["kind"]
        out.append({"what": r["what"], "median": cell(k, r["q50"]),
                    "50%": f"{cell(k, r['q25'])} - {cell(k, r['q75'])}",
                    "90%": f"{cell(k, r['q05'])} - {cell(k, r['q95'])}",
                    "within horizon": f"{r['probability']:.0%}" if k == "day" else ""})
    return out
