"""Posterior predictive runs of a calibration, and scores of its predictions.

A predictive run takes one equally weighted posterior sample (:meth:`Calibration.sample_rows`),
draws the other uncertain inputs from their priors and runs with fresh randomness (run
numbers from :data:`PREDICTIVE`, never used by the fit). Its value for an observation is the
modelled value within the observation's window closest to the reported count
(:func:`sim.calibration.observe.point_values`).

Scores of each observation over the predictive runs:

- ``rel_error``: (predictive mean - reported count) / reported count;
- ``cover50``, ``cover90``: the central 50% (90%) band of the predictive values meets the
  reported range;
- ``crps``: the continuous ranked probability score of the predictive values against the
  reported count (people; :func:`crps`), and ``crps_rel`` = crps / count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.calibration.observe import point_values
from sim.calibration.run import Calibration, fit_base, run_all
from sim.scenario.schema import Observation

PREDICTIVE = 900_000_000
"""Run numbers of predictive runs start here (the fit's stay below it)."""


def crps(observed: float, samples: np.ndarray) -> float:
    """CRPS of an ensemble ``samples`` against ``observed`` (scoringrules' ensemble estimator:
    E|X - y| - E|X - X'| / 2 over the samples)."""
    import scoringrules as sr

    return float(sr.crps_ensemble(float(observed), np.asarray(samples, dtype=float),
                                  estimator="nrg"))


def predictive(cal: Calibration, observed: Sequence[Observation], runs: int = 200,
               workers: int | None = None, dask: str | None = None,
               dask_local: int | None = None, chunk_size: int = 20,
               keep: tuple[str, ...] = ()) -> tuple[np.ndarray, list]:
    """(runs, len(observed)) predictive values of ``observed``, and the runs' outcomes."""
    from sim.batch.executors import open_executor

    rows = cal.sample_rows(runs)
    todo = [(PREDICTIVE + i, row) for i, row in enumerate(rows)]
    base = fit_base(cal.scenario)
    with open_executor(workers, dask, dask_local) as info:
        outcomes = run_all(info.executor, base, cal.seed, list(observed), todo, chunk_size,
                           keep)
    failed = [o for o in outcomes if o.error is not None]
    if failed:
        raise RuntimeError(f"{len(failed)} predictive runs failed: {failed[0].error}")
    windows = np.array([o.windows for o in outcomes])
    return point_values(windows, list(observed)), outcomes


def scores(observed: Sequence[Observation], values: np.ndarray,
           fitted: Sequence[Observation] = ()) -> pd.DataFrame:
    """One row per observation: date, measure, who, count, reported range, predictive mean
    and bands, the scores, and whether the observation was fitted (``in_sample``)."""
    fitted_ids = {id(o) for o in fitted}
    rows = []
    for i, obs in enumerate(observed):
        v = values[:, i]
        y = float(obs.transferred)
        lo, hi = obs.bounds
        q05, q25, q50, q75, q95 = np.quantile(v, [0.05, 0.25, 0.5, 0.75, 0.95])
        c = crps(y, v)
        rows.append({
            "date": obs.date.isoformat(), "window": "-".join(
                sorted({d.isoformat() for d in obs.window})), "measure": obs.measure,
            "who": obs.who, "observed": y, "low": lo, "high": hi,
            "mean": float(v.mean()), "q05": q05, "q25": q25, "median": q50, "q75": q75,
            "q95": q95, "rel_error": (float(v.mean()) - y) / y if y else np.nan,
            "cover50": bool(q25 <= hi and q75 >= lo), "cover90": bool(q05 <= hi and q95 >= lo),
            "crps": c, "crps_rel": c / y if y else np.nan,
            "in_sample": id(obs) in fitted_ids})
    return pd.DataFrame(rows)
