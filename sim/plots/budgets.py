"""Budgets over time: how much of its annual budget each payer with a ceiling has used, and
the people each of them held back for lack of funding.

Below each policy's budget use, the people held back for funding whose transfer each payer
with a ceiling did not approve (``held_for_funding`` of the ``payers`` table, recorded by the
model, :func:`sim.model.boarding.held_by_payer`), with all the people held back for funding
(``blocked:funding`` of the daily table) as a grey line. A person refused by two payers
counts under both, so the payers' lines can add up to more than the grey line; each is at
most the grey line. Results written before the model recorded it have no
``held_for_funding``: their panels show the total only, and the footnote says so.
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

TOTAL_WIDTH = 3.5
"""Width of the grey line of everyone held back for funding (drawn under the payers')."""


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
    it the people held back for lack of funding whose transfer each of them did not approve
    (:func:`held_per_payer`; mean across replications), with everyone held back for funding
    as a grey line (``blocked:funding`` of ``daily``)."""
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
    total_only: list[str] = []  # policies whose payers table has no held_for_funding
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
        held = held_per_payer(payers, p, _budgeted(scenario, p))
        if held is None:
            total_only.append(p)
        _funding(axb, held, daily, p, (x, is_date, dates), colours, styles)
    per_payer = len(total_only) < len(pols)
    handles = [Line2D([], [], color=colours[q], ls=styles[q], lw=1.6, label=q) for q in names]
    handles.append(Line2D([], [], color=GREY, ls=":", lw=0.9, label="budget ceiling (100%)"))
    if per_payer:
        handles.append(Line2D([], [], color=GREY, lw=TOTAL_WIDTH, alpha=0.45,
                              label="everyone held back for funding"))
    if total_only:
        handles.append(Patch(facecolor=BLOCK_COLOURS["funding"],
                             label="people held back for funding"))
    fig_legend(fig, handles)
    return finish(fig, "Budget use and funding blocks per payer", provenance,
                  _note(per_payer, total_only))


def _note(per_payer: bool, total_only: list[str]) -> str:
    """The footnote: what the panels show, and which policies' results lack the per-payer
    record (``total_only``)."""
    note = ("Top: cost allocated to each payer with a budget ceiling since the start of its "
            "fiscal year, as a share of that year's budget (median across replications; "
            "shaded: 5th-95th percentile). Bottom (mean across replications): ")
    if per_payer:
        note += ("people held back for lack of funding whose transfer each payer with a "
                 "ceiling did not approve (wide grey line: everyone held back for funding, "
                 "which a payer's line covers where that payer alone held them back). A "
                 "person refused by two payers counts under both, so the payers' lines can "
                 "add up to more than the grey line.")
    else:
        note += "people held back for lack of funding."
    if total_only:
        note += (f" These results were written before the model recorded which payer held "
                 f"people back: under {', '.join(total_only)} the bottom panel shows everyone "
                 f"held back for funding (filled) and no payer's part.")
    return note


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


def held_per_payer(payers: pd.DataFrame | None, policy: str,
                   names: list[str]) -> pd.DataFrame | None:
    """Mean across replications of the people held back for funding whose transfer each of
    the payers ``names`` did not approve, per day (index day, one column per payer) under
    ``policy``; None when the table has no ``held_for_funding`` for it (older results)."""
    col = "held_for_funding"
    if payers is None or col not in payers.columns:
        return None
    df = select_policies(payers, policy)
    df = df[df["payer"].isin(names)]
    if df.empty or df[col].isna().all():
        return None
    wide = df.pivot_table(index="day", columns="payer", values=col, aggfunc="mean")
    return wide.reindex(columns=[q for q in names if q in wide.columns]).sort_index()


def _funding(ax, held: pd.DataFrame | None, daily: pd.DataFrame | None, policy: str,
             axis: tuple[str, bool, dict], colours: dict, styles: dict) -> None:
    """The bottom panel: people held back for funding per payer (``held``), and everyone
    held back for funding (grey; filled when ``held`` is None)."""
    x, is_date, dates = axis
    col = "blocked:funding"
    total = None
    if daily is not None and col in daily.columns:
        g = select_policies(daily, policy)
        total = g.groupby("day", sort=True)[col].mean()
        xs_total = (g.drop_duplicates("day").set_index("day").loc[total.index, x].to_numpy()
                    if is_date else total.index.to_numpy())
    if held is None and total is None:
        empty_note(ax, "no daily series in these results")
        return
    top = max(float(total.max()) if total is not None and len(total) else 0.0,
              float(held.max().max()) if held is not None and held.size else 0.0)
    if not top > 0:
        ax.text(0.5, 0.5, "nobody held back for funding", ha="center", va="center",
                transform=ax.transAxes, color=GREY, fontsize=9)
        ax.set_yticks([])
        date_axis(ax, is_date)
        return
    if held is None:
        ax.fill_between(xs_total, 0, total.to_numpy(), color=BLOCK_COLOURS["funding"],
                        step="post", lw=0, gid="funding")
    else:
        if total is not None:
            ax.plot(xs_total, total.to_numpy(), color=GREY, lw=TOTAL_WIDTH, alpha=0.45,
                    drawstyle="steps-post", gid="funding-total", zorder=1)
        xs = held.index.map(dates) if is_date else held.index
        for q in held.columns:
            ax.plot(xs, held[q].to_numpy(), color=colours[q], ls=styles[q], lw=1.4,
                    drawstyle="steps-post", gid=f"held:{q}")
    ax.set_ylim(bottom=0, top=max(top * 1.15, 1.0))
    ax.set_ylabel("held back\nfor funding")
    thousands(ax)
    date_axis(ax, is_date)
