"""Comparing policies: forest plot of paired differences, outcome distributions, sweeps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.analysis.compare import group_columns
from sim.analysis.completion import COMPLETION
from sim.analysis.stats import mean_ci
from sim.kpis import CATALOGUE, headline
from sim.plots.data import policies_of, select_policies
from sim.plots.labels import axis_label, kpi_label
from sim.plots.style import (
    GREY,
    OBSERVED,
    colours_for,
    empty_note,
    fig_legend,
    finish,
    linestyles_for,
    new_figure,
    styled,
)

OUTCOMES = (CATALOGUE["escaped"].pattern, COMPLETION)
"""KPIs whose distributions across replications the outcomes figure shows by default."""


def _group_columns(table: pd.DataFrame, by: str) -> list[str]:
    return group_columns(table, by)


@styled
def forest(table: pd.DataFrame, *, kpis: Iterable[str] | None = None, by: str | None = None,
           level: float | None = None, max_kpis: int = 9, provenance: Any = None) -> Figure:
    """Forest plot of paired differences against the baseline (``sim.compare`` table).

    One panel per KPI; one row per compared level (policy). Thick bar: the paired-t CI of
    the mean difference (per comparison, as in the table); thin whiskers: the
    Bonferroni-widened CI over the KPI's family of comparisons (simultaneous, consistent with
    the Holm-adjusted p-values); filled marker: Holm-adjusted p below 1 - level."""
    by = by or table.attrs.get("by", "policy")
    level = level or table.attrs.get("level", 0.95)
    t = table[table["diff"].notna()] if "diff" in table.columns else table.iloc[0:0]
    if kpis is None:
        present = list(dict.fromkeys(t["kpi"])) if len(t) else []
        chosen = [k for k in headline() if k in present][:max_kpis]
        if not chosen:
            chosen = present[:max_kpis]
    else:
        chosen = list(kpis)
    groups = _group_columns(table, by)
    multi = [c for c in groups if table[c].nunique(dropna=False) > 1]
    baseline = table["baseline"].dropna().iloc[0] if "baseline" in table and len(table) \
        else table.attrs.get("baseline", "baseline")
    fig, axes = new_figure(max(len(chosen), 1), ncols=min(max(len(chosen), 1), 3),
                           panel=(4.3, max(1.9, 0.75 + 0.42 * _rows(t, by, multi))))
    if not chosen:
        empty_note(axes[0], "nothing to compare (one policy, or no paired runs)")
        return finish(fig, "Policy comparison: paired differences", provenance)
    from scipy import stats

    alpha = 1 - level
    for ax, kpi in zip(axes, chosen):
        g = t[t["kpi"] == kpi]
        lab = kpi_label(kpi)
        sense = g["direction"].iloc[0] if "direction" in g and len(g) else "lower"
        ax.set_title(f"{lab.name}\n({sense} is better)", loc="left", fontsize=9.5)
        if g.empty:
            empty_note(ax, "no paired runs")
            continue
        m = len(g)
        labels, ptexts, ys = [], [], np.arange(len(g))[::-1]
        for y, (_, r) in zip(ys, g.iterrows()):
            s = lab.scale
            d, lo, hi = r["diff"] * s, r["diff_ci_low"] * s, r["diff_ci_high"] * s
            n = int(r["n_pairs"])
            # Bonferroni over the m comparisons of this KPI (the Holm family)
            if n >= 2 and np.isfinite(lo):
                tq = stats.t.ppf(1 - alpha / 2, n - 1)
                tb = stats.t.ppf(1 - alpha / (2 * m), n - 1)
                half = (hi - lo) / 2 * (tb / tq)
                ax.plot([d - half, d + half], [y, y], color=GREY, lw=1.0, zorder=2,
                        gid="simultaneous")
            ax.plot([lo, hi], [y, y], color=OBSERVED, lw=2.6, solid_capstyle="butt",
                    zorder=3, gid="ci")
            sig = np.isfinite(r["p_holm"]) and r["p_holm"] < alpha
            better = (d < 0) == (sense == "lower") and d != 0
            colour = "#009E73" if sig and better else "#D55E00" if sig else "white"
            ax.scatter([d], [y], s=40, zorder=4, color=colour, edgecolors=OBSERVED,
                       linewidths=1.1, gid="diff")
            p = r["p_holm"]
            ptexts.append("" if not np.isfinite(p) else ("p<0.001" if p < 0.001 else
                                                         f"p={p:.2g}"))
            name = str(r[by])
            if multi:
                name += " [" + ", ".join(f"{str(c).split('.')[-1]}={r[c]}" for c in multi) + "]"
            labels.append(name)
        ax.axvline(0, color=GREY, lw=0.9, ls="--", zorder=1)
        ax.set_yticks(ys, labels)
        ax.set_ylim(-0.6, len(g) - 0.4)
        # Holm-adjusted p-values as right-hand tick labels (the layout makes room for them)
        right = ax.secondary_yaxis("right")
        right.set_yticks(ys, ptexts)
        right.tick_params(length=0, labelsize=7, labelcolor="#444444")
        right.spines["right"].set_visible(False)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.set_xlabel(f"difference vs {baseline} ({lab.unit})" if lab.unit else
                      f"difference vs {baseline}")
        ax.grid(axis="y", visible=False)
    pct = f"{level * 100:g}%"
    handles = [
        Line2D([], [], color=OBSERVED, lw=2.6, label=f"{pct} CI (per comparison)"),
        Line2D([], [], color=GREY, lw=1.0, label=f"{pct} simultaneous CI (Bonferroni)"),
        Line2D([], [], marker="o", ls="", markerfacecolor="#009E73", markeredgecolor=OBSERVED,
               label="clearly better (Holm p < " + f"{alpha:g})"),
        Line2D([], [], marker="o", ls="", markerfacecolor="#D55E00", markeredgecolor=OBSERVED,
               label="clearly worse"),
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=OBSERVED,
               label="no clear difference"),
    ]
    fig_legend(fig, handles, ncol=5, fontsize=8)
    return finish(fig, f"Policy comparison: paired differences against {baseline}", provenance,
                  "Pairs are replications with the same random numbers (common random "
                  "numbers). p: paired t-test, Holm-adjusted within each KPI.")


def _tick(x: float, _pos=None) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:g}"


def _rows(t: pd.DataFrame, by: str, multi: list[str]) -> int:
    if t.empty:
        return 1
    return int(t.groupby("kpi").size().max())


@styled
def outcome_distributions(kpis: pd.DataFrame, *, columns: Iterable[str] = OUTCOMES,
                          policies: Iterable[str] | str | None = None,
                          horizon: int | None = None, provenance: Any = None) -> Figure:
    """Empirical CDFs of KPIs per policy (default: escapes and completion day).

    A run whose KPI is NaN (``completion_day``: the programme did not finish within the
    horizon) counts as not reached: its ECDF stops below 1, and the legend says how many
    runs finished."""
    df = select_policies(kpis, policies)
    pols = policies_of(df)
    colours = colours_for(pols)
    styles = linestyles_for(pols)
    cols = list(columns)
    fig, axes = new_figure(len(cols), ncols=min(len(cols), 2), panel=(5.6, 3.5))
    notes = []
    for ax, col in zip(axes, cols):
        lab = kpi_label(col)
        ax.set_title(lab.name, loc="left")
        if col not in df.columns or df.empty:
            empty_note(ax, f"no {col} in these results")
            continue
        handles = []
        any_nan = False
        for p in pols:
            v = df.loc[df["policy"] == p, col].to_numpy(dtype=float) * lab.scale
            n = v.size
            ok = np.sort(v[np.isfinite(v)])
            k = ok.size
            any_nan |= k < n
            text = p if k == n else f"{p}: {k}/{n} finished" if col == COMPLETION \
                else f"{p} ({n - k} n/a)"
            if k:
                ys = np.arange(1, k + 1) / n
                xs = np.concatenate([[ok[0]], ok])
                ys = np.concatenate([[0.0], ys])
                ax.step(xs, ys, where="post", color=colours[p], lw=1.8, ls=styles[p],
                        label=text, gid=f"ecdf:{p}")
            if k < n and col == COMPLETION:
                # not finished: the curve stays at k/n up to the horizon (open marker there)
                end = horizon if horizon else (float(np.nanmax(df[col])) if
                                               df[col].notna().any() else 1.0)
                start = ok[-1] if k else (float(np.nanmin(df[col])) if df[col].notna().any()
                                          else 0.0)
                ax.plot([start, end], [k / n, k / n], color=colours[p], lw=1.2, ls=":",
                        gid=f"unfinished:{p}")
                ax.scatter([end], [k / n], s=30, facecolors="white", edgecolors=colours[p],
                           linewidths=1.4, zorder=4)
            handles.append(Line2D([], [], color=colours[p], lw=1.8, ls=styles[p], label=text))
        if col == COMPLETION and not df[col].notna().any():
            ax.text(0.5, 0.5, "no run finished within the horizon", transform=ax.transAxes,
                    ha="center", va="center", color=GREY, fontsize=9)
        ax.set_ylim(-0.02, 1.04)
        ax.set_ylabel("share of replications at or below")
        ax.set_xlabel(f"{lab.unit}" if lab.unit else col)
        if col == COMPLETION and horizon:
            ax.axvline(horizon, color=GREY, ls=":", lw=1)
            ax.annotate("horizon", (horizon, 1.04), xytext=(-3, 0), textcoords="offset points",
                        ha="right", va="top", fontsize=7.5, color=GREY)
        ax.legend(handles=handles, loc="best", fontsize=7.5)
        if col == COMPLETION and any_nan:
            notes.append("Completion day n/a = the programme did not finish within the "
                         "horizon: those runs keep the curve below 1 (dotted to the horizon, "
                         "open circle = share finished).")
    if not notes and COMPLETION in cols:
        notes.append("Every run finished within the horizon.")
    return finish(fig, "Distribution of outcomes across replications", provenance,
                  " ".join(notes) or None)


@styled
def sweep_effect(kpis: pd.DataFrame, param: str, kpi: str, *,
                 policies: Iterable[str] | str | None = None, level: float = 0.95,
                 provenance: Any = None) -> Figure:
    """Mean of ``kpi`` (with its t-interval) against the sweep parameter ``param``, one line
    per policy. The completion day is shown as its median with unfinished runs counted as
    beyond the horizon (and its 95% interval); a median beyond the horizon is an open
    triangle at the top of the panel."""
    df = select_policies(kpis, policies)
    pols = policies_of(df)
    colours = colours_for(pols)
    lab = kpi_label(kpi)
    fig, (ax,) = new_figure(1, width=7.6, height=4.4)
    ax.set_title(f"{lab.name} against {param}", loc="left")
    if param not in df.columns or kpi not in df.columns or df.empty:
        empty_note(ax, "no sweep in these results")
        return finish(fig, f"Sweep: {lab.name}", provenance)
    levels = list(dict.fromkeys(df[param].tolist()))
    numeric = all(isinstance(v, (int, float, np.integer, np.floating)) for v in levels)
    order = sorted(levels) if numeric else levels
    pos = {v: (float(v) if numeric else i) for i, v in enumerate(order)}
    k = len(pols)
    span = (max(pos.values()) - min(pos.values())) if len(pos) > 1 else 1.0
    for i, p in enumerate(pols):
        g = df[df["policy"] == p]
        rows = [(pos[v], *_centre(g.loc[g[param] == v, kpi].to_numpy(dtype=float) *
                                  lab.scale, kpi, level)) for v in order]
        xs = np.array([r[0] for r in rows]) + (i - (k - 1) / 2) * span * 0.012
        m = np.array([r[1] for r in rows])
        lo = np.array([r[2] for r in rows])
        hi = np.array([r[3] for r in rows])
        ax.plot(xs, np.where(np.isfinite(m), m, np.nan), marker="o", color=colours[p], lw=1.6,
                ms=4, label=p, gid=f"sweep:{p}")
        ok = np.isfinite(lo)
        ax.vlines(xs[ok], lo[ok], np.where(np.isfinite(hi[ok]), hi[ok], ax.get_ylim()[1]),
                  color=colours[p], lw=1.2)
        beyond = np.isinf(m)
        if beyond.any():
            ax.scatter(xs[beyond], np.full(beyond.sum(), 1.0), marker="^", s=40,
                       facecolors="white", edgecolors=colours[p], zorder=4,
                       transform=ax.get_xaxis_transform(), gid=f"beyond:{p}")
    if not numeric:
        ax.set_xticks(list(pos.values()), [str(v) for v in order])
    ax.set_xlabel(param)
    ax.set_ylabel(axis_label(kpi))
    ax.legend(fontsize=8, title="policy", title_fontsize=8)
    n = df.groupby(["policy", param]).size()
    reps = int(n.min()) if len(n) else 0
    note = (f"Points: median over {reps}+ replications with the runs that never finish "
            f"counted as beyond the horizon (open triangles: median beyond it); bars: its "
            f"{level * 100:g}% interval." if kpi == COMPLETION else
            f"Points: mean over {reps}+ replications; bars: {level * 100:g}% t-interval.")
    return finish(fig, f"Sweep: {lab.name} by {param}", provenance, note)


def _centre(values: np.ndarray, kpi: str, level: float) -> tuple[float, float, float]:
    """Mean and t-interval; for the completion day its Kaplan-Meier median and interval."""
    if kpi == COMPLETION:
        from sim.analysis.completion import completion

        c = completion(values, level=level)
        return c.median, c.median_low, c.median_high
    m, lo, hi, _ = mean_ci(values, level)
    return m, lo, hi

