"""Trade-offs between policies: total cost against escapes and Iraq's share (a Pareto view),
and each payer's share of the cost with its uncertainty."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis.stats import mean_ci
from sim.kpis import CATALOGUE, direction, flat_key
from sim.plots.data import payer_columns, policies_of, select_policies
from sim.plots.labels import axis_label, kpi_label
from sim.plots.style import (
    GREY,
    OBSERVED,
    colours_for,
    empty_note,
    fig_legend,
    finish,
    new_figure,
    styled,
)

TRADEOFF = (CATALOGUE["cost_total"].pattern, CATALOGUE["escaped"].pattern,
            CATALOGUE["share_iraq"].pattern)
"""Default KPIs of the trade-off chart: x, then one panel per other KPI."""


def summarise(kpis: pd.DataFrame, columns: Sequence[str], policies: list[str],
              level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval of each KPI per policy, in display units (columns ``policy``,
    ``<kpi>``, ``<kpi>:low``, ``<kpi>:high``)."""
    rows = []
    for p in policies:
        g = kpis[kpis["policy"] == p]
        row: dict[str, Any] = {"policy": p}
        for k in columns:
            scale = kpi_label(k).scale
            m, lo, hi, _ = mean_ci(g[k].to_numpy(dtype=float) * scale, level) \
                if k in g.columns else (np.nan, np.nan, np.nan, 0)
            row.update({k: m, f"{k}:low": lo, f"{k}:high": hi})
        rows.append(row)
    return pd.DataFrame(rows)


def pareto(means: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[str]]:
    """For each policy, the policies that dominate it on the means of ``columns`` (at least
    as good on every KPI, better on one; directions from the catalogue). An empty list: the
    policy is on the Pareto front."""
    signs = np.array([1.0 if direction(k) == "lower" else -1.0 for k in columns])
    values = means[list(columns)].to_numpy(dtype=float) * signs
    names = means["policy"].tolist()
    out: dict[str, list[str]] = {}
    for i, p in enumerate(names):
        out[p] = [names[j] for j in range(len(names)) if j != i
                  and np.all(np.isfinite(values[[i, j]]))
                  and np.all(values[j] <= values[i]) and np.any(values[j] < values[i])]
    return out


@styled
def tradeoff(kpis: pd.DataFrame, *, columns: Sequence[str] = TRADEOFF,
             policies: Iterable[str] | str | None = None, level: float = 0.95,
             provenance: Any = None) -> Figure:
    """Total cost against escapes and against Iraq's share of the cost, one point per policy
    (mean over replications) with its 95% t-interval on both axes. Filled points are on the
    Pareto front of all the KPIs shown (no other policy is at least as good on every one and
    better on one); open points are dominated, and the note says by which policy."""
    df = select_policies(kpis, policies)
    pols = policies_of(df)
    x, ys = columns[0], list(columns[1:])
    fig, axes = new_figure(len(ys), ncols=len(ys), panel=(5.4, 4.4))
    present = [c for c in columns if c in df.columns and df[c].notna().any()]
    if df.empty or len(present) < 2 or x not in present:
        for ax in axes:
            empty_note(ax, "no policy KPIs in these results")
        return finish(fig, "Trade-offs between policies", provenance)
    means = summarise(df, present, pols, level)
    dominated = pareto(means, present)
    colours = colours_for(pols)
    for ax, y in zip(axes, ys):
        ax.set_title(f"{kpi_label(x).name} against {_lower(kpi_label(y).name)}", loc="left")
        if y not in present:
            empty_note(ax, f"no {_lower(kpi_label(y).name)} in these results")
            continue
        for names, (px, py) in _coincident(means, x, y).items():
            ax.annotate(", ".join(names), (px, py), xytext=(7, 5), textcoords="offset points",
                        fontsize=8, color="#333333", gid=f"label:{'+'.join(names)}")
        for _, r in means.iterrows():
            p = r["policy"]
            front = not dominated[p]
            ax.errorbar(r[x], r[y], xerr=_err(r, x), yerr=_err(r, y), fmt="none",
                        ecolor=colours[p], elinewidth=1.2, capsize=3, zorder=2,
                        gid=f"ci:{p}")
            ax.scatter([r[x]], [r[y]], s=70, zorder=3, color=colours[p] if front else "white",
                       edgecolors=colours[p], linewidths=1.8, gid=f"point:{p}")
        ax.set_xlabel(axis_label(x))
        ax.set_ylabel(axis_label(y))
        ax.margins(0.15)
    handles = [Line2D([], [], marker="o", ls="", markerfacecolor=GREY,
                      markeredgecolor=GREY, label="on the Pareto front"),
               Line2D([], [], marker="o", ls="", markerfacecolor="white",
                      markeredgecolor=GREY, label="dominated by another policy"),
               Line2D([], [], color=OBSERVED, lw=1.2, label=f"{level * 100:g}% CI")]
    fig_legend(fig, handles)
    lines = [f"{p} is dominated by {', '.join(by)}" for p, by in dominated.items() if by]
    names = ", ".join(f"{_lower(kpi_label(c).name)} ({direction(c)} is better)"
                      for c in present)
    note = (f"Points: mean over replications; bars: {level * 100:g}% t-intervals. Pareto front "
            f"over the means of {names}. " +
            ("; ".join(lines) + "." if lines else "No policy is dominated."))
    return finish(fig, "Trade-offs: total cost, escapes and Iraq's share", provenance, note)


