"""RunResult: numpy records of one run turned into KPIs and tidy DataFrames.

DataFrames (``daily``, ``daily_long``, ``trips``, ``ledger``, ``events``) carry ``day`` and
calendar ``date``. ``daily`` is wide (one row per day, columns such as ``site:al_hol``) for
convenience; ``daily_long`` is the same numbers tidy (one row per day, quantity and place).
Trips name their route (``al_hol>karkh by road_convoy via rabia``); events have typed columns
instead of ``key=value`` strings. pandas is imported lazily so that the model and the CLI's
help stay light.
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


def day_dates(start: dt.date, days: np.ndarray) -> np.ndarray:
    """Calendar dates of day numbers (day 0 is ``start``) as ``datetime64[us]``."""
    return (np.datetime64(start, "D") + np.asarray(days, dtype=np.int64)).astype(
        "datetime64[us]")


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

        return pd.DataFrame(daily_columns(self.raw))

    @cached_property
    def daily_long(self) -> pd.DataFrame:
        """The daily numbers tidy: day, date, quantity, site, destination, fleet, reason
        (None where they do not apply), value. See :func:`daily_long`."""
        return daily_long(self.raw)

    @cached_property
    def trips(self) -> pd.DataFrame:
        """One row per trip; ``route`` is the route's name (:func:`route_names`)."""
        import pandas as pd

        plan = self.raw.plan
        names = route_names(self.scenario)
        rows = [{
            "trip": t.id, "fleet": plan.fleet_ids[t.fleet], "route": names[t.route],
            "origin": plan.site_ids[t.origin], "destination": plan.dest_ids[t.destination],
            "crossing": plan.crossing_ids[t.crossing] if t.crossing >= 0 else None,
            "depart": t.depart, "arrive": t.arrive, "back": t.back, "people": t.people,
            "incident": t.incident, "cost": t.cost, "escorts": t.escorts,
        } for t in self.raw.trips]
        df = pd.DataFrame(rows, columns=["trip", "fleet", "route", "origin", "destination",
                                         "crossing", "depart", "arrive", "back", "people",
                                         "incident", "cost", "escorts"])
        df["day"] = np.floor(df["depart"].to_numpy(dtype=float)).astype(np.int64)
        df["date"] = day_dates(self.scenario.metadata.start_date, df["day"].to_numpy())
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
        """Dated events: time, kind, target, typed columns (see :func:`events_frame`), day,
        date."""
        return events_frame(self.raw.events, self.raw.plan)


