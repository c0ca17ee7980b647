"""Small table helpers shared by the figures and the report (pandas in, pandas out)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.kpis import flat_key, long_table, parse_key

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
NO_POLICY = "none"


def policies_of(df: pd.DataFrame, order: Iterable[str] | None = None) -> list[str]:
    """Policies present in ``df`` (column ``policy``), in ``order`` first, then as they come."""
    if "policy" not in df.columns:
        return [NO_POLICY]
    present = list(dict.fromkeys(df["policy"].astype(str).tolist()))
    if order is None:
        return present
    order = [str(p) for p in order]
    return [p for p in order if p in present] + [p for p in present if p not in order]


def with_policy(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a string ``policy`` column (``none`` when it has none)."""
    if "policy" in df.columns:
        if df["policy"].dtype == object or str(df["policy"].dtype).startswith("str"):
            return df
        return df.assign(policy=df["policy"].astype(str))
    return df.assign(policy=NO_POLICY)


def select_policies(df: pd.DataFrame, policies: Iterable[str] | str | None) -> pd.DataFrame:
    df = with_policy(df)
    if policies is None:
        return df
    wanted = [policies] if isinstance(policies, str) else [str(p) for p in policies]
    return df[df["policy"].isin(wanted)]


def time_column(daily: pd.DataFrame) -> tuple[str, bool]:
    """The x column of a daily table: ``date`` (calendar) if present, else ``day``."""
    if "date" in daily.columns:
        return "date", True
    return "day", False


def bands(daily: pd.DataFrame, column: str, by: str = "policy",
          quantiles: Iterable[float] = QUANTILES) -> pd.DataFrame:
    """Quantiles of ``column`` across replications, per ``by`` level and day.

    Returns columns ``by, day, [date], q05, q25, q50, q75, q95, n`` (sorted by day)."""
    daily = with_policy(daily)
    qs = list(quantiles)
    keys = [by, "day"]
    g = daily.groupby(keys, sort=False)[column]
    q = g.quantile(qs).unstack()
    q.columns = [f"q{int(round(x * 100)):02d}" for x in qs]
    q["n"] = g.size()
    q = q.reset_index()
    if "date" in daily.columns:
        dates = daily.drop_duplicates("day").set_index("day")["date"]
        q["date"] = q["day"].map(dates)
    return q.sort_values([by, "day"], kind="stable").reset_index(drop=True)


def prefixed(df: pd.DataFrame, prefix: str) -> list[str]:
    """Column suffixes after ``prefix`` (``site:`` -> site ids), in column order."""
    return [c[len(prefix):] for c in df.columns if c.startswith(prefix)]


def moved_from_kpis(kpis: pd.DataFrame) -> pd.DataFrame:
    """Mean people moved per replication, per policy, origin site and destination.

    From the ``moved`` KPI (by site and destination). Columns: policy, origin, destination,
    people."""
    table = long_table(with_policy(kpis), id_columns=["policy"])
    moved = table[(table["kpi"] == "moved") & np.isfinite(table["value"])]
    rows = []
    for (policy, origin, dest), g in moved.groupby(["policy", "site", "destination"],
                                                   sort=False):
        rows.append({"policy": str(policy), "origin": origin, "destination": dest,
                     "people": float(g["value"].mean())})
    return pd.DataFrame(rows, columns=["policy", "origin", "destination", "people"])


def moved_from_trips(trips: pd.DataFrame, replications: int | Mapping[str, int] | None = None
                     ) -> pd.DataFrame:
    """Mean people moved per replication, per policy, origin, crossing and destination.

    ``crossing`` is None for direct (air) trips. ``replications``: how many replications the
    trips came from (default: the distinct ``replication`` values per policy)."""
    trips = with_policy(trips)
    cols = ["policy", "origin", "destination", "crossing", "people"]
    if trips.empty:
        return pd.DataFrame(columns=cols)
    t = trips.assign(crossing=trips["crossing"].where(trips["crossing"].notna(), None))
    out = []
    for policy, g in t.groupby("policy", sort=False):
        if isinstance(replications, Mapping):
            n = replications.get(str(policy), 1)
        elif replications is not None:
            n = replications
        else:
            n = g["replication"].nunique() if "replication" in g.columns else 1
        s = g.groupby(["origin", "destination", g["crossing"].fillna("")], sort=False)[
            "people"].sum() / max(int(n), 1)
        for (o, d, c), v in s.items():
            out.append({"policy": str(policy), "origin": o, "destination": d,
                        "crossing": c or None, "people": float(v)})
    return pd.DataFrame(out, columns=cols)


