"""Historical validation: a replay scenario's cumulative transfers against the counts observed
(the scenario's ``observed:`` section, each with its source).

``validate_history(path)`` runs the replications and compares, at each observation date, the
observed count with the model's mean (and 95% t-interval, and range over replications) of
the same measure (``departed``: people who had left for Iraq by the end of that day, or
``arrived``). The averaged relative difference is the mean of |model mean - observed| /
observed over the observations, as ``sim run`` prints it. ``history_figure`` draws it.
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
    error (model mean - observed), rel_error, inside_range, source."""
    daily: pd.DataFrame
    """Per replication and day: replication, day, date, departed, transferred."""

    @property
    def averaged_relative_difference(self) -> float:
        """Mean of |relative error| over the observations."""
        return float(self.points["rel_error"].abs().mean())


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
            "source": r["source"],
        })
    points = pd.DataFrame(rows)
    return HistoryReport(scn, path, policy, reps, root, points,
                         daily.drop(columns="policy"))


def history_figure(report: HistoryReport) -> Figure:
    """Model (mean, 95% CI of the mean, range over replications) against the observed counts:
    the observation window (left) and the whole horizon (right)."""
    import matplotlib.dates as mdates
    import numpy as np
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.analysis.stats import mean_ci

    pts = report.points
    measures = sorted(set(pts["measure"]))
    column = "departed" if measures == ["departed"] else "transferred"
    what = "departed for Iraq" if column == "departed" else "arrived in Iraq"
    g = report.daily.groupby("day")[column]
    days = np.array(sorted(report.daily["day"].unique()))
    dates = pd.to_datetime(report.daily.groupby("day")["date"].first().loc[days].to_numpy())
    stats = np.array([mean_ci(g.get_group(d).to_numpy(dtype=float)) for d in days])
    mean, low, high = stats[:, 0], stats[:, 1], stats[:, 2]
    lo, hi = g.min().loc[days].to_numpy(), g.max().loc[days].to_numpy()
    fig = Figure(figsize=(11, 4.6), layout="constrained")
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    last = int(pts["day"].max())
    window = min(len(days), last + max(7, last // 3))
    obs_dates = pd.to_datetime(pts["date"])
    for ax, n in ((axes[0], window), (axes[1], len(days))):
        sl = slice(0, n)
        ax.fill_between(dates[sl], lo[sl], hi[sl], color="#56B4E9", alpha=0.25, lw=0,
                        label="range over replications")
        if np.isfinite(low).any():
            ax.fill_between(dates[sl], low[sl], high[sl], color="#0072B2", alpha=0.35, lw=0,
                            label="95% CI of the mean")
        ax.plot(dates[sl], mean[sl], color="#0072B2", lw=1.8, label="model mean")
        ax.scatter(obs_dates, pts["observed"], color="black", zorder=5, s=28,
                   label="observed")
        ax.set_ylabel(f"people {what} (cumulative)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=6))
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.yaxis.set_major_formatter("{x:,.0f}")
    ax = axes[0]
    for i, (_, r) in enumerate(pts.iterrows()):
        x = pd.Timestamp(r["date"])
        ax.plot([x, x], [r["observed"], r["model_mean"]], color="black", lw=0.8, ls=":")
        ax.annotate(f"{r['rel_error']:+.0%}", (x, max(r["observed"], r["model_mean"])),
                    xytext=(3, 4 if i % 2 == 0 else 14), textcoords="offset points",
                    fontsize=8)
    ax.set_title("observation window", fontsize=10)
    axes[1].set_title("whole horizon", fontsize=10)
    axes[0].legend(loc="upper left", fontsize=8)
    m = report.scenario.metadata
    fig.suptitle(f"{m.name}: model vs observed cumulative transfers "
                 f"(averaged relative difference {report.averaged_relative_difference:.1%})",
                 fontsize=11)
    fig.text(0.005, 0.005, f"{report.replications} replications, seed {report.seed}, policy "
                           f"{report.policy or 'none'}; error = (model mean - observed) / "
                           f"observed", fontsize=7.5, color="#555555")
    return fig


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
        fig.savefig(tmp, format=suffix, dpi=130)
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
            "source": r["source"],
        })
    return out


# ----------------------------------------------------------------------------- holdout
@dataclass
class HoldoutReport:
    """Leave-future-out check: calibrated on the observations up to ``after``, scored on
    every observation (the later ones out of sample, the fitted ones in sample)."""

    path: Path
    after: Any  # datetime.date
    calibration: Any  # sim.calibration.Calibration
    scores: pd.DataFrame
    """One row per observation (see :func:`sim.calibration.predict.scores`)."""
    runs: int

    @property
    def out_of_sample(self) -> pd.DataFrame:
        return self.scores.loc[~self.scores["in_sample"]]


def validate_holdout(path: str | Path, after: Any, settings: Any = None,
                     seed: int | None = None, runs: int = 200, workers: int | None = None,
                     dask: str | None = None, dask_local: int | None = None) -> HoldoutReport:
    """Calibrate the scenario at ``path`` on its observations up to ``after`` (a date), run
    ``runs`` posterior predictive runs and score every observation.

    Raises ScenarioError when fewer than one observation is fitted or none is left to
    forecast (except when ``after`` is the last observation's date: an in-sample check)."""
    from sim.calibration.predict import predictive, scores
    from sim.calibration.run import calibrate
    from sim.scenario import load_scenario

    path = Path(path)
    scn = load_scenario(path)
    cal = calibrate(scn, settings=settings, until=after, seed=seed, workers=workers,
                    dask=dask, dask_local=dask_local)
    values, _ = predictive(cal, scn.observed, runs, workers, dask, dask_local)
    fitted = [o for o in scn.observed if o.date <= after]
    return HoldoutReport(path, after, cal, scores(scn.observed, values, fitted), runs)


def holdout_cuts(scn: Scenario, min_fitted: int = 2) -> list[Any]:
    """The cut dates that leave at least ``min_fitted`` observations to fit: every distinct
    observation date from the ``min_fitted``-th on (the last one: in sample only)."""
    dates = sorted({o.date for o in scn.observed})
    return [d for d in dates if sum(o.date <= d for o in scn.observed) >= min_fitted]
