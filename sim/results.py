"""RunResult: numpy records of one run turned into KPIs and tidy DataFrames.

DataFrames (``daily``, ``trips``, ``ledger``, ``events``) carry ``day`` and calendar ``date``.
pandas is imported lazily so that the model and the CLI's help stay light.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.costs import COST_CATEGORIES, PERSONNEL_KINDS
from sim.model.reasons import BLOCK_REASONS
from sim.model.records import RawRun

if TYPE_CHECKING:
    import pandas as pd


def _date_index(start: dt.date, days: np.ndarray):
    import pandas as pd

    return pd.to_datetime(start) + pd.to_timedelta(days, unit="D")


@dataclass
class RunResult:
    """One simulated replication of a scenario under a policy."""

    raw: RawRun
    policy: str | None = None
    extra_kpis: dict[str, float] = field(default_factory=dict)
    payers: Any = None
    """Filled by the policy layer (:class:`sim.policy.apply.PayerLedger`): the ledger
    allocated to payers, as arrays; ``ledger_payers`` is its table (built on first use)."""

    @property
    def scenario(self):
        return self.raw.plan.scenario

    @property
    def replication(self) -> int:
        return self.raw.replication

    # ------------------------------------------------------------------ KPIs
    @cached_property
    def kpis(self) -> dict[str, float]:
        k = compute_kpis(self.raw)
        k.update(self.extra_kpis)
        return k

    # ------------------------------------------------------------------ tables
    @cached_property
    def daily(self) -> pd.DataFrame:
        """One row per day: stocks by place and state, blocking reasons, conflict."""
        import pandas as pd

        r, plan = self.raw, self.raw.plan
        T = plan.horizon
        days = np.arange(T)
        cols: dict[str, Any] = {"day": days,
                                "date": _date_index(self.scenario.metadata.start_date, days)}
        for s, sid in enumerate(plan.site_ids):
            cols[f"site:{sid}"] = r.site_stock[:, s, :].sum(axis=1)
        for d, did in enumerate(plan.dest_ids):
            cols[f"dest:{did}"] = r.dest_stock[:, d, :].sum(axis=1)
            cols[f"beds:{did}"] = r.beds[:, d]
        cols["at_sites"] = r.site_stock.sum(axis=(1, 2))
        cols["in_transit"] = r.in_transit.sum(axis=1)
        cols["in_reception"] = r.dest_stock.sum(axis=(1, 2))
        for name in ("arrived", "discharged", "released", "repatriated", "escaped", "recaptured"):
            cols[name] = getattr(r, name).sum(axis=1)
        cols["transferred"] = cols["arrived"]
        cols["departed"] = cols["arrived"] + cols["in_transit"]
        cols["escaped_at_large"] = cols["escaped"] - cols["recaptured"]
        cols["waiting"] = r.waiting
        for i, reason in enumerate(BLOCK_REASONS):
            cols[f"blocked:{reason}"] = r.blocked[:, i]
        for f, fid in enumerate(plan.fleet_ids):
            cols[f"units:{fid}"] = r.units[:, f]
        cols["fighting"] = r.fighting.astype(bool)
        cols["cost"] = r.cost.sum(axis=(1, 2, 3))
        return pd.DataFrame(cols)

    @cached_property
    def trips(self) -> pd.DataFrame:
        """One row per trip."""
        import pandas as pd

        plan = self.raw.plan
        rows = [{
            "trip": t.id, "fleet": plan.fleet_ids[t.fleet], "route": t.route,
            "origin": plan.site_ids[t.origin], "destination": plan.dest_ids[t.destination],
            "crossing": plan.crossing_ids[t.crossing] if t.crossing >= 0 else None,
            "depart": t.depart, "arrive": t.arrive, "back": t.back, "people": t.people,
            "incident": t.incident, "cost": t.cost, "escorts": t.escorts,
        } for t in self.raw.trips]
        df = pd.DataFrame(rows, columns=["trip", "fleet", "route", "origin", "destination",
                                         "crossing", "depart", "arrive", "back", "people",
                                         "incident", "cost", "escorts"])
        df["day"] = np.floor(df["depart"].to_numpy(dtype=float)).astype(np.int64)
        df["date"] = _date_index(self.scenario.metadata.start_date, df["day"].to_numpy())
        return df

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """Costs (USD) and personnel-days by day, category, location and nationality."""
        return ledger_frame(self.raw)

    @cached_property
    def ledger_payers(self) -> pd.DataFrame | None:
        """The ledger with payer and share columns (None when run without a policy)."""
        return None if self.payers is None else self.payers.frame()

    @cached_property
    def events(self) -> pd.DataFrame:
        import pandas as pd

        df = pd.DataFrame(self.raw.events, columns=["time", "kind", "target", "detail"])
        df["day"] = np.floor(df["time"].to_numpy(dtype=float)).astype(np.int64)
        df["date"] = _date_index(self.scenario.metadata.start_date, df["day"].to_numpy())
        return df


def ledger_frame(raw: RawRun) -> pd.DataFrame:
    """Tidy non-zero ledger entries: day, category, location, nationality, cost, personnel."""
    import pandas as pd

    plan = raw.plan
    frames = []
    for kind, arr, names in (("cost", raw.cost, COST_CATEGORIES),
                             ("personnel_days", raw.personnel, PERSONNEL_KINDS)):
        idx = np.nonzero(arr)
        frames.append(pd.DataFrame({
            "day": idx[0].astype(np.int64),
            "category": np.asarray(names, dtype=object)[idx[1]],
            "location": np.asarray(plan.location_ids, dtype=object)[idx[2]],
            "nationality": np.asarray(plan.nat_ids, dtype=object)[idx[3]],
            "measure": kind,
            "amount": arr[idx],
        }))
    df = pd.concat(frames, ignore_index=True)
    df["date"] = _date_index(plan.scenario.metadata.start_date, df["day"].to_numpy())
    return df


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    if weights.sum() == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q * cum[-1])])


def _waits(raw: RawRun) -> tuple[np.ndarray, np.ndarray]:
    """Days each transferred group waited at its origin since its transfer could start
    (the disposition's start), and how many people: one entry per trip and group."""
    if not raw.departures:
        return np.zeros(0), np.zeros(0)
    times = np.array([t for t, _, _ in raw.departures])
    sites = np.array([s for _, s, _ in raw.departures])
    people = np.stack([p for _, _, p in raw.departures]).astype(float)  # [trips, G]
    waits = times[:, None] - raw.plan.start_day[sites]  # [trips, G]
    mask = people > 0
    return waits[mask], people[mask]


def compute_kpis(raw: RawRun) -> dict[str, float]:
    """Key figures of one run (floats; NaN where undefined)."""
    plan = raw.plan
    T = plan.horizon
    k: dict[str, float] = {}
    last = T - 1
    k["transferred"] = float(raw.arrived[last].sum())
    k["released"] = float(raw.released[last].sum())
    k["repatriated"] = float(raw.repatriated[last].sum())
    k["discharged"] = float(raw.discharged[last].sum())
    k["escaped"] = float(raw.escaped[last].sum())
    k["recaptured"] = float(raw.recaptured[last].sum())
    esc = raw.escaped[last]
    for c, cat in enumerate(plan.cat_ids):
        k[f"escaped:{cat}"] = float(esc[plan.group_cat == c].sum())
    k["remaining_at_sites"] = float(raw.site_stock[last].sum())
    # completion: the transfer programme is done once nobody waits for, or is on, a transfer,
    # or once Iraq has received the political total it accepts (acceptance.total)
    pending = raw.waiting + raw.in_transit.sum(axis=1)
    arrived = raw.arrived.sum(axis=1)
    busy = np.flatnonzero(pending > 0)
    candidates = []
    if pending[last] == 0 and arrived[last] > 0:
        candidates.append(float(busy[-1] + 1) if busy.size else 0.0)
    total = plan.scenario.acceptance.total
    if total is not None and total > 0 and arrived[last] >= total:
        candidates.append(float(np.argmax(arrived >= total)))
    k["completion_day"] = min(candidates) if candidates else float("nan")
    k["completed"] = 1.0 if candidates else 0.0  # share of replications that completed
    waits, weights = _waits(raw)
    k["mean_wait_days"] = float(waits @ weights / weights.sum()) if weights.sum() else math.nan
    k["p90_wait_days"] = _weighted_quantile(waits, weights, 0.9)
    changed = raw.controller != raw.controller[0][None, :]
    k["person_days_at_risk"] = float((raw.site_stock.sum(axis=2) * changed).sum())
    for d, did in enumerate(plan.dest_ids):
        k[f"peak_beds:{did}"] = float(raw.dest_stock[:, d, :].sum(axis=1).max())
    for f, fid in enumerate(plan.fleet_ids):
        k[f"trips:{fid}"] = float(sum(1 for t in raw.trips if t.fleet == f))
    k["trips"] = float(len(raw.trips))
    moved: dict[tuple[int, int], int] = {pair: 0 for pair in plan.pairs}
    for t in raw.trips:
        moved[(t.origin, t.destination)] = moved.get((t.origin, t.destination), 0) + t.people
    for (s, d), n in moved.items():  # people sent from each site to each destination
        k[f"moved:{plan.site_ids[s]}>{plan.dest_ids[d]}"] = float(n)
    by_cat = raw.cost.sum(axis=(0, 2, 3))
    for c, name in enumerate(COST_CATEGORIES):
        k[f"cost:{name}"] = float(by_cat[c])
    k["cost_total"] = float(by_cat.sum())
    pers = raw.personnel.sum(axis=(0, 2, 3))
    for i, name in enumerate(PERSONNEL_KINDS):
        k[f"personnel_days:{name}"] = float(pers[i])
    k["personnel_days"] = float(pers.sum())
    k["days_blocked"] = float((raw.blocked.sum(axis=1) > 0).sum())
    for i, reason in enumerate(BLOCK_REASONS):
        k[f"days_blocked:{reason}"] = float((raw.blocked[:, i] > 0).sum())
    return k

