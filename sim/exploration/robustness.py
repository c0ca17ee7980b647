"""Robustness across futures: statistics, regret and satisficing of each policy.

A *future* is a point of the futures design (its KPIs averaged over the replications). For
each scenario, policy and KPI over the futures: mean and percentiles; the *regret* in a
future is how much worse the policy is than the best policy in that same future (in the
KPI's direction, from the catalogue), summarised by its mean, 90th percentile and maximum;
the *satisficing share* is the share of futures in which every threshold of the spec holds
together (a missing value, e.g. no completion within the horizon, fails).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.exploration.spec import Threshold

STATS = ["n_futures", "mean", "p10", "p50", "p90", "regret_mean", "regret_p90", "regret_max",
         "regret_p90_rel", "threshold", "threshold_share", "satisficing"]


def regret(values: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Regret of each policy (column) in each future (row) against the best in that row."""
    if direction == "higher":
        return values.rsub(values.max(axis=1), axis=0)
    return values.sub(values.min(axis=1), axis=0)


def satisficing(wide: dict[str, pd.DataFrame], thresholds: dict[str, Threshold]
                ) -> pd.DataFrame:
    """Per future (row) and policy (column): do all thresholds hold together?"""
    ok = None
    for kpi, t in thresholds.items():
        frame = wide[kpi]
        held = pd.DataFrame(t.holds(frame.to_numpy()), index=frame.index,
                            columns=frame.columns)
        ok = held if ok is None else ok & held
    return ok


def robustness(outcomes: pd.DataFrame, kpis: list[str], thresholds: dict[str, Threshold],
               policies: list[str]) -> pd.DataFrame:
    """``robustness.parquet``: one row per scenario, policy and KPI (columns :data:`STATS`).

    ``outcomes``: one row per future and policy (columns scenario, row, policy and KPIs)."""
    from sim.kpis import direction

    rows = []
    for scenario, part in outcomes.groupby("scenario", sort=False):
        pols = [p for p in policies if p in set(part["policy"])]
        wide = {k: part.pivot(index="row", columns="policy", values=k)[pols]
                for k in dict.fromkeys([*kpis, *thresholds]) if k in part}
        sat = satisficing(wide, thresholds) if thresholds else None
        for kpi in kpis:
            if kpi not in wide:
                continue
            values = wide[kpi]
            reg = regret(values, direction(kpi))
            spread = float(np.nanmax(values.to_numpy()) - np.nanmin(values.to_numpy())) \
                if values.notna().any().any() else np.nan
            for pol in pols:
                v, r = values[pol].to_numpy(float), reg[pol].to_numpy(float)
                t = thresholds.get(kpi)
                rows.append({
                    "scenario": scenario, "policy": pol, "kpi": kpi,
                    "direction": direction(kpi), "n_futures": int(len(v)),
                    "mean": _stat(np.nanmean, v), "p10": _pct(v, 10), "p50": _pct(v, 50),
                    "p90": _pct(v, 90), "regret_mean": _stat(np.nanmean, r),
                    "regret_p90": _pct(r, 90), "regret_max": _stat(np.nanmax, r),
                    "regret_p90_rel": _pct(r, 90) / spread if spread else 0.0,
                    "threshold": None if t is None else t.text(kpi),
                    "threshold_share": np.nan if t is None else float(np.mean(t.holds(v))),
                    "satisficing": np.nan if sat is None else float(sat[pol].mean())})
    return pd.DataFrame(rows, columns=["scenario", "policy", "kpi", "direction", *STATS])


def _stat(fn, v: np.ndarray) -> float:
    return float(fn(v)) if np.isfinite(v).any() else np.nan


def _pct(v: np.ndarray, q: float) -> float:
    return float(np.nanpercentile(v, q)) if np.isfinite(v).any() else np.nan


def ranking(rob: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """Policies of one scenario, most robust first: by satisficing share (when the spec has
    thresholds), then by the mean over KPIs of the 90th-percentile regret relative to the
    KPI's spread across futures and policies (0 = always the best)."""
    part = rob if scenario is None else rob[rob["scenario"] == scenario]
    if part.empty:
        return pd.DataFrame(columns=["rank", "policy", "satisficing", "rel_regret"])
    g = part.groupby("policy", sort=False)
    table = pd.DataFrame({"satisficing": g["satisficing"].first(),
                          "rel_regret": g["regret_p90_rel"].mean()})
    for kpi in part.loc[part["threshold"].notna(), "kpi"].unique():
        table[kpi] = part[part["kpi"] == kpi].set_index("policy")["threshold_share"]
    table = table.reset_index().sort_values(
        ["satisficing", "rel_regret"], ascending=[False, True], na_position="last")
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.reset_index(drop=True)


def ranking_lines(rob: pd.DataFrame, scenario: str, width: int = 80) -> list[str]:
    """The ranking as a plain-text table that fits ``width`` columns."""
    table = ranking(rob, scenario)
    kpis = [c for c in table.columns if c not in ("rank", "policy", "satisficing",
                                                  "rel_regret")]
    thr = rob[(rob["scenario"] == scenario) & rob["threshold"].notna()]
    texts = dict(zip(thr["kpi"], thr["threshold"]))
    lines = [f"robustness of the policies in {scenario} "
             f"({int(rob['n_futures'].max())} futures):"]
    for i, k in enumerate(kpis[:3]):
        lines.append(f"  T{i + 1}: {texts[k]}")
    head = f"{'rank':>4}  {'policy':<16}{'all T':>7}" + "".join(
        f"{'T' + str(i + 1):>7}" for i in range(len(kpis[:3]))) + f"{'p90 regret':>12}"
    lines.append(head)
    for _, r in table.iterrows():
        lines.append(f"{int(r['rank']):>4}  {str(r['policy'])[:16]:<16}"
                     f"{_share(r['satisficing']):>7}" +
                     "".join(f"{_share(r[k]):>7}" for k in kpis[:3]) +
                     f"{_num(r['rel_regret']):>12}")
    lines.append("  all T / Tn: share of futures meeting every threshold / that one; "
                 "p90 regret:")
    lines.append("  mean over KPIs of the 90th-percentile regret / the KPI's spread "
                 "(0 = best)")
    return [line[:width] for line in lines]


def _share(x) -> str:
    return "-" if x is None or pd.isna(x) else f"{100 * float(x):.0f}%"


def _num(x) -> str:
    return "-" if x is None or pd.isna(x) else f"{float(x):.3f}"
