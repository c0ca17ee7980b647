"""Figures of an exploration under deep uncertainty (tables of :mod:`sim.exploration`).

=========================  ===================================================
function                   shows
=========================  ===================================================
sensitivity_bars           largest sensitivity indices of one KPI, per policy
robustness_chart           satisficing share and relative regret per policy
prim_box                   the PRIM box of a policy: restricted input ranges
=========================  ===================================================
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.labels import kpi_label
from sim.plots.style import (
    Provenance,
    colours_for,
    empty_note,
    fig_legend,
    finish,
    new_figure,
    styled,
)

_INDEX = {"ST": "total-order index ST", "S1": "first-order index S1",
          "mu_star": "Morris mu* (per whole range)"}


@styled
def sensitivity_bars(sens: pd.DataFrame, kpi: str, scenario: str | None = None,
                     top: int = 10, provenance: Provenance | str | dict | None = None
                     ) -> Figure:
    """Tornado of one KPI: the ``top`` inputs by their index (ST, else S1, else mu*),
    one bar per policy, with the confidence intervals as whiskers."""
    part = sens[(sens["kpi"] == kpi) & ((sens["scenario"] == scenario) if scenario else True)]
    col = next((c for c in ("ST", "S1", "mu_star") if c in part and part[c].notna().any()),
               None)
    fig, (ax,) = new_figure(1, panel=(8.5, 4.6))
    name = kpi_label(kpi).name
    title = f"What drives {name[:1].lower() + name[1:]}"
    if col is None:
        empty_note(ax, "no indices (constant output, or a design without indices)")
        return finish(fig, title, provenance)
    order = part.groupby("parameter")[col].mean().sort_values(ascending=False).head(top)
    names = list(order.index)[::-1]
    policies = list(dict.fromkeys(part["policy"]))
    colours = colours_for(policies)
    height = 0.8 / max(len(policies), 1)
    conf = f"{col}_conf"
    for j, pol in enumerate(policies):
        p = part[part["policy"] == pol].set_index("parameter").reindex(names)
        y = np.arange(len(names)) - 0.4 + height * (j + 0.5)
        err = p[conf].to_numpy(float) if conf in p else None
        ax.barh(y, p[col].to_numpy(float), height=height, color=colours[pol], label=pol,
                xerr=err, error_kw={"elinewidth": 0.7, "capsize": 1.5, "alpha": 0.6})
    ax.set_yticks(np.arange(len(names)), names)
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_xlabel(_INDEX[col])
    if col in ("S1", "ST"):  # indices are shares of variance: wider whiskers are cut
        ax.set_xlim(-0.2, 1.2)
    fig_legend(fig, ax.get_legend_handles_labels()[0])
    method = part["method"].iloc[0]
    return finish(fig, f"{title}: the {len(names)} most influential inputs", provenance,
                  note=f"{method}; whiskers: 95% confidence intervals (cut at the axis)")


@styled
def robustness_chart(rob: pd.DataFrame, scenario: str | None = None,
                     provenance: Provenance | str | dict | None = None) -> Figure:
    """Left: share of futures in which each policy meets every threshold (and each one);
    right: 90th-percentile regret of each KPI relative to its spread (0 = always best)."""
    part = rob if scenario is None else rob[rob["scenario"] == scenario]
    fig, (left, right) = new_figure(2, ncols=2, panel=(5.6, 4.0))
    policies = list(dict.fromkeys(part["policy"]))
    colours = colours_for(policies)
    sat = part.groupby("policy", sort=False)["satisficing"].first().reindex(policies)
    if sat.notna().any():
        left.bar(range(len(policies)), 100 * sat.to_numpy(float),
                 color=[colours[p] for p in policies])
        for i, v in enumerate(sat.to_numpy(float)):
            left.annotate(f"{v:.0%}", (i, 100 * v), ha="center", va="bottom", fontsize=8)
        left.set_xticks(range(len(policies)), policies, rotation=20, ha="right")
        left.set_ylim(0, 105)
        left.set_ylabel("futures meeting every threshold (%)")
        thr = part.dropna(subset=["threshold"]).drop_duplicates("kpi")["threshold"]
        left.set_title("; ".join(thr), fontsize=8)
    else:
        empty_note(left, "no thresholds in the spec")
    heat = part.pivot(index="kpi", columns="policy", values="regret_p90_rel")
    heat = heat.reindex(index=list(dict.fromkeys(part["kpi"])), columns=policies)
    im = right.imshow(heat.to_numpy(float), cmap="Reds", vmin=0, vmax=1, aspect="auto")
    right.set_xticks(range(len(policies)), policies, rotation=20, ha="right")
    right.set_yticks(range(len(heat.index)), [kpi_label(k).name for k in heat.index])
    right.grid(False)
    for (i, j), v in np.ndenumerate(heat.to_numpy(float)):
        if np.isfinite(v):
            right.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                       color="white" if v > 0.6 else "black")
    fig.colorbar(im, ax=right, shrink=0.8, label="90th-percentile regret / spread")
    n = int(part["n_futures"].max()) if len(part) else 0
    return finish(fig, f"Which policy holds up across {n} futures", provenance)


@styled
def prim_box(disc: pd.DataFrame, design: pd.DataFrame, scenario: str, policy: str,
             provenance: Provenance | str | dict | None = None) -> Figure:
    """The PRIM box of ``policy``: for each restricted input, its range in the futures
    (grey) and the box (coloured), scaled to the input's range."""
    part = disc[(disc["scenario"] == scenario) & (disc["policy"] == policy)]
    fig, (ax,) = new_figure(1, panel=(8.0, 3.8))
    title = f"Where {policy} fails"
    if part.empty or not part["parameter"].iloc[0]:
        empty_note(ax, part["note"].iloc[0] if len(part) else "no discovery for this policy")
        return finish(fig, title, provenance)
    first = part.iloc[0]
    futures = design[(design["scenario"] == scenario) & (design["design"] == "futures")]
    labels = []
    for i, (_, r) in enumerate(part.iterrows()):
        ax.barh(i, 1.0, color="#dddddd", height=0.6)
        if r["kind"] == "categorical":
            cats = json.loads(r["categories"])
            every = sorted(futures[r["parameter"]].astype(str).unique())
            for c in cats:
                k = every.index(c) if c in every else 0
                ax.barh(i, 1 / len(every), left=k / len(every), color="#D55E00", height=0.6)
            labels.append(f"{r['parameter']} (category)")
            continue
        col = futures[r["parameter"]].astype(float)
        lo, hi = float(col.min()), float(col.max())
        span = hi - lo or 1.0
        ax.barh(i, (r["high"] - r["low"]) / span, left=(r["low"] - lo) / span,
                color="#D55E00", height=0.6)
        labels.append(f"{r['parameter']}: {r['low']:.3g}-{r['high']:.3g}")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlim(0, 1)
    ax.set_xlabel("position within the input's range in the futures")
    return finish(fig, f"{title}: coverage {first['coverage']:.0%}, density "
                       f"{first['density']:.0%}", provenance, note=str(first["rule"]))
