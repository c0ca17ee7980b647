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

    from sim.analysis.summary import history_points
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
    points = history_points(scn, daily)
    return HistoryReport(scn, path, policy, reps, root, points,
                         daily.drop(columns="policy"))


def history_figure(report: HistoryReport) -> Figure:
    """Model against the observed counts, in the style of every figure
    (:func:`sim.plots.history.observed_history`)."""
    from sim.plots.history import observed_history
    from sim.plots.style import Provenance

    m = report.scenario.metadata
    prov = Provenance(scenario=m.name, replications=report.replications, seed=report.seed,
                      source=f"policy {report.policy or 'none'}")
    return observed_history(report.daily, report.points, provenance=prov)


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
