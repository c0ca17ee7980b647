"""A replay against the counts observed at the time: the model's cumulative transfers (mean,
95% CI of the mean, range over replications) with the observations, checks and inputs told
apart (see :func:`sim.analysis.summary.compare_observed`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.stats import mean_ci
from sim.plots import style
from sim.plots.style import styled


@styled
def observed_history(daily: pd.DataFrame, points: pd.DataFrame, *,
                     provenance: Any = None) -> Figure:
    """Model (mean, 95% CI of the mean, range over replications) against the observed counts:
    the observation window (left) and the whole horizon (right); points fixed by the inputs
    are drawn as open diamonds, the checks as filled circles with their relative error."""
    pts = points
    column = "departed" if sorted(set(pts["measure"])) == ["departed"] else "transferred"
    what = "departed for Iraq" if column == "departed" else "arrived in Iraq"
    g = daily.groupby("day")[column]
    days = np.array(sorted(daily["day"].unique()))
    dates = pd.to_datetime(daily.groupby("day")["date"].first().loc[days].to_numpy())
    stats = np.array([mean_ci(g.get_group(d).to_numpy(dtype=float)) for d in days])
    mean, low, high = stats[:, 0], stats[:, 1], stats[:, 2]
    lo, hi = g.min().loc[days].to_numpy(), g.max().loc[days].to_numpy()
    blue, sky = style.OKABE_ITO["blue"], style.OKABE_ITO["sky"]
    with style.matplotlib.rc_context(style.RC):
        fig, axes = style.new_figure(2, ncols=2, width=11.5, height=4.9)
        last = int(pts["day"].max())
        window = min(len(days), last + max(7, last // 3))
        obs = pts.assign(date=pd.to_datetime(pts["date"]))
        for ax, n, title in ((axes[0], window, "Observation window"),
                             (axes[1], len(days), "Whole horizon")):
            sl = slice(0, n)
            ax.fill_between(dates[sl], lo[sl], hi[sl], color=sky, alpha=0.25, lw=0,
                            gid="range")
            if np.isfinite(low).any():
                ax.fill_between(dates[sl], low[sl], high[sl], color=blue, alpha=0.35, lw=0,
                                gid="ci")
            ax.plot(dates[sl], mean[sl], color=blue, lw=1.8, gid="model-mean")
            for role, marker, face in (("check", "o", style.OBSERVED),
                                       ("input", "D", "white")):
                o = obs[obs["role"] == role]
                ax.scatter(o["date"], o["observed"], marker=marker, s=32, zorder=5,
                           facecolors=face, edgecolors=style.OBSERVED, linewidths=1.2,
                           gid=f"observed:{role}")
            ax.set_title(title, loc="left")
            ax.set_ylabel(f"people {what} (cumulative)")
            ax.set_ylim(bottom=0)
            style.thousands(ax)
            style.date_axis(ax)
        for i, (_, r) in enumerate(obs[obs["role"] == "check"].iterrows()):
            axes[0].plot([r["date"], r["date"]], [r["observed"], r["model_mean"]],
                         color=style.OBSERVED, lw=0.8, ls=":", gid="error")
            axes[0].annotate(f"{r['rel_error']:+.0%}", (r["date"], max(r["observed"],
                                                                      r["model_mean"])),
                             xytext=(3, 4 if i % 2 == 0 else 14), textcoords="offset points",
                             fontsize=8, gid="rel-error")
        handles = [Line2D([], [], color=blue, lw=1.8, label="model mean"),
                   Patch(facecolor=blue, alpha=0.35, label="95% CI of the mean"),
                   Patch(facecolor=sky, alpha=0.25, label="range over replications"),
                   Line2D([], [], marker="o", ls="", color=style.OBSERVED,
                          label="observed (a check)"),
                   Line2D([], [], marker="D", ls="", markerfacecolor="white",
                          markeredgecolor=style.OBSERVED, label="observed, fixed by the inputs")]
        style.fig_legend(fig, handles, ncol=3)
        checks = pts[pts["role"] == "check"]
        average = float(checks["rel_error"].abs().mean())
        inputs = len(pts) - len(checks)
        left = (f"; {inputs} point(s) fixed by the inputs (every replication gives the "
                f"observed count) left out" if inputs else "")
        return style.finish(
            fig, f"Model against observed cumulative transfers: averaged relative difference "
                 f"{average:.1%}", provenance,
            f"Error = (model mean - observed) / observed; averaged over the {len(checks)} "
            f"points that check the model{left}.")
