"""The report's summary cards: the best policy for each headline KPI."""

from __future__ import annotations

import numpy as np

from sim.analysis.stats import mean_ci
from sim.kpis import headline
from sim.plots.files import Folder
from sim.plots.labels import kpi_label
from sim.report.html import esc, fmt
from sim.report.tables import _COMPARE


def glance_html(folder: Folder) -> str:
    """Cards: the best policy for a few headline KPIs (from the comparison), else means."""
    table = folder.compare
    cards = []
    view = folder.views[0] if folder.views else None
    if table is not None and len(table):
        first_group = table
        group_cols = [c for c in table.columns if c not in _COMPARE and c != "policy"]
        if group_cols:
            key = table.iloc[0][group_cols]
            mask = np.ones(len(table), dtype=bool)
            for c in group_cols:
                mask &= (table[c] == key[c]).to_numpy()
            first_group = table[mask]
        for k in headline():
            g = first_group[first_group["kpi"] == k]
            if g.empty or g["best"].isna().all():
                continue
            lab = kpi_label(k)
            best = g["best"].iloc[0]
            row = g[g["policy"] == best].iloc[0]
            tied = [p for p in g.loc[g["in_best_subset"].astype(bool), "policy"] if p != best]
            none = [p for p in g.loc[g["n"] == 0, "policy"]]
            sub = (f"best subset also holds {', '.join(map(str, tied))}" if tied else
                   "best subset: no other policy")
            if none:
                sub += f"; never reached under {', '.join(map(str, none))}"
            cards.append((f"{lab.name}: best policy", f"{best}",
                          f"mean {fmt(row['mean'] * lab.scale)} {lab.unit}; {sub}"))

    elif view is not None:
        for k in headline():
            if k in view.kpis:
                lab = kpi_label(k)
                m, lo, hi, n = mean_ci(view.kpis[k].to_numpy(dtype=float) * lab.scale)
                cards.append((lab.name, f"{fmt(m)} {lab.unit}",
                              f"95% CI {fmt(lo)} to {fmt(hi)} ({n} runs)"))
    if not cards:
        return ""
    note = ("<p class='meta small'>Best = best mean over replications. The best subset keeps "
            "every policy whose paired difference from the best is not shown (one-sided 95% "
            "bound) to exceed 1% of the best mean; the comparison table gives the "
            "Holm-adjusted tests.</p>") if table is not None and len(table) else ""
    return "<div class='glance'>" + "".join(
        f"<div class='card'><div class='label'>{esc(a)}</div><div class='value'>{esc(b)}"
        f"</div><div class='sub'>{esc(c)}</div></div>" for a, b, c in cards) + "</div>" + note

