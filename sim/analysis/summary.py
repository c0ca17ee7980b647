"""What ``sim run`` prints: KPI means with 95% t-intervals per policy, and the model against
a scenario's observed counts."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.analysis.stats import mean_ci

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario

ID_COLUMNS = ("run_id", "scenario", "policy", "replication", "seed")


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% t-interval of every KPI per policy (long format: policy, kpi, mean,
    ci_low, ci_high, n). ``kpis``: one row per run (e.g. ``Results.kpis``)."""
    import pandas as pd

    skip = {*ID_COLUMNS, *kpis.attrs.get("id_columns", ())}
    rows = []
    for policy, grp in kpis.groupby("policy", sort=False):
        for col in grp.columns:
            if col in skip:
                continue
            mean, low, high, n = mean_ci(grp[col].to_numpy(dtype=float))
            rows.append({"policy": policy, "kpi": col, "mean": mean, "ci_low": low,
                         "ci_high": high, "n": n})
    return pd.DataFrame(rows)


def compare_observed(scenario: Scenario, daily: pd.DataFrame) -> pd.DataFrame:
    """Model (mean over replications) versus observed cumulative transfers, by date.

    ``role``: ``input`` when every replication gives exactly the observed count (the point
    was fixed by the inputs, e.g. a cap set from it), else ``check``; averaged relative
    differences are taken over the checks only (:func:`averaged_relative_difference`)."""
    import pandas as pd

    rows = []
    if not scenario.observed or daily is None or daily.empty:
        return pd.DataFrame(columns=["policy", "date", "day", "measure", "observed",
                                     "model_mean", "model_low", "model_high", "rel_error",
                                     "role", "source"])
    for policy, grp in daily.groupby("policy", sort=False):
        for obs in scenario.observed:
            day = scenario.day(obs.date)
            column = "departed" if obs.measure == "departed" else "transferred"
            at = grp.loc[grp["day"] == min(day, scenario.metadata.horizon_days - 1), column]
            mean, low, high, _ = mean_ci(at.to_numpy(dtype=float))
            rel = (mean - obs.transferred) / obs.transferred if obs.transferred else math.nan
            fixed = len(at) > 0 and at.min() == at.max() == obs.transferred
            rows.append({"policy": policy, "date": obs.date.isoformat(), "day": day,
                         "measure": obs.measure, "observed": obs.transferred,
                         "model_mean": mean, "model_low": low, "model_high": high,
                         "rel_error": rel, "role": "input" if fixed else "check",
                         "source": obs.source})
    return pd.DataFrame(rows)


def averaged_relative_difference(table: pd.DataFrame) -> pd.Series:
    """Mean |relative error| per policy over the points that check the model (a
    :func:`compare_observed` table)."""
    checks = table[table["role"] == "check"]
    return checks.groupby("policy", sort=False)["rel_error"].apply(lambda s: s.abs().mean())


def history_points(scenario: Scenario, daily: pd.DataFrame, policy: str | None = None
                   ) -> pd.DataFrame:
    """One row per observation for one policy (default: the first in ``daily``): date, day,
    measure, observed, model_mean, model_low, model_high (95% t-interval of the mean),
    model_min, model_max (over replications), error (model mean - observed), rel_error,
    inside_range, role (see :func:`compare_observed`), source. ``daily`` must hold every
    day (as ``sim run`` keeps it)."""
    import pandas as pd

    table = compare_observed(scenario, daily)
    if len(table):
        policy = policy if policy is not None else table["policy"].iloc[0]
        table = table[table["policy"] == policy]
        daily = daily[daily["policy"] == policy]
    rows = []
    horizon = scenario.metadata.horizon_days
    for _, r in table.iterrows():
        column = "departed" if r["measure"] == "departed" else "transferred"
        at = daily.loc[daily["day"] == min(int(r["day"]), horizon - 1), column]
        rows.append({
            "date": r["date"], "day": int(r["day"]), "measure": r["measure"],
            "observed": int(r["observed"]), "model_mean": float(r["model_mean"]),
            "model_low": float(r["model_low"]), "model_high": float(r["model_high"]),
            "model_min": float(at.min()), "model_max": float(at.max()),
            "error": float(r["model_mean"] - r["observed"]),
            "rel_error": float(r["rel_error"]),
            "inside_range": bool(at.min() <= r["observed"] <= at.max()),
            "role": r["role"], "source": r["source"],
        })
    return pd.DataFrame(rows, columns=["date", "day", "measure", "observed", "model_mean",
                                       "model_low", "model_high", "model_min", "model_max",
                                       "error", "rel_error", "inside_range", "role", "source"])
