"""``calibrate``: fit a scenario's uncertain inputs to its observations (ABC-SMC).

The fitted inputs are the scenario's uncertainties marked ``fit: true`` (or those named);
their priors are the uncertainties' distributions. Every run of the fit draws the other
uncertain inputs from their priors (they are integrated out), so the posterior carries what
the observations cannot tell. The runs go to the batch executors (local processes or Dask) in
chunks; the result does not depend on the executor.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.abc import Generation, Settings, abc_smc
from sim.calibration.observe import bounds, distance, scales
from sim.calibration.worker import Outcome, Particles, run_particles
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Observation, Scenario
from sim.scenario.uncertainties import Uncertainty, active


@dataclass
class Calibration:
    """What :func:`calibrate` found."""

    scenario: Scenario
    source: str
    names: list[str]
    section: dict[str, Uncertainty]
    observed: list[Observation]
    settings: Settings
    seed: int
    generations: list[Generation]
    seconds: float
    runs: int
    failed: int = 0
    workers: str = ""
    out: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> Generation:
        return self.generations[-1]

    @property
    def seconds_per_run(self) -> float:
        """Wall-clock seconds per run (all workers together)."""
        return self.seconds / max(self.runs, 1)

    def posterior(self) -> pd.DataFrame:
        """The last generation: one row per particle with ``u:NAME`` (unit coordinates), the
        values, ``weight`` (sums to 1), ``distance`` and ``run`` (its run number)."""
        return particles_frame(self, self.final)

    def particles(self) -> pd.DataFrame:
        """Every generation's particles (``generation`` column), the prior's first."""
        return pd.concat([particles_frame(self, g).assign(generation=g.t)
                          for g in self.generations], ignore_index=True)

    def history(self) -> pd.DataFrame:
        """One row per generation: epsilon, proposals run, acceptance rate, ESS."""
        return pd.DataFrame([{
            "generation": g.t, "epsilon": g.epsilon, "evaluated": g.evaluated,
            "acceptance_rate": g.acceptance_rate, "ess": g.ess,
            "distance_median": float(np.median(g.distances)),
            "matched": float(np.sum(g.weights * (g.distances == 0)))} for g in
            self.generations])

    def intervals(self, level: float = 0.9) -> pd.DataFrame:
        """Prior and posterior per fitted input: weighted median and central ``level``
        interval."""
        from sim.calibration.abc import weighted_quantile

        post = self.posterior()
        lo, hi = (1 - level) / 2, (1 + level) / 2
        rows = []
        for n in self.names:
            unc = self.section[n]
            x, w = post[n].to_numpy(dtype=float), post["weight"].to_numpy()
            rows.append({"parameter": n, "prior": unc.range_text(),
                         "prior_low": unc.value(lo), "prior_high": unc.value(hi),
                         "median": weighted_quantile(x, w, 0.5),
                         "low": weighted_quantile(x, w, lo),
                         "high": weighted_quantile(x, w, hi), "source": unc.source})
        return pd.DataFrame(rows)

    def sample_rows(self, n: int | None = None) -> list[dict[str, Any]]:
        """``n`` (default: the population) equally weighted posterior samples, resampled
        systematically by weight (deterministic from the seed), as sample-file rows."""
        from sim.rng import stream

        post = self.posterior()
        n = n or len(post)
        u0 = stream(self.seed, 0, "calibration:resample").random()
        cum = np.cumsum(post["weight"].to_numpy())
        picks = np.minimum(np.searchsorted(cum / cum[-1], (u0 + np.arange(n)) / n),
                           len(post) - 1)
        return [{name: _plain(post[name].iloc[i], self.section[name]) for name in self.names}
                for i in picks]


def _plain(v: Any, unc: Uncertainty) -> Any:
    if unc.dist == "integer":
        return int(round(float(v)))
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


def particles_frame(cal: Calibration, g: Generation) -> pd.DataFrame:
    data: dict[str, Any] = {f"u:{n}": g.units[:, i] for i, n in enumerate(cal.names)}
    for i, n in enumerate(cal.names):
        data[n] = [_cell(cal.section[n].value(u)) for u in g.units[:, i]]
    data.update(weight=g.weights, distance=g.distances, run=g.ids)
    return pd.DataFrame(data)


def _cell(v: Any) -> Any:
    import json

    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return json.dumps(v, sort_keys=True)


def fitted_names(scn: Scenario, source: str, fit: Sequence[str] | None) -> list[str]:
    """The inputs to fit: ``fit``, or the uncertainties marked ``fit: true``."""
    section = active(scn.uncertainties)
    names = list(fit) if fit else [n for n, u in section.items() if u.fit]
    unknown = [n for n in names if n not in section]
    if unknown or not names:
        what = (f"unknown uncertainty '{unknown[0]}'" if unknown else
                "no uncertainty to fit")
        raise ScenarioError([Problem(source, None, "uncertainties", f"{what} (expected "
                                     f"uncertainties marked fit: true, or names among: "
                                     f"{', '.join(section) or 'none'})")])
    return names


def observations(scn: Scenario, source: str, until: dt.date | None = None,
                 after: dt.date | None = None) -> list[Observation]:
    """The scenario's observations reported up to ``until`` (or after ``after``)."""
    obs = [o for o in scn.observed if (until is None or o.date <= until)
           and (after is None or o.date > after)]
    if not obs:
        when = f" up to {until}" if until else ""
        raise ScenarioError([Problem(source, None, "observed", f"no observations to fit"
                                     f"{when} (expected an observed: section with dated "
                                     f"counts)")])
    return obs


