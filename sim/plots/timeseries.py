"""Figures over time: people at each site, cumulative transfers, beds, blocking constraints.

Every function takes a daily table (``RunResult.daily`` with a ``replication`` column, the
``daily.parquet`` of ``sim run``, or ``Results.daily`` of a batch; a ``policy`` column
separates policies) and returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.plots.data import (
    bands,
    observed_frame,
    policies_of,
    prefixed,
    select_policies,
    time_column,
)
from sim.plots.style import (
    BLOCK_COLOURS,
    BLOCK_LABELS,
    GREY,
    OBSERVED,
    colours_for,
    date_axis,
    empty_note,
    fig_legend,
    finish,
    linestyles_for,
    new_figure,
    styled,
    thousands,
)

CAPACITY_LS = (0, (1, 2.2))
BAND_NOTE = "Lines: median across replications; shaded: 50% and 90% of replications."


def _names(scenario, kind: str, width: int = 44) -> dict[str, str]:
    """Display names of sites or destinations, wrapped to fit a panel title."""
    import textwrap

    if scenario is None:
        return {}
    return {k: textwrap.fill(v.name, width) for k, v in getattr(scenario, kind).items()}


def _band_legend(fig: Figure, colours: dict[str, str], extra: list | None = None,
                 ncol: int | None = None) -> None:
    styles = linestyles_for(colours)
    handles = [Line2D([], [], color=c, lw=2, ls=styles[p], label=p)
               for p, c in colours.items()]
    handles += [Patch(facecolor=GREY, alpha=0.45, label="50% of replications"),
                Patch(facecolor=GREY, alpha=0.18, label="90% of replications")]
    handles += extra or []
    fig_legend(fig, handles, ncol=ncol, fontsize=8.5)


def _draw_bands(ax, q: pd.DataFrame, x: str, colour: str, label: str, lw: float = 1.8,
                ls: str = "-", bands_on: bool = True) -> None:
    xs = q[x].to_numpy()
    if bands_on and (q["n"] > 1).any():
        ax.fill_between(xs, q["q05"], q["q95"], color=colour, alpha=0.13, lw=0,
                        gid=f"band90:{label}")
        ax.fill_between(xs, q["q25"], q["q75"], color=colour, alpha=0.28, lw=0,
                        gid=f"band50:{label}")
    ax.plot(xs, q["q50"], color=colour, lw=lw, ls=ls, label=label, gid=f"median:{label}")


@styled
def site_population(daily: pd.DataFrame, *, scenario=None, sites: Iterable[str] | None = None,
                    policies: Iterable[str] | str | None = None, provenance: Any = None,
                    capacity: bool = True) -> Figure:
    """People held at each origin site over time: one panel per site, one colour per policy,
    median line with 50% and 90% bands across replications (and the site's capacity when
    ``scenario`` is given)."""
    df = select_policies(daily, policies)
    sites = list(sites) if sites is not None else prefixed(df, "site:")
    names = _names(scenario, "sites")
    pols = policies_of(df)
    colours = colours_for(pols)
    styles = linestyles_for(pols)
    x, is_date = time_column(df)
    fig, axes = new_figure(len(sites), panel=(4.4, 2.7), sharex=True)
    for ax, sid in zip(axes, sites):
        ax.set_title(names.get(sid, sid), loc="left")
        if df.empty:
            empty_note(ax)
            continue
        q = bands(df, f"site:{sid}")
        for p in pols:
            _draw_bands(ax, q[q["policy"] == p], x, colours[p], p, ls=styles[p])
        top = float(q["q95"].max()) if len(q) else 0.0
        if capacity and scenario is not None and sid in scenario.sites:
            cap = scenario.sites[sid].capacity
            if cap <= 2.5 * max(top, 1.0):
                ax.axhline(cap, color=GREY, lw=0.9, ls=":", gid="capacity")
                ax.annotate(f"capacity {cap:,}", (0.99, cap), xycoords=("axes fraction", "data"),
                            ha="right", va="bottom", fontsize=7.5, color=GREY)
        ax.set_ylim(bottom=0, top=None if top > 0 else 1)
        ax.set_ylabel("people")
        thousands(ax)
        date_axis(ax, is_date)
    extra = []
    if capacity and scenario is not None:
        extra = [Line2D([], [], color=GREY, lw=0.9, ls=":", label="site capacity")]
    _band_legend(fig, colours, extra)
    return finish(fig, "People held at each site in Syria", provenance, BAND_NOTE)


@styled
def cumulative_transfers(daily: pd.DataFrame, *, observed: Any = None, scenario=None,
                         measure: str | None = None,
                         policies: Iterable[str] | str | None = None,
                         error_policy: str | None = None, provenance: Any = None,
                         title: str | None = None) -> Figure:
    """Cumulative transfers to Iraq per policy (median, 50% and 90% bands), with the observed
    counts (black points) and the model's error at each observation.

    ``observed``: a scenario's ``observed`` list or a table with ``date``, ``observed`` (or
    ``transferred``) and ``measure`` (``departed`` / ``arrived``). ``measure``: ``departed``
    (left for Iraq) or ``transferred`` (arrived); default: what the observations count,
    else ``transferred``. The error is shown for ``error_policy`` (default: the first)."""
    df = select_policies(daily, policies)
    obs = observed_frame(observed if observed is not None else
                         (scenario.observed if scenario is not None else None), scenario)
    if measure is None:
        kinds = set(obs["measure"]) if len(obs) else set()
        measure = "departed" if kinds == {"departed"} else "transferred"
    if measure not in df.columns:
        measure = "transferred"
    pols = policies_of(df)
    colours = colours_for(pols)
    styles = linestyles_for(pols)
    x, is_date = time_column(df)
    fig, (ax,) = new_figure(1, width=8.6, height=4.9)
    what = "departed for Iraq" if measure == "departed" else "arrived in Iraq"
    ax.set_ylabel(f"people {what} (cumulative)")
    if df.empty:
        empty_note(ax)
    else:
        q_all = bands(df, measure)
        for p in pols:
            _draw_bands(ax, q_all[q_all["policy"] == p], x, colours[p], p, ls=styles[p])
        ax.set_ylim(bottom=0)
    notes = [BAND_NOTE]
    extra = []
    if len(obs) and not df.empty:
        ep = error_policy if error_policy in pols else pols[0]
        rows = _observation_errors(df[df["policy"] == ep], obs, scenario)
        xo = obs["date"] if is_date else obs["day"]
        ax.scatter(xo, obs["observed"], s=34, color=OBSERVED, zorder=5, marker="o",
                   label="observed", gid="observed")
        for i, (r, xv) in enumerate(zip(rows, xo)):
            if np.isfinite(r["model"]):
                ax.plot([xv, xv], [r["observed"], r["model"]], color=OBSERVED, lw=0.9,
                        ls=(0, (2, 1.5)), zorder=4, gid="error")
                # alternate above / below so that close observations stay readable
                above = i % 2 == 0
                ax.annotate(f"{r['rel_error']:+.0%}",
                            (xv, max(r["observed"], r["model"]) if above else
                             min(r["observed"], r["model"])),
                            xytext=(4, 5 if above else -6), textcoords="offset points",
                            fontsize=7.5, color=OBSERVED, va="bottom" if above else "top")
        mean_abs = np.nanmean([abs(r["rel_error"]) for r in rows]) if rows else np.nan
        lines = ["model vs observed (" + ep + ")"]
        for r in rows:
            lines.append(f"{r['date']:%d %b %Y}: {r['observed']:,.0f} vs "
                         f"{r['model']:,.0f} ({r['rel_error']:+.0%})")
        lines.append(f"mean |relative error| {mean_abs:.0%}")
        ax.text(0.015, 0.97, "\n".join(lines), transform=ax.transAxes, va="top", ha="left",
                fontsize=7.5, family="DejaVu Sans Mono",
                bbox={"facecolor": "white", "edgecolor": "#CCCCCC", "boxstyle": "round",
                      "alpha": 0.9}, gid="error-table")
        extra = [Line2D([], [], color=OBSERVED, marker="o", ls="", label="observed"),
                 Line2D([], [], color=OBSERVED, ls=(0, (2, 1.5)), lw=0.9,
                        label="model error (median)")]
        kinds = sorted(set(obs["measure"]))
        notes.append(f"Observed counts: {', '.join(kinds)}; the model curve shows people "
                     f"{what}. Error = (model median - observed) / observed.")
        if len(obs) and is_date:
            lo = min(obs["date"].min(), pd.Timestamp(df[x].min()))
            ax.set_xlim(left=lo)
    thousands(ax)
    date_axis(ax, is_date)
    _band_legend(fig, colours, extra)
    return finish(fig, title or "Cumulative transfers to Iraq", provenance, " ".join(notes))


def _observation_errors(df: pd.DataFrame, obs: pd.DataFrame, scenario) -> list[dict]:
    """Model median (interpolated between stored days) at each observation."""
    rows = []
    for _, o in obs.iterrows():
        col = "departed" if o["measure"] == "departed" and "departed" in df.columns else \
            "transferred"
        med = df.groupby("day", sort=True)[col].median()
        day = o["day"]
        if not np.isfinite(day):
            if "date" in df.columns:
                start = pd.Timestamp(df["date"].min()) - pd.Timedelta(days=int(df["day"].min()))
                day = (pd.Timestamp(o["date"]) - start).days
            else:
                day = np.nan
        model = float(np.interp(day, med.index.to_numpy(dtype=float), med.to_numpy(dtype=float)))\
            if np.isfinite(day) and len(med) else np.nan
        rel = (model - o["observed"]) / o["observed"] if o["observed"] else np.nan
        rows.append({"date": pd.Timestamp(o["date"]), "observed": float(o["observed"]),
                     "model": model, "rel_error": rel, "measure": o["measure"]})
    return rows


@styled
def bed_occupancy(daily: pd.DataFrame, *, scenario=None,
                  destinations: Iterable[str] | None = None,
                  policies: Iterable[str] | str | None = None,
                  provenance: Any = None) -> Figure:
    """People held at each destination in Iraq against its bed capacity: one panel per
    destination, median and bands per policy; capacity as a dashed step line (per policy
    when a pooled fund adds beds)."""
    df = select_policies(daily, policies)
    dests = list(destinations) if destinations is not None else prefixed(df, "dest:")
    names = _names(scenario, "destinations")
    pols = policies_of(df)
    colours = colours_for(pols)
    styles = linestyles_for(pols)
    x, is_date = time_column(df)
    fig, axes = new_figure(len(dests), ncols=min(len(dests), 2), panel=(6.2, 3.6),
                           sharex=True)
    for ax, did in zip(axes, dests):
        ax.set_title(names.get(did, did), loc="left")
        if df.empty:
            empty_note(ax)
            continue
        q = bands(df, f"dest:{did}")
        for p in pols:
            _draw_bands(ax, q[q["policy"] == p], x, colours[p], p, ls=styles[p])
        if f"beds:{did}" in df.columns:
            _capacity(ax, bands(df, f"beds:{did}", quantiles=(0.5,)), pols, x, colours)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("people")
        thousands(ax)
        date_axis(ax, is_date)
    cap_handle = Line2D([], [], color="#333333", lw=1.3, ls=CAPACITY_LS,
                        label="bed capacity (labelled with its policies)")
    _band_legend(fig, colours, [cap_handle])
    return finish(fig, "Occupancy of reception facilities in Iraq against bed capacity",
                  provenance, BAND_NOTE + " Capacity: median across replications, one dotted "
                  "line per distinct capacity, labelled with the policies it belongs to.")


def _capacity(ax, cap: pd.DataFrame, pols: list[str], x: str, colours: dict) -> None:
    """One step line per distinct capacity series, labelled at its end with the policies
    that share it (a pooled fund that buys beds gives its policies a line of their own)."""
    groups: list[tuple[np.ndarray, list[str]]] = []
    for p in pols:
        v = cap.loc[cap["policy"] == p, "q50"].to_numpy()
        for known, owners in groups:
            if len(known) == len(v) and np.array_equal(known, v):
                owners.append(p)
                break
        else:
            groups.append((v, [p]))
    for i, (v, owners) in enumerate(groups):
        c = cap[cap["policy"] == owners[0]]
        one = len(groups) == 1
        colour = "#333333" if one else colours[owners[0]]
        ax.step(c[x], v, where="post", color=colour, lw=1.3, ls=CAPACITY_LS, alpha=0.95,
                gid=f"capacity:{'+'.join(owners)}")
        text = "beds" if one else "beds: " + ", ".join(owners)
        ax.annotate(text, (c[x].iloc[-1], v[-1]), xytext=(-2, 3 + 10 * i),
                    textcoords="offset points", ha="right", va="bottom", fontsize=7.5,
                    color=colour, gid=f"capacity-label:{'+'.join(owners)}")


@styled
def blocking(daily: pd.DataFrame, *, policies: Iterable[str] | str | None = None,
             reasons: Iterable[str] | None = None, provenance: Any = None) -> Figure:
    """Which constraint held dispatch back each day: people waiting for a transfer, stacked
    by the constraint that stopped their last dispatch attempt (mean across replications),
    one panel per policy."""
    from sim.model.reasons import BLOCK_REASONS

    df = select_policies(daily, policies)
    all_reasons = list(reasons) if reasons is not None else [
        r for r in BLOCK_REASONS if f"blocked:{r}" in df.columns]
    shown = [r for r in all_reasons if f"blocked:{r}" in df.columns
             and float(df[f"blocked:{r}"].abs().sum()) > 0]
    pols = policies_of(df)
    x, is_date = time_column(df)
    fig, axes = new_figure(len(pols), ncols=min(len(pols), 2), panel=(6.2, 2.8),
                           sharex=True, sharey=True)
    for ax, p in zip(axes, pols):
        ax.set_title(p, loc="left")
        g = df[df["policy"] == p]
        if g.empty or not shown:
            empty_note(ax, "nobody held back" if not g.empty else "no data")
            continue
        m = g.groupby("day", sort=True)[[f"blocked:{r}" for r in shown]].mean()
        xs = m.index.to_numpy()
        if is_date:
            xs = g.drop_duplicates("day").set_index("day").loc[m.index, "date"].to_numpy()
        ax.stackplot(xs, *[m[f"blocked:{r}"].to_numpy() for r in shown],
                     colors=[BLOCK_COLOURS.get(r, GREY) for r in shown],
                     labels=[BLOCK_LABELS.get(r, r) for r in shown], alpha=0.9, lw=0)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("people held back")
        thousands(ax)
        date_axis(ax, is_date)
    handles = [Patch(facecolor=BLOCK_COLOURS.get(r, GREY), label=BLOCK_LABELS.get(r, r))
               for r in shown]
    if handles:
        fig_legend(fig, handles, ncol=min(len(handles), 7))
    return finish(fig, "What held transfers back each day", provenance,
                  "People waiting for a transfer at the end of each day, by the constraint "
                  "that stopped the last dispatch attempt of their site-destination pair "
                  "(mean across replications).")