def policy_key(scenario, policy: str) -> dict[str, float] | None:
    """The reference key of ``policy`` (payer -> share), or None if it has none.

    The key is the policy's ``reference:`` rule (or its main rule) evaluated on the scenario;
    ``share_deviation`` measures the realised shares against it."""
    if scenario is None or policy not in getattr(scenario, "policies", {}):
        return None
    from sim.policy.compiled import compile_policy

    try:
        cp = compile_policy(scenario, policy)
    except Exception:  # a policy that cannot be compiled has no key to show
        return None
    if cp.reference is None:
        return None
    return {p: float(v) for p, v in zip(cp.payer_ids, cp.reference)}


def policy_keys(scenario, policies: Iterable[str]) -> dict[str, dict[str, float]]:
    out = {}
    for p in policies:
        key = policy_key(scenario, p)
        if key is not None:
            out[p] = key
    return out


def observed_frame(observed: Any, scenario=None) -> pd.DataFrame:
    """Observations as a table: date, day, observed, measure, source.

    Accepts a scenario's ``observed`` list, a DataFrame (``observed`` or ``transferred``
    column) or None."""
    cols = ["date", "day", "observed", "measure", "source"]
    if observed is None:
        return pd.DataFrame(columns=cols)
    if isinstance(observed, pd.DataFrame):
        df = observed.copy()
        if "observed" not in df.columns and "transferred" in df.columns:
            df = df.rename(columns={"transferred": "observed"})
        if "measure" not in df.columns:
            df["measure"] = "departed"
        if "source" not in df.columns:
            df["source"] = ""
        df["date"] = pd.to_datetime(df["date"])
        if "day" not in df.columns:
            df["day"] = np.nan
        if "policy" in df.columns:
            df = df.drop_duplicates("date")
        return df[cols].reset_index(drop=True)
    rows = []
    for o in observed:
        day = scenario.day(o.date) if scenario is not None else np.nan
        rows.append({"date": pd.Timestamp(o.date), "day": day, "observed": o.transferred,
                     "measure": o.measure, "source": o.source})
    return pd.DataFrame(rows, columns=cols)


def kpi_columns(kpis: pd.DataFrame, kpi: str) -> list[str]:
    """Columns of a wide KPI table that hold catalogue KPI ``kpi`` (any dimension values)."""
    out = []
    for c in kpis.columns:
        hit = parse_key(str(c))
        if hit is not None and hit[0].key == kpi:
            out.append(str(c))
    return out


def payer_columns(kpis: pd.DataFrame, kpi: str = "cost_by_payer") -> list[str]:
    """Payers of a by-payer KPI present in a wide KPI table, in column order."""
    out = []
    for c in kpis.columns:
        hit = parse_key(str(c))
        if hit is not None and hit[0].key == kpi:
            out.append(hit[1]["payer"])
    return out


def top_payers(kpis: pd.DataFrame, top: int = 7) -> tuple[list[str], list[str]]:
    """The ``top`` payers by their largest mean cost under any policy, and the rest."""
    kpis = with_policy(kpis)
    payers = payer_columns(kpis)
    if not payers:
        return [], []
    means = kpis.groupby("policy", sort=False)[
        [flat_key("cost_by_payer", payer=p) for p in payers]].mean()
    biggest = means.max(axis=0).fillna(0.0)
    biggest.index = payers
    ranked = [p for p in biggest.sort_values(ascending=False, kind="stable").index
              if biggest[p] > 0]
    if len(ranked) <= top + 1:
        return ranked, []
    return ranked[:top], ranked[top:]
