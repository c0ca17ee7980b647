"""Who pays: costs by payer per policy, and realised shares against each policy's key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.kpis import flat_key
from sim.plots.data import policies_of, select_policies, top_payers
from sim.plots.style import (
    GREY,
    LIGHT,
    OBSERVED,
    PALETTE,
    empty_note,
    finish,
    millions,
    new_figure,
    styled,
)

OTHERS = "others"


@styled
def payer_costs(kpis: pd.DataFrame, *, keys: Mapping[str, Mapping[str, float]] | None = None,
                top: int = 7, policies: Iterable[str] | str | None = None,
                provenance: Any = None) -> Figure:
    """Costs by payer per policy (stacked bars, mean over replications, USD million) and the
    realised cost shares against each policy's key (``keys``: policy -> payer -> share).

    ``kpis``: one row per run with ``policy`` and the ``cost_by_payer`` KPI's columns (shares
    are computed from them). The ``top`` payers are shown separately, the rest as "others"."""
    df = select_policies(kpis, policies)
    pols = policies_of(df)
    shown, rest = top_payers(df, top)
    payers = shown + ([OTHERS] if rest else [])
    palette = PALETTE + ["#A6761D", "#666666"]
    pcol = {p: palette[i % len(palette)] for i, p in enumerate(shown)}
    pcol[OTHERS] = LIGHT
    fig, (ax, ax2) = new_figure(2, ncols=2, width=12.5, height=4.9)
    fig.get_layout_engine().set(wspace=0.08)

    means = _mean_costs(df, pols, shown, rest)
    ax.set_title("Cost borne by each payer", loc="left")
    if means.empty or not payers:
        empty_note(ax, "no payer costs in these results")
        empty_note(ax2, "no payer costs in these results")
        return finish(fig, "Who pays: costs by payer under each policy", provenance)
    xs = np.arange(len(pols))
    bottom = np.zeros(len(pols))
    for p in payers:
        v = means[p].reindex(pols).fillna(0.0).to_numpy()
        ax.bar(xs, v, bottom=bottom, color=pcol[p], width=0.66, label=p, edgecolor="white",
               lw=0.5, gid=f"bar:{p}")
        bottom += v
    totals = bottom
    for x, t in zip(xs, totals):
        ax.annotate("no cost" if t <= 0 else f"{t / 1e6:,.0f}M" if t >= 1e7 else
                    f"{t / 1e6:,.1f}M", (x, t), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, pols, rotation=20 if len(pols) > 3 else 0, ha="right" if len(pols) > 3
                  else "center")
    ax.set_ylabel("USD million (mean over replications)")
    millions(ax)
    ax.set_ylim(bottom=0, top=max(float(totals.max()) * 1.1, 1.0))
    ax.grid(axis="x", visible=False)

    shares = means[payers].div(means[payers].sum(axis=1).replace(0.0, np.nan), axis=0)
    _share_panel(ax2, shares, pols, payers, keys or {}, rest, pcol)
    handles = [Patch(facecolor=pcol[p], label=p) for p in payers]
    fig.legend(handles=handles, loc="outside right upper", title="payer", fontsize=8)
    note = ("Payers: ISO 3166 codes. Hatched bars: the reference key each policy's realised "
            "shares are compared with (the policy's reference: rule, the basis of "
            "share_deviation), labelled with the policies it belongs to. Numbers: shares "
            "in %.")
    if rest:
        note += f" 'others' = {', '.join(rest)}."
    zero = [p for p, t in zip(pols, totals) if t <= 0]
    if zero:
        note += f" No cost recorded under: {', '.join(zero)} (no shares shown)."
    return finish(fig, "Who pays: costs by payer under each policy", provenance, note)


def _mean_costs(df: pd.DataFrame, pols: list[str], shown: list[str], rest: list[str]
                ) -> pd.DataFrame:
    if not shown and not rest:
        return pd.DataFrame()
    cols = {p: flat_key("cost_by_payer", payer=p) for p in shown + rest}
    m = df.groupby("policy", sort=False)[list(cols.values())].mean().fillna(0.0)
    m.columns = list(cols)
    out = m[shown].copy()
    if rest:
        out[OTHERS] = m[rest].sum(axis=1)
    return out.reindex(pols)


def _share_panel(ax, shares: pd.DataFrame, pols: list[str], payers: list[str],
                 keys: Mapping[str, Mapping[str, float]], rest: list[str],
                 pcol: Mapping[str, str]) -> None:
    """100% stacked bars of the realised shares of each policy, then one bar per distinct
    key (policies often share the same reference key), in the payers' colours."""
    ax.set_title("Realised cost shares against the policy's key", loc="left")
    distinct: list[tuple[tuple, list[str]]] = []
    for p in pols:
        key = keys.get(p)
        if not key:
            continue
        vec = tuple(round(float(sum(key.get(r, 0.0) for r in rest)) if q == OTHERS else
                          float(key.get(q, 0.0)), 6) for q in payers)
        for known, owners in distinct:
            if known == vec:
                owners.append(p)
                break
        else:
            distinct.append((vec, [p]))
    bars: list[tuple[str, np.ndarray, bool]] = []
    for p in pols:
        v = shares.loc[p].reindex(payers).to_numpy(dtype=float) if p in shares.index else \
            np.full(len(payers), np.nan)
        bars.append((p, v, False))
    for vec, owners in distinct:
        whose = "all policies" if len(owners) == len(pols) else ", ".join(owners)
        who = f"reference key of {whose}"
        bars.append((who, np.array(vec, dtype=float), True))
    xs = np.arange(len(bars), dtype=float)
    if distinct:
        xs[len(pols):] += 0.5  # a gap between the policies and the key(s)
    for x, (name, v, is_key) in zip(xs, bars):
        if not np.isfinite(v).any():
            ax.text(x, 50, "no cost", ha="center", va="center", rotation=90, fontsize=8,
                    color=GREY)
            continue
        bottom = 0.0
        for q, share in zip(payers, np.nan_to_num(v) * 100):
            ax.bar(x, share, bottom=bottom, width=0.66, color=pcol[q], edgecolor=OBSERVED
                   if is_key else "white", lw=0.9 if is_key else 0.5,
                   hatch="//" if is_key else None, gid=f"share:{name}:{q}")
            if share >= 6:
                ax.text(x, bottom + share / 2, f"{share:.0f}", ha="center", va="center",
                        fontsize=7, color="white" if q != OTHERS else "#333333")
            bottom += share
    ax.set_xticks(xs, [b[0] for b in bars], rotation=20 if len(bars) > 3 else 0,
                  ha="right" if len(bars) > 3 else "center")
    ax.set_ylim(0, 100)
    ax.set_ylabel("share of the total cost (%)")
    ax.grid(axis="x", visible=False)
    if not distinct:
        ax.text(0.99, 1.01, "no key defined for these policies", transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7.5, color=GREY)
