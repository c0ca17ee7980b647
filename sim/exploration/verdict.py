"""The plain-words verdict of an exploration: which policy holds up, and what decides it.

"hybrid meets all 3 thresholds in 71% of futures; eu_key in 64%; ...". The assumptions that
decide between the two most robust policies are the uncertain inputs most associated, over
the futures, with the difference in the number of thresholds each meets (Spearman rank
correlation of the input with that difference; the sign says which way it pushes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.exploration.analyse import Analysis, ExploreFolder
from sim.exploration.robustness import ranking


def deciding(ef: ExploreFolder, scenario: str, a: str, b: str, top: int = 3
             ) -> list[tuple[str, float]]:
    """(uncertainty, rank correlation) of the inputs that most separate policies ``a`` and
    ``b`` in ``scenario``: positive when more of the input favours ``a``."""
    from scipy.stats import spearmanr

    thresholds = ef.thresholds
    out = ef.outcomes()
    out = out[(out["scenario"] == scenario) & (out["design"] == "futures")]
    if not thresholds or out.empty:
        return []

    def met(pol: str) -> pd.Series:
        part = out[out["policy"] == pol].set_index("row").sort_index()
        return sum(pd.Series(t.holds(part[k].to_numpy(float)), index=part.index).astype(int)
                   for k, t in thresholds.items())

    diff = (met(a) - met(b)).astype(float)
    if diff.nunique() < 2:
        return []
    design = ef.design[(ef.design["scenario"] == scenario) &
                       (ef.design["design"] == "futures")].set_index("row").loc[diff.index]
    names = next(d["names"] for d in ef.meta["designs"]
                 if d["scenario"] == scenario and d["kind"] == "futures")
    found = []
    for n in names:
        u = design[f"u:{n}"].to_numpy(float)
        if np.ptp(u) == 0:
            continue
        rho = spearmanr(u, diff.to_numpy()).statistic
        if np.isfinite(rho):
            found.append((n, float(rho)))
    return sorted(found, key=lambda t: -abs(t[1]))[:top]


def verdict(ef: ExploreFolder, analysis: Analysis, scenario: str) -> str:
    """The verdict for one scenario in plain words."""
    rank = ranking(analysis.robustness, scenario)
    if rank.empty:
        return f"{scenario}: no futures."
    n = int(analysis.robustness["n_futures"].max())
    k = len(ef.thresholds)
    if not k:
        best = rank.iloc[0]
        return (f"{scenario}: with no thresholds set, {best['policy']} has the smallest "
                f"regret across {n} futures (90th-percentile regret {best['rel_regret']:.2f}"
                f" of the KPIs' spread, averaged over KPIs).")
    parts = [f"{rank.iloc[0]['policy']} meets all {k} thresholds in "
             f"{rank.iloc[0]['satisficing']:.0%} of {n} futures"]
    parts += [f"{r['policy']} in {r['satisficing']:.0%}" for _, r in rank.iloc[1:].iterrows()]
    text = f"{scenario}: " + "; ".join(parts) + "."
    if len(rank) > 1:
        a, b = rank.iloc[0]["policy"], rank.iloc[1]["policy"]
        dec = deciding(ef, scenario, a, b)
        if dec:
            words = ", ".join(f"{n} ({'higher' if r > 0 else 'lower'} favours {a}, "
                              f"rank correlation {r:+.2f})" for n, r in dec)
            text += f" Between {a} and {b} the difference is decided most by {words}."
        else:
            text += f" {a} and {b} meet the thresholds in the same futures."
    return text
