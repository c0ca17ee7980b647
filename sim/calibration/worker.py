"""What a worker process does: run particles (a scenario with given values for the fitted
inputs, the other uncertain inputs drawn, one replication) and return what the observations
need. Imported by worker processes (local pool or Dask), so it stays small."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario.schema import Observation, Scenario


@dataclass
class Particles:
    """Runs of one scenario: ``runs`` holds (replication, values of the fitted inputs)."""

    scn: Scenario = field(repr=False)
    seed: int
    observed: list[Observation]
    runs: list[tuple[int, dict[str, Any]]]
    keep: tuple[str, ...] = ()
    """Daily count series to return in full (see :func:`sim.calibration.observe.series`)."""


@dataclass
class Outcome:
    replication: int
    windows: np.ndarray  # (observations, 2)
    kept: dict[str, np.ndarray]
    error: str | None = None


def run_particles(task: Particles) -> list[Outcome]:
    """Every run of ``task``; a run that raises is returned with its error."""
    from sim.calibration.observe import series, window_values
    from sim.scenario.drawing import build_drawn
    from sim.simulation import simulate

    out = []
    for replication, values in task.runs:
        try:
            scn = build_drawn(task.scn, replication, task.seed, values)
            res = simulate(scn, replication=replication, seed=task.seed)
            counts = series(res)
            out.append(Outcome(replication, window_values(scn, counts, task.observed),
                               {k: counts[k] for k in task.keep}))
        except Exception as exc:  # noqa: BLE001 - reported by the driver
            out.append(Outcome(replication, np.full((len(task.observed), 2), np.nan), {},
                               f"{type(exc).__name__}: {exc}"))
    return out
