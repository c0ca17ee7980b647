"""Historical validation: a replay scenario's cumulative transfers against the counts observed
(the scenario's ``observed:`` section, each with its source).

``validate_history(path)`` runs the replications and compares, at each observation date, the
observed count with the model's mean (and 95% t-interval, and range over replications) of
the same measure (``departed``: people who had left for Iraq by the end of that day, or
``arrived``). A point that every replication reproduces exactly is *fixed by the inputs*
(a cap set from that very count binds), so it is an input, not a check: it is shown as such
and left out of the averaged relative difference, the mean of |model mean - observed| /
observed over the points that check the model. ``history_figure`` draws it in the style of
every other figure (:mod:`sim.plots.style`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.scenario.schema import Scenario


@dataclass
class HistoryReport:
    scenario: Scenario
    path: Path
    policy: str | None
    replications: int
    seed: int
    points: pd.DataFrame
    """One row per observation: date, day, measure, observed, model_mean, model_low,
    model_high (95% t-interval of the mean), model_min, model_max (over replications),
    error (model mean - observed), rel_error, inside_range, role ("input": every replication
    gives the observed count, so the point was set by the inputs; else "check"), source."""
    daily: pd.DataFrame
    """Per replication and day: replication, day, date, departed, transferred."""

    @property
    def checks(self) -> pd.DataFrame:
        """The points that check the model (not fixed by the inputs)."""
        return self.points[self.points["role"] == "check"]

    @property
    def averaged_relative_difference(self) -> float:
        """Mean of |relative error| over the points that check the model."""
        return float(self.checks["rel_error"].abs().mean())

    def summary_line(self) -> str:
        inputs = int((self.points["role"] == "input").sum())
        left = (f"; {inputs} point(s) fixed by the inputs (every replication gives the "
                f"observed count) left out" if inputs else "")
        return (f"averaged relative difference: {self.averaged_relative_difference:.1%} "
                f"(mean of |model mean - observed| / observed over {len(self.checks)} "
                f"points{left})")


def validate_history(path: str | Path, replications: int | None = None,
                     seed: int | None = None, policy: str | None = None) -> HistoryReport:
    """Run the replay at ``path`` and compare it with its ``observed:`` counts.

    Raises :class:`sim.ScenarioError` if the scenario is invalid or has no observations.
    """
    import pandas as pd

    from sim.analysis.summary import compare_observed
    from sim.scenario import load_scenario
    from sim.scenario.errors import Problem, ScenarioError
    from sim.simulation import simulate

    path = Path(path)
    scn = load_scenario(path)
    if policy is not None and policy not in scn.policies:
        from difflib import get_close_matches

        near = get_close_matches(policy, list(scn.policies), n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise ScenarioError([Problem(str(path), None, "policies",
                                     f"unknown policy '{policy}' (expected one of: "
                                     f"{', '.join(scn.policies) or 'none defined'}){hint}")])
    if not scn.observed:
        raise ScenarioError([Problem(str(path), None, "observed",
                                     "no observations to compare with (expected an observed: "
                                     "section with dated counts and their sources)")])
    reps = replications or scn.metadata.replications
    root = scn.metadata.seed if seed is None else seed
    frames = []
    for rep in range(reps):
        res = simulate(scn, policy=policy, replication=rep, seed=root)
        d = res.daily[["day", "date", "departed", "transferred"]]
        frames.append(d.assign(policy=policy or "none", replication=rep))
    daily = pd.concat(frames, ignore_index=True)
    table = compare_observed(scn, daily)
    rows = []
    horizon = scn.metadata.horizon_days
    for _, r in table.iterrows():
        column = "departed" if r["measure"] == "departed" else "transferred"
        at = daily.loc[daily["day"] == min(int(r["day"]), horizon - 1), column]
        rows.append({
            "date": r["date"], "day": int(r["day"]), "measure": r["measure"],
            "observed": int(r["observed"]), "model_mean": float(r["model_mean"]),
            "model_low": float(r["model_low"]), "model_high": float(r["model_high"]),
            "model_min": float(at.min()), "model_max": float(at.max()),
            "error": float(r["model_mean"] - r["observed"]),
            "rel_error": float(r["rel_error"]),
            "inside_range": bool(at.min() <= r["observed"] <= at.max()),
            "role": r["role"],
            "source": r["source"],
        })
    points = pd.DataFrame(rows)
    return HistoryReport(scn, path, policy, reps, root, points,
                         daily.drop(columns="policy"))


def history_figure(report: HistoryReport) -> Figure:
    """Model (mean, 95% CI of the mean, range over replications) against the observed counts:
    the observation window (left) and the whole horizon (right); points fixed by the inputs
    are drawn as open diamonds, the checks as filled circles with their relative error."""
    import numpy as np
    import pandas as pd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from sim.analysis.stats import mean_ci
    from sim.plots import style

    pts = report.points
    column = "departed" if sorted(set(pts["measure"])) == ["departed"] else "transferred"
    what = "departed for Iraq" if column == "departed" else "arrived in Iraq"
    g = report.daily.groupby("day")[column]
    days = np.array(sorted(report.daily["day"].unique()))
    dates = pd.to_datetime(report.daily.groupby("day")["date"].first().loc[days].to_numpy())
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
        m = report.scenario.metadata
        prov = style.Provenance(scenario=m.name, replications=report.replications,
                                seed=report.seed, source=f"policy {report.policy or 'none'}")
        return style.finish(
            fig, f"Model against observed cumulative transfers: averaged relative difference "
                 f"{report.averaged_relative_difference:.1%}", prov,
            "Error = (model mean - observed) / observed. " + report.summary_line() + ".")


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix) via a temporary file; OutputError
    if that is not possible."""
    import os

    from sim.errors import OutputError

    path = Path(path)
    if path.exists() and path.is_dir():
        raise OutputError(f"{path} is a folder (expected a figure file name, e.g. "
                          f"history.png)")
    suffix = path.suffix.lower().lstrip(".") or "png"
    if suffix not in ("png", "svg", "pdf"):
        raise OutputError(f"cannot write a figure as '.{suffix}' (expected .png, .svg or "
                          f".pdf)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {path.parent} ({exc.strerror or exc})") from None
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        from sim.plots.style import save

        save(fig, tmp, suffix)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from None
    return path


def fmt_points(report: HistoryReport) -> list[dict[str, Any]]:
    """Rows for printing: text cells."""
    out = []
    for _, r in report.points.iterrows():
        ci = ("" if not math.isfinite(r["model_low"]) else
              f" [{r['model_low']:,.0f}, {r['model_high']:,.0f}]")
        out.append({
            "date": r["date"], "measure": r["measure"], "observed": f"{r['observed']:,}",
            "model": f"{r['model_mean']:,.0f}{ci}",
            "range": f"{r['model_min']:,.0f}-{r['model_max']:,.0f}",
            "error": f"{r['error']:+,.0f}", "relative": f"{r['rel_error']:+.1%}",
            "role": r["role"], "source": r["source"],
        })
    return out