def _lower(text: str) -> str:
    """Lower-case the first letter unless the first word is a name (``Iraq's``)."""
    first = text.split(" ", 1)[0]
    return text if first[:1].isupper() and "'" in first else text[:1].lower() + text[1:]


def _coincident(means: pd.DataFrame, x: str, y: str, tol: float = 0.01
                ) -> dict[tuple[str, ...], tuple[float, float]]:
    """Policies whose points coincide (within ``tol`` of each axis' span) share one label."""
    span = {c: float(np.nanmax(means[c]) - np.nanmin(means[c])) or 1.0 for c in (x, y)}
    groups: list[tuple[list[str], tuple[float, float]]] = []
    for _, r in means.iterrows():
        for names, (px, py) in groups:
            if abs(r[x] - px) <= tol * span[x] and abs(r[y] - py) <= tol * span[y]:
                names.append(r["policy"])
                break
        else:
            groups.append(([r["policy"]], (r[x], r[y])))
    return {tuple(n): xy for n, xy in groups}


def _err(row: pd.Series, k: str) -> np.ndarray | None:
    lo, hi = row[f"{k}:low"], row[f"{k}:high"]
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return None
    return np.array([[row[k] - lo], [hi - row[k]]])


def share_intervals(kpis: pd.DataFrame, policies: list[str], payers: list[str],
                    level: float = 0.95) -> pd.DataFrame:
    """Mean share of the total cost (%) per policy and payer with its t-interval."""
    rows = []
    for p in policies:
        g = kpis[kpis["policy"] == p]
        for q in payers:
            col = flat_key("share_by_payer", payer=q)
            v = g[col].to_numpy(dtype=float) * 100 if col in g.columns else np.array([])
            m, lo, hi, n = mean_ci(v, level)
            rows.append({"policy": p, "payer": q, "share": m, "low": lo, "high": hi, "n": n})
    return pd.DataFrame(rows, columns=["policy", "payer", "share", "low", "high", "n"])


@styled
def payer_shares(kpis: pd.DataFrame, *, top: int = 8,
                 policies: Iterable[str] | str | None = None, level: float = 0.95,
                 provenance: Any = None) -> Figure:
    """Each payer's share of the total cost under each policy: mean over replications (dot)
    with its 95% t-interval (bar), the ``top`` payers by their largest share."""
    df = select_policies(kpis, policies)
    pols = policies_of(df)
    payers = payer_columns(df, "share_by_payer")
    fig, (ax,) = new_figure(1, width=9.5, height=max(3.2, 0.5 * min(len(payers), top) + 1.6))
    if df.empty or not payers:
        empty_note(ax, "no payer shares in these results")
        return finish(fig, "Who pays: each payer's share of the cost", provenance)
    table = share_intervals(df, pols, payers, level)
    biggest = table.groupby("payer")["share"].max().sort_values(ascending=False)
    shown = [q for q in biggest.index if biggest[q] > 0][:top]
    colours = colours_for(pols)
    k = len(pols)
    for i, p in enumerate(pols):
        g = table[table["policy"] == p].set_index("payer").reindex(shown)
        ys = np.arange(len(shown))[::-1] + (i - (k - 1) / 2) * 0.8 / max(k, 1)
        ok = np.isfinite(g["low"].to_numpy())
        ax.hlines(ys[ok], g["low"].to_numpy()[ok], g["high"].to_numpy()[ok], color=colours[p],
                  lw=2.2, gid=f"ci:{p}")
        ax.scatter(g["share"], ys, s=22, color=colours[p], zorder=3, label=p,
                   gid=f"share:{p}")
    ax.set_yticks(np.arange(len(shown))[::-1], shown)
    ax.set_xlabel("share of the total cost (%)")
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    fig_legend(fig, [Line2D([], [], marker="o", color=colours[p], lw=2.2, label=p)
                     for p in pols])
    rest = len([q for q in biggest.index if biggest[q] > 0]) - len(shown)
    note = (f"Dots: mean share over replications; bars: {level * 100:g}% t-intervals. Payers: "
            f"ISO 3166 codes, the {len(shown)} with the largest share under any policy")
    note += f" ({rest} smaller ones not shown)." if rest > 0 else "."
    return finish(fig, "Who pays: each payer's share of the cost, with its uncertainty",
                  provenance, note)