def calibrate(scenario: str | Path | Scenario, out: str | Path | None = None, *,
              fit: Sequence[str] | None = None, until: dt.date | None = None,
              settings: Settings | None = None, seed: int | None = None,
              workers: int | None = None, dask: str | None = None,
              dask_local: int | None = None, chunk_size: int = 20, force: bool = False,
              report: Callable[[Generation], None] | None = None) -> Calibration:
    """Fit the uncertain inputs of ``scenario`` to its observations (those up to ``until``)
    by ABC-SMC; write the result to ``out`` when given (:mod:`sim.calibration.files`).

    Raises ScenarioError for a scenario that cannot be calibrated, OutputError when ``out``
    cannot be written."""
    from sim.batch.executors import open_executor
    from sim.scenario import load_scenario

    if isinstance(scenario, Scenario):
        scn, source = scenario, scenario.metadata.name
    else:
        scn, source = load_scenario(scenario), str(scenario)
    settings = settings or Settings()
    names = fitted_names(scn, source, fit)
    observed = observations(scn, source, until)
    root = scn.metadata.seed if seed is None else int(seed)
    base = fit_base(scn)
    section = active(base.uncertainties)
    if out is not None:
        from sim.calibration.files import check_target

        check_target(Path(out), force)
    reported, scale = bounds(observed), scales(observed)
    counter = {"runs": 0, "failed": 0}
    t0 = time.perf_counter()
    with open_executor(workers, dask, dask_local) as info:
        def evaluate(units: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, dict]:
            runs = [(int(r), {n: section[n].value(u) for n, u in zip(names, row)})
                    for r, row in zip(ids, units)]
            outcomes = run_all(info.executor, base, root, observed, runs, chunk_size)
            windows = np.array([o.windows for o in outcomes])
            counter["runs"] += len(runs)
            counter["failed"] += sum(o.error is not None for o in outcomes)
            if counter["failed"] == counter["runs"]:
                raise RuntimeError(f"every calibration run failed: {outcomes[0].error}")
            d = distance(windows, reported, scale)
            return np.where(np.isfinite(d), d, np.inf), {"windows": windows}

        gens = abc_smc(len(names), evaluate, settings, root, report)
        desc = info.description
    cal = Calibration(scn, source, names, section, observed, settings, root, gens,
                      time.perf_counter() - t0, counter["runs"], counter["failed"], desc)
    if out is not None:
        from sim.calibration.files import write_calibration

        write_calibration(cal, Path(out), force)
    return cal


def fit_base(scn: Scenario) -> Scenario:
    """``scn`` as the fit runs it: without ``parameters:`` (the fit sets the values itself),
    and without ``policies:`` and the uncertainties of policy fields (the runs allocate no
    costs, and checking the policies is most of the time a run takes to build)."""
    if scn.parameters is None and not scn.policies:
        return scn
    from sim.scenario.loader import scenario_from_dict, scenario_to_dict

    data = scenario_to_dict(scn)
    data.pop("parameters", None)
    data.pop("policies", None)
    section = data.get("uncertainties") or {}
    for name, unc in list(section.items()):
        if unc is None:
            continue
        paths = [unc["path"]] if isinstance(unc["path"], str) else unc["path"]
        if any(p.startswith("policies.") for p in paths):
            del section[name]
    return scenario_from_dict(data, source=scn.metadata.name)


def run_all(executor, scn: Scenario, seed: int, observed: list[Observation],
            runs: list[tuple[int, dict[str, Any]]], chunk_size: int,
            keep: tuple[str, ...] = ()) -> list[Outcome]:
    """Run every (replication, fitted values) on ``executor`` in chunks, in order."""
    futures = [executor.submit(run_particles, Particles(scn, seed, observed,
                                                        runs[i:i + chunk_size], keep))
               for i in range(0, len(runs), chunk_size)]
    return [o for f in futures for o in f.result()]
