"""Adaptive replications: add replications until every compared difference is precise.

``AdaptiveReplications`` is the ``more`` callback of :func:`sim.batch.run_batch`: after each
round it compares the stored runs (paired differences of the watched KPIs, each ``by`` level
against the baseline) and asks for more replications until the 95% CI half-width divided by
|mean difference| is at most the target for every difference (divided by |baseline mean|
when the CI of a difference covers 0; see :func:`sim.analysis.stats.rel_halfwidth`), or the
limit is reached::

    import sim
    from sim.analysis.adaptive import AdaptiveReplications

    rule = AdaptiveReplications(0.05, ["escaped"], baseline="iraq_alone", max_replications=4)
    res = sim.run_batch("scenarios/batches/policies.yaml", out="results/adaptive",
                        replications=2, more=rule, workers=0, progress=False)
    for line in rule.report.lines():
        print(line)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.compare import compare
from sim.errors import OutputError

STAT_COLUMNS = {"kpi", "direction", "n", "mean", "ci_low", "ci_high", "baseline", "n_pairs",
                "diff", "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "rel_halfwidth",
                "verdict", "best", "in_best_subset", "indifference"}
"""Columns of a comparison that are statistics (the others name the group and level)."""


@dataclass
class AdaptiveReport:
    """Where adaptive replications stopped."""

    target: float
    kpis: list[str]
    baseline: str
    reached: bool
    replications: int
    worst: float
    rounds: int
    table: pd.DataFrame  # one row per compared difference: its relative half-width

    def lines(self) -> list[str]:
        state = "reached" if self.reached else "NOT reached"
        out = [f"adaptive: target relative half-width {self.target:g} on "
               f"{', '.join(self.kpis)} vs {self.baseline}: {state} with "
               f"{self.replications:,} replications after {self.rounds} round(s); "
               f"worst {self.worst:.3g}"]
        if not self.table.empty:
            worst = self.table.sort_values("rel_halfwidth", ascending=False).head(5)
            for _, row in worst.iterrows():
                out.append(f"  {row['group']}: {row['kpi']} {row['level']}: "
                           f"{row['rel_halfwidth']:.3g} ({row['rule']})")
        return out


class AdaptiveReplications:
    """How many replications to add after a round (the ``more`` of ``run_batch``).

    ``max_replications`` defaults to 10x the replications of the first round. After the
    batch, ``report`` (an :class:`AdaptiveReport`) says what was reached."""

    def __init__(self, target: float, kpis: Iterable[str], baseline: Any = None,
                 by: str = "policy", max_replications: int | None = None):
        if not target > 0:
            raise OutputError(f"the target relative half-width must be > 0, got {target}")
        self.kpis = list(kpis or [])
        if not self.kpis:
            raise OutputError("adaptive replications need the KPIs to watch (--kpi NAME)")
        self.target = float(target)
        self.baseline = baseline
        self.by = by
        self.max_replications = max_replications
        self.limit: int | None = None
        self.rounds = 1
        self.report: AdaptiveReport | None = None

    def __call__(self, results) -> int:
        summary = getattr(results, "summary", None)
        reps = summary.replications if summary is not None else results.replications
        if self.limit is None:
            self.limit = max(self.max_replications or 10 * reps, reps)
        table, base = adaptive_status(results, kpis=self.kpis, baseline=self.baseline,
                                      by=self.by)
        worst = float(table["rel_halfwidth"].max()) if not table.empty else 0.0
        reached = bool(not table.empty and (table["rel_halfwidth"] <= self.target).all())
        self.report = AdaptiveReport(target=self.target, kpis=self.kpis, baseline=str(base),
                                     reached=reached, replications=reps, worst=worst,
                                     rounds=self.rounds, table=table)
        if reached or reps >= self.limit or table.empty:
            return 0
        ratio = worst / self.target if math.isfinite(worst) else 2.0
        need = math.ceil(reps * ratio * ratio * 1.1)
        step = max(2, math.ceil(0.1 * reps))
        self.rounds += 1
        return min(self.limit, max(reps + step, min(need, 2 * reps))) - reps


def adaptive_status(results, kpis: list[str], baseline: Any = None,
                    by: str = "policy") -> tuple[pd.DataFrame, Any]:
    """Relative half-width of every compared difference (or, with a single level, of every
    mean) of ``kpis``: columns group, kpi, level, rel_halfwidth, rule."""
    table = compare(results, baseline=baseline, kpis=kpis, by=by)
    base = table.attrs.get("baseline")
    by_col = table.attrs.get("by", by)
    group_cols = [c for c in table.columns if c not in STAT_COLUMNS and c != by_col]
    levels = table[by_col].unique() if not table.empty else []
    rows = []
    for _, r in table.iterrows():
        group = ", ".join(f"{r[c]}" for c in group_cols)
        if len(levels) > 1:
            if r[by_col] == base:
                continue
            covers = not (r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0)
            rule = "|baseline mean| (difference CI covers 0)" if covers else "|difference|"
            rel = r["rel_halfwidth"]
            label = f"{r[by_col]} vs {base}"
        else:
            hw = 0.5 * (r["ci_high"] - r["ci_low"])
            rel = (0.0 if hw == 0 else hw / abs(r["mean"]) if r["mean"] else math.inf) \
                if np.isfinite(hw) else math.inf
            rule = "|mean| (nothing to compare with)"
            label = str(r[by_col])
        rows.append({"group": group, "kpi": r["kpi"], "level": label,
                     "rel_halfwidth": float(rel) if rel == rel else math.inf, "rule": rule})
    return pd.DataFrame(rows, columns=["group", "kpi", "level", "rel_halfwidth", "rule"]), base

