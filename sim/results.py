"""RunResult: numpy records of one run turned into KPIs and tidy DataFrames.

DataFrames (``daily``, ``trips``, ``ledger``, ``events``) carry ``day`` and calendar ``date``.
pandas is imported lazily so that the model and the CLI's help stay light.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.costs import COST_CATEGORIES, PERSONNEL_KINDS
from sim.kpis import Run, long_table
from sim.kpis import compute as compute_kpis
from sim.model.reasons import BLOCK_REASONS
from sim.model.records import RawRun
from sim.policy.allocation import PayerLedger

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
    payers: PayerLedger | None = None
    """The ledger allocated to payers under the run's policy (arrays); ``ledger_payers`` is
    its table (built on first use)."""

    @property
    def scenario(self):
        return self.raw.plan.scenario

    @property
    def replication(self) -> int:
        return self.raw.replication

    # ------------------------------------------------------------------ KPIs
    @cached_property
    def kpis(self) -> dict[str, float]:
        """Every KPI of the catalogue (:mod:`sim.kpis`) as a flat dict."""
        return compute_kpis(Run(self.raw, self.payers))

    @cached_property
    def kpi_table(self) -> pd.DataFrame:
        """The KPIs as a tidy long table: kpi, one column per dimension, value."""
        return long_table(self.kpis)

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