def daily_columns(raw: RawRun, days: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The columns of :attr:`RunResult.daily` as numpy arrays: one value per day, or per
    day of ``days`` (day numbers, in order) only."""
    plan = raw.plan
    if days is None:
        days = np.arange(plan.horizon)

        def on(a: np.ndarray) -> np.ndarray:
            return a
    else:
        days = np.asarray(days, dtype=np.int64)

        def on(a: np.ndarray) -> np.ndarray:
            return a[days]
    site_stock, dest_stock = on(raw.site_stock), on(raw.dest_stock)
    cols: dict[str, Any] = {"day": days,
                            "date": day_dates(plan.scenario.metadata.start_date, days)}
    for s, sid in enumerate(plan.site_ids):
        cols[f"site:{sid}"] = site_stock[:, s, :].sum(axis=1)
    beds = on(raw.beds)
    for d, did in enumerate(plan.dest_ids):
        cols[f"dest:{did}"] = dest_stock[:, d, :].sum(axis=1)
        cols[f"beds:{did}"] = beds[:, d]
    cols["at_sites"] = site_stock.sum(axis=(1, 2))
    cols["in_transit"] = on(raw.in_transit).sum(axis=1)
    cols["in_reception"] = dest_stock.sum(axis=(1, 2))
    for name in ("arrived", "discharged", "released", "repatriated", "escaped", "recaptured"):
        cols[name] = on(getattr(raw, name)).sum(axis=1)
    cols["transferred"] = cols["arrived"]
    cols["departed"] = cols["arrived"] + cols["in_transit"]
    cols["escaped_at_large"] = cols["escaped"] - cols["recaptured"]
    cols["waiting"] = on(raw.waiting)
    blocked, units = on(raw.blocked), on(raw.units)
    for i, reason in enumerate(BLOCK_REASONS):
        cols[f"blocked:{reason}"] = blocked[:, i]
    for f, fid in enumerate(plan.fleet_ids):
        cols[f"units:{fid}"] = units[:, f]
    cols["fighting"] = on(raw.fighting).astype(bool)
    cols["cost"] = on(raw.cost).sum(axis=(1, 2, 3))
    return cols


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
    df["date"] = day_dates(plan.scenario.metadata.start_date, df["day"].to_numpy())
    return df


def route_names(scenario) -> list[str]:
    """A readable, unique name per route of the scenario, in its order:
    ``origin>destination by fleet`` and `` via crossing`` when it crosses a border (``#2``,
    ``#3`` ... for a route that would repeat an earlier name)."""
    names: list[str] = []
    for r in scenario.routes:
        name = f"{r.origin}>{r.destination} by {r.fleet}" + (f" via {r.via}" if r.via else "")
        base, k = name, 1
        while name in names:
            k += 1
            name = f"{base} #{k}"
        names.append(name)
    return names


EVENT_COLUMNS = {"beds": "Int64", "escaped": "Int64", "people": "Int64", "amount": "Int64",
                 "facility": "string", "controller": "string"}
"""Typed columns of the events table: what each kind of event records (missing where it
does not apply): ``capacity_change`` beds; ``breakout`` escaped; ``repatriation`` people;
``capacity_added`` (a pooled fund's order; target ``beds`` or ``units``) facility and amount;
``control_change`` controller. A ``key=value`` the table does not know yet gets a column of
its own (numbers as floats, else text)."""


def events_frame(events, plan) -> pd.DataFrame:
    """The model's ``(time, kind, target, detail)`` records as a table with typed columns
    (:data:`EVENT_COLUMNS`) instead of the ``key=value`` detail strings; a pooled fund's
    order names its facility (destination for beds, fleet for units)."""
    import pandas as pd

    rows = []
    for time, kind, target, detail in events:
        row: dict[str, Any] = {"time": time, "kind": kind, "target": target}
        row.update(_detail(kind, str(detail)))
        if kind == "capacity_added" and "facility" in row:
            ids = plan.dest_ids if target == "beds" else plan.fleet_ids
            row["facility"] = ids[int(row["facility"])]
        rows.append(row)
    df = pd.DataFrame(rows, columns=["time", "kind", "target"])
    if rows:
        df = pd.DataFrame(rows)
    for col, dtype in EVENT_COLUMNS.items():
        df[col] = (df[col] if col in df.columns else pd.Series(pd.NA, index=df.index)
                   ).astype(dtype)
    extra = [c for c in df.columns if c not in ("time", "kind", "target", *EVENT_COLUMNS)]
    df = df[["time", "kind", "target", *EVENT_COLUMNS, *extra]]
    df["time"] = df["time"].astype(float)
    df["day"] = np.floor(df["time"].to_numpy(dtype=float)).astype(np.int64)
    df["date"] = day_dates(plan.scenario.metadata.start_date, df["day"].to_numpy())
    return df


def _detail(kind: str, detail: str) -> dict[str, Any]:
    """``beds=40`` -> {"beds": 40}; ``target=x amount=2`` -> {"facility": "x", "amount": 2};
    a control change's detail is the new controller."""
    if "=" not in detail:
        return {"controller": detail} if kind == "control_change" and detail else (
            {"detail": detail} if detail else {})
    out: dict[str, Any] = {}
    for part in detail.split():
        key, _, value = part.partition("=")
        key = "facility" if key == "target" else key
        try:
            out[key] = int(value) if EVENT_COLUMNS.get(key) == "Int64" else float(value)
        except ValueError:
            out[key] = value
    return out


def daily_long(raw: RawRun) -> pd.DataFrame:
    """Every daily number of a run as one tidy table: day, date, quantity, site,
    destination, fleet, reason, value.

    ============================  ====================================  ==================
    quantity                      what (people unless said)              by
    ============================  ====================================  ==================
    at_site                       held at an origin site (end of day)   site
    in_reception                  held at a facility in Iraq            destination
    beds                          beds of the facility                  destination
    units_free                    units of the fleet free to dispatch   fleet
    held_back                     waiting, held back by this reason     reason
    in_transit, arrived, ...      the totals of the wide table          (none)
    ============================  ====================================  ==================

    The totals are ``in_transit``, ``arrived``, ``departed``, ``discharged``, ``released``,
    ``repatriated``, ``escaped``, ``recaptured``, ``escaped_at_large``, ``waiting``,
    ``fighting`` (1 while fighting) and ``cost`` (USD).
    """
    import pandas as pd

    plan = raw.plan
    T = plan.horizon
    days = np.arange(T)
    parts: list[tuple[str, str | None, list[str], np.ndarray]] = [
        ("at_site", "site", plan.site_ids, raw.site_stock.sum(axis=2)),
        ("in_reception", "destination", plan.dest_ids, raw.dest_stock.sum(axis=2)),
        ("beds", "destination", plan.dest_ids, raw.beds),
        ("units_free", "fleet", plan.fleet_ids, raw.units),
        ("held_back", "reason", list(BLOCK_REASONS), raw.blocked),
    ]
    in_transit = raw.in_transit.sum(axis=1)
    arrived = raw.arrived.sum(axis=1)
    totals = {"in_transit": in_transit, "arrived": arrived, "departed": arrived + in_transit}
    for name in ("discharged", "released", "repatriated", "escaped", "recaptured"):
        totals[name] = getattr(raw, name).sum(axis=1)
    totals["escaped_at_large"] = totals["escaped"] - totals["recaptured"]
    totals["waiting"] = raw.waiting
    totals["fighting"] = raw.fighting.astype(float)
    totals["cost"] = raw.cost.sum(axis=(1, 2, 3))
    frames = []
    for quantity, dim, ids, arr in parts:
        arr = np.asarray(arr, dtype=float)
        k = arr.shape[1]
        frame = {"day": np.repeat(days, k), "quantity": quantity,
                 "value": arr.reshape(T * k)}
        frame[dim] = np.tile(np.asarray(ids, dtype=object), T)
        frames.append(pd.DataFrame(frame))
    for quantity, arr in totals.items():
        frames.append(pd.DataFrame({"day": days, "quantity": quantity,
                                    "value": np.asarray(arr, dtype=float)}))
    df = pd.concat(frames, ignore_index=True)
    for dim in ("site", "destination", "fleet", "reason"):
        col = df[dim] if dim in df.columns else pd.Series(None, index=df.index)
        df[dim] = col.astype(object).where(col.notna(), None)
    df["date"] = day_dates(plan.scenario.metadata.start_date, df["day"].to_numpy())
    df = df.sort_values(["day"], kind="stable").reset_index(drop=True)
    return df[["day", "date", "quantity", "site", "destination", "fleet", "reason", "value"]]
