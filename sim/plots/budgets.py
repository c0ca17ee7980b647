"""Budgets over time: how much of its annual budget each payer with a ceiling has used, and
the days on which money held transfers back.

The model records the days (and people) held back for lack of funding in total, not per
payer (``blocked:funding`` of the daily table), so the figure shows the people held back
for funding under each policy beneath the payers' budget use, on the same time axis.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots.data import policies_of, select_policies, time_column
from sim.plots.style import (
    BLOCK_COLOURS,
    GREY,
    colours_for,
    date_axis,
    empty_note,
    fig_legend,
    finish,
    linestyles_for,
    styled,
    thousands,
)


def budget_use(payers: pd.DataFrame, scenario, policy: str) -> pd.DataFrame:
    """Share (%) of the fiscal year's budget each budgeted payer has used by each day, per
    replication: columns replication, day, payer, used (%), budget (USD).

    Spending is the cost allocated to the payer (the ``payers`` table), summed from the start
    of the fiscal year; the budget is the policy's ceiling for that fiscal year (the first
    year's as the policy says: ``first_year``, else pro rata)."""
    from sim.policy.compiled import compile_policy

    cols = ["replication", "day", "payer", "used", "budget"]
    cp = compile_policy(scenario, policy)
    budgeted = [int(i) for i in cp.budgeted]
    if not budgeted or payers is None or payers.empty:
        return pd.DataFrame(columns=cols)
    frames = []
    df = payers[payers["policy"].astype(str) == policy] if "policy" in payers else payers
    for p in budgeted:
        pid = cp.payer_ids[p]
        cal = cp.calendars[p]
        g = df[df["payer"] == pid]
        if g.empty:
            continue
        wide = g.pivot_table(index="day", columns="replication", values="cost",
                             aggfunc="sum").sort_index()
        days = wide.index.to_numpy()
        fy = cal.index[np.minimum(days, len(cal.index) - 1)]
        spent = wide.groupby(fy).cumsum()
        ceiling = np.where(fy == 0, cp.budget_first[p], cp.budget[p])
        used = spent.div(np.where(ceiling > 0, ceiling, np.nan), axis=0) * 100
        long = used.reset_index().melt(id_vars="day", var_name="replication", value_name="used")
        long["payer"] = pid
        long["budget"] = np.tile(ceiling, used.shape[1])
        frames.append(long[cols])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


@styled
def budgets(payers: pd.DataFrame | None, daily: pd.DataFrame | None, *, scenario,
            policies: Iterable[str] | str | None = None, provenance: Any = None) -> Figure:
    """One panel per policy: each budgeted payer's use of its fiscal year's budget (median
    across replications, %, with the range between the 5th and 95th percentiles), and below
    it the people held back for lack of funding (mean across replications)."""
    pols = [p for p in policies_of(select_policies(payers, policies))
            if scenario is not None and p in scenario.policies] if payers is not None else []
    fig, top, bottom = _grid(max(len(pols), 1))
    axes = top + bottom
    if not pols:
        for ax in axes:
            empty_note(ax, "no payer table in these results (batch spec: tables: "
                           "{payers: true})")
        return finish(fig, "Budget use and funding blocks per payer", provenance)
    names = sorted({q for p in pols for q in _budgeted(scenario, p)})
    colours = colours_for(names)
    styles = linestyles_for(names)
    x, is_date = time_column(daily if daily is not None else payers)
    dates = _dates(payers)
    for ax, axb, p in zip(top, bottom, pols):
        ax.set_title(p, loc="left")
        use = budget_use(payers, scenario, p)
        if use.empty:
            empty_note(ax, "no payer with a budget ceiling")
        for q, g in use.groupby("payer", sort=False):
            q_ = g.groupby("day")["used"].quantile([0.05, 0.5, 0.95]).unstack()
            xs = q_.index.map(dates) if is_date else q_.index
            ax.fill_between(xs, q_[0.05], q_[0.95], color=colours[q], alpha=0.18, lw=0)
            ax.plot(xs, q_[0.5], color=colours[q], ls=styles[q], lw=1.6, gid=f"use:{q}")
        ax.axhline(100, color=GREY, lw=0.9, ls=":", gid="ceiling")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("% of the year's budget")
        date_axis(ax, is_date)
        _funding(axb, daily, p, x, is_date)
    handles = [Line2D([], [], color=colours[q], ls=styles[q], lw=1.6, label=q) for q in names]
    handles += [Line2D([], [], color=GREY, ls=":", lw=0.9, label="budget ceiling (100%)"),
                Patch(facecolor=BLOCK_COLOURS["funding"], label="people held back for funding")]
    fig_legend(fig, handles)
    return finish(fig, "Budget use and funding blocks per payer", provenance,
                  "Top: cost allocated to each payer with a budget ceiling since the start of "
                  "its fiscal year, as a share of that year's budget (median across "
                  "replications; shaded: 5th-95th percentile). Bottom: people held back for "
                  "lack of funding (mean across replications); the model records funding "
                  "blocks in total, not per payer.")


def _grid(n: int, ncols: int = 3) -> tuple[Figure, list, list]:
    """Panels in pairs: budget use (tall) above funding blocks (short), ``ncols`` pairs a row."""
    import math

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.plots.style import RC

    ncols = min(n, ncols)
    rows = math.ceil(n / ncols)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(4.6 * ncols, 3.6 * rows + 0.9), layout="constrained")
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(2 * rows, ncols, height_ratios=[3, 1] * rows)
        top, bottom = [], []
        for i in range(n):
            r, c = divmod(i, ncols)
            ax = fig.add_subplot(grid[2 * r, c])
            top.append(ax)
            bottom.append(fig.add_subplot(grid[2 * r + 1, c], sharex=ax))
    return fig, top, bottom


def _budgeted(scenario, policy: str) -> list[str]:
    from sim.policy.compiled import compile_policy

    cp = compile_policy(scenario, policy)
    return [cp.payer_ids[int(i)] for i in cp.budgeted]


def _dates(payers: pd.DataFrame) -> dict:
    if "date" not in payers.columns:
        return {}
    return payers.drop_duplicates("day").set_index("day")["date"].to_dict()


def _funding(ax, daily: pd.DataFrame | None, policy: str, x: str, is_date: bool) -> None:
    col = "blocked:funding"
    if daily is None or col not in daily.columns:
        empty_note(ax, "no daily series in these results")
        return
    g = select_policies(daily, policy)
    m = g.groupby("day", sort=True)[col].mean()
    if not float(m.max() if len(m) else 0.0) > 0:
        ax.text(0.5, 0.5, "nobody held back for funding", ha="center", va="center",
                transform=ax.transAxes, color=GREY, fontsize=9)
        ax.set_yticks([])
        date_axis(ax, is_date)
        return
    xs = g.drop_duplicates("day").set_index("day").loc[m.index, x].to_numpy() if is_date \
        else m.index.to_numpy()
    ax.fill_between(xs, 0, m.to_numpy(), color=BLOCK_COLOURS["funding"], step="post", lw=0,
                    gid="funding")
    ax.set_ylim(bottom=0, top=max(float(m.max()) * 1.15, 1.0))
    ax.set_ylabel("held back\nfor funding")
    thousands(ax)
    date_axis(ax, is_date)
