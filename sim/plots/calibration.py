"""Figures of a calibration and of a forecast.

==================== ===================================================================
posterior_marginals  prior (generation 0) versus posterior (weighted) of each fitted input
posterior_pairs      pairwise scatter of the posterior (point size: weight)
fan_chart            cumulative people moved, median with 50% and 90% bands, observations
==================== ===================================================================

Each takes what :func:`sim.calibration.files.read_calibration` or
:func:`sim.calibration.forecast.forecast` returns and gives a matplotlib Figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

PRIOR, POSTERIOR, BAND = "#999999", "#0072B2", "#56B4E9"


def _names(data: dict[str, Any]) -> list[str]:
    return list(data["meta"]["fitted"])


def posterior_marginals(data: dict[str, Any]) -> Figure:
    """One panel per fitted input: the prior (generation 0, all kept) and the weighted
    posterior as histograms on the same bins, with the posterior's 90% interval."""
    names = _names(data)
    parts, post = data["particles"], data["posterior"]
    prior = parts.loc[parts["generation"] == 0]
    cols = min(len(names), 3)
    rows = int(np.ceil(len(names) / cols))
    fig = Figure(figsize=(3.6 * cols, 2.8 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    intervals = data["intervals"].set_index("parameter")
    for ax, name in zip(axes, names):
        x0 = prior[name].to_numpy(dtype=float)
        x1, w1 = post[name].to_numpy(dtype=float), post["weight"].to_numpy()
        lo, hi = np.nanmin(x0), np.nanmax(x0)
        distinct = np.unique(np.concatenate([x0, x1]))
        if len(distinct) <= 12:  # an integer or categorical input: one bar per value
            bins = np.concatenate([distinct - 0.5, [distinct[-1] + 0.5]])
        else:
            bins = np.linspace(lo, hi, 21)
        ax.hist(x0, bins=bins, density=True, color=PRIOR, alpha=0.45, label="prior")
        ax.hist(x1, bins=bins, weights=w1, density=True, color=POSTERIOR, alpha=0.6,
                label="posterior")
        if name in intervals.index:
            r = intervals.loc[name]
            ax.axvspan(r["low"], r["high"], color=POSTERIOR, alpha=0.08, lw=0)
            ax.set_title(f"{name}\n90%: {r['low']:.4g}-{r['high']:.4g}", fontsize=9)
        ax.set_yticks([])
        ax.grid(alpha=0.3)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    meta = data["meta"]
    fig.suptitle(f"{meta['name']}: prior versus posterior of the fitted inputs "
                 f"(ABC-SMC, {meta['generations']} generations, seed {meta['seed']})",
                 fontsize=10)
    return fig


def posterior_pairs(data: dict[str, Any]) -> Figure:
    """Pairwise scatter of the posterior particles (size: weight; small jitter on integer
    inputs so that particles on the same value can be seen)."""
    names = _names(data)
    post = data["posterior"]
    k = len(names)
    fig = Figure(figsize=(2.4 * k, 2.4 * k), layout="constrained")
    axes = np.array(fig.subplots(k, k, squeeze=False))
    rng = np.random.default_rng(0)  # jitter for display only, not part of any result
    w = post["weight"].to_numpy()
    size = 4 + 60 * w / w.max()
    vals = {}
    for n in names:
        x = post[n].to_numpy(dtype=float)
        if len(np.unique(x)) <= 12:
            x = x + rng.uniform(-0.2, 0.2, len(x))
        vals[n] = x
    for i, ni in enumerate(names):
        for j, nj in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(post[ni].to_numpy(dtype=float), bins=15, weights=w, color=POSTERIOR,
                        alpha=0.7)
                ax.set_yticks([])
            else:
                ax.scatter(vals[nj], vals[ni], s=size, color=POSTERIOR, alpha=0.35, lw=0)
            if i == k - 1:
                ax.set_xlabel(nj, fontsize=8)
            if j == 0 and i != j:
                ax.set_ylabel(ni, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(f"{data['meta']['name']}: posterior, pairwise (point size: weight)",
                 fontsize=10)
    return fig


def fan_chart(fc: Any) -> Figure:
    """Cumulative people moved to Iraq (detainees, and everyone): median, 50% and 90%
    bands over the forecast's runs, the observations and the last observation's date."""
    bands: pd.DataFrame = fc.bands
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    ax = fig.subplots()
    x = pd.to_datetime(bands["date"])
    for what, color, label in (("detainees", POSTERIOR, "detainees moved"),
                               ("everyone", "#D55E00", "everyone moved")):
        ax.fill_between(x, bands[f"{what}_q05"], bands[f"{what}_q95"], color=color,
                        alpha=0.15, lw=0, label=f"{label}: 90% band")
        ax.fill_between(x, bands[f"{what}_q25"], bands[f"{what}_q75"], color=color,
                        alpha=0.3, lw=0, label=f"{label}: 50% band")
        ax.plot(x, bands[f"{what}_q50"], color=color, lw=1.8, label=f"{label}: median")
    obs = fc.observed
    if len(obs):
        ax.errorbar(pd.to_datetime(obs["date"]), obs["value"],
                    yerr=[obs["value"] - obs["low"], obs["high"] - obs["value"]],
                    fmt="o", color="black", ms=4, capsize=2, label="observed (detainees)")
    ax.axvline(pd.Timestamp(fc.last_observation), color="#555555", ls="--", lw=1)
    ax.axhline(fc.target, color="#555555", ls=":", lw=1)
    ax.annotate(f"{fc.target:,} (CENTCOM's 'up to')", (x.iloc[0], fc.target),
                xytext=(2, 3), textcoords="offset points", fontsize=8, color="#555555")
    ax.set_ylabel("people moved to Iraq (cumulative)")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper left", ncol=2)
    ax.set_title(f"{fc.name}: forecast from the posterior ({fc.runs} runs); dashed line: "
                 f"last observation", fontsize=10)
    return fig
