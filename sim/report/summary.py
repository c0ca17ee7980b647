"""The report's summary cards: the best policy for each headline KPI."""

from __future__ import annotations

import numpy as np

from sim.analysis import present
from sim.analysis.compare import group_columns
from sim.analysis.stats import mean_ci
from sim.kpis import headline
from sim.plots.files import Folder
from sim.report.html import esc


def glance_html(folder: Folder) -> str:
    """Cards: the best policy for each headline KPI (from the comparison), else means."""
    table = folder.compare
    view = folder.views[0] if folder.views else None
    if table is not None and len(table):
        cards = _best_cards(table)
    elif view is not None:
        cards = _mean_cards(view)
    else:
        cards = []
    if not cards:
        return ""
    note = ("<p class='meta small'>Best = best mean over replications; for the completion "
            "day, the lowest median with unfinished runs counted as beyond the horizon (then "
            "the largest share finished), never a mean over the finished runs only. The best "
            "subset keeps every policy whose paired difference from the best is not shown "
            "(one-sided 95% bound) to exceed 1% of the best; the comparison table gives the "
            "Holm-adjusted tests.</p>") if table is not None and len(table) else ""
    return "<div class='glance'>" + "".join(
        f"<div class='card'><div class='label'>{esc(a)}</div><div class='value'>{esc(b)}"
        f"</div><div class='sub'>{esc(c)}</div></div>" for a, b, c in cards) + "</div>" + note


def _first_group(table):
    groups = group_columns(table, "policy")
    if not groups:
        return table
    key = table.iloc[0][groups]
    mask = np.ones(len(table), dtype=bool)
    for c in groups:
        mask &= (table[c] == key[c]).to_numpy()
    return table[mask]


def _best_cards(table) -> list[tuple[str, str, str]]:
    first = _first_group(table)
    cards = []
    for k in headline():
        g = first[first["kpi"] == k]
        if g.empty or g["best"].isna().all():
            continue
        best = g["best"].iloc[0]
        row = g[g["policy"] == best].iloc[0]
        tied = [p for p in g.loc[g["in_best_subset"].astype(bool), "policy"] if p != best]
        sub = (f"best subset also holds {', '.join(map(str, tied))}" if tied else
               "best subset: no other policy")
        cards.append((f"{present.unit_of(k)[0]}: best policy", f"{best}",
                      f"{present.estimate(row)} ({present.unit_of(k)[1]}); {sub}"))
    return cards


def _mean_cards(view) -> list[tuple[str, str, str]]:
    cards = []
    for k in headline():
        if k in view.kpis:
            title, unit, _ = present.unit_of(k)
            m, lo, hi, n = mean_ci(view.kpis[k].to_numpy(dtype=float))
            cards.append((title, f"{present.value(m, k)} {unit}",
                          f"95% CI {present.value(lo, k)} to {present.value(hi, k)} "
                          f"({n} runs)"))
    return cards
