"""Interoperability with EMA Workbench (the optional extra ``sim[ema]``).

- :func:`export_ema` writes an explore folder's futures as EMA Workbench results: the
  experiments table (one row per future and policy: the uncertain inputs, ``scenario``,
  ``policy``, ``model``) and one outcome array per KPI (means over the replications), in the
  ``.tar.gz`` that ``ema_workbench.load_results`` reads.
- :func:`ema_model` wraps a scenario as an ``ema_workbench.Model``: its uncertainties as EMA
  parameters, the policies as the categorical lever ``burden_sharing``, the headline KPIs as
  outcomes (minimised or maximised as the catalogue says), so that EMA's samplers,
  evaluators and analyses run the simulation directly.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.uncertainties import Uncertainty, active, overrides, with_values

EMA_RESULTS = "ema_results.tar.gz"
LEVER = "burden_sharing"
"""The lever of the policies (EMA keeps ``policy`` for the name of its policy objects)."""


def _ema():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ema_workbench
    except ImportError:  # pragma: no cover - the extra is part of dev
        from sim.errors import OutputError

        raise OutputError("EMA Workbench is not installed: pip install 'sim[ema]'") from None
    return ema_workbench


def export_ema(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the futures of the explore folder ``folder`` as EMA Workbench results (default
    ``DIR/ema_results.tar.gz``); returns the path."""
    from sim.exploration.analyse import open_explore

    ema = _ema()
    ef = open_explore(folder)
    outcomes = ef.outcomes()
    outcomes = outcomes[outcomes["design"] == "futures"].reset_index(drop=True)
    design = ef.design[ef.design["design"] == "futures"]
    names = list(dict.fromkeys(n for d in ef.meta["designs"] if d["kind"] == "futures"
                               for n in d["names"]))
    x = outcomes[["scenario", "row"]].merge(design[["scenario", "row", *names]],
                                            on=["scenario", "row"], how="left")
    experiments = pd.DataFrame({n: x[n] if pd.api.types.is_numeric_dtype(x[n]) else
                                x[n].astype(str).astype("category") for n in names})
    experiments["scenario"] = (outcomes["scenario"] + "/" + outcomes["row"].astype(str)
                               ).astype("category")
    experiments["policy"] = outcomes["policy"].astype("category")
    experiments["model"] = outcomes["scenario"].astype("category")
    results = {k: outcomes[k].to_numpy(float) for k in ef.kpis if k in outcomes}
    for k in results:  # EMA writes outcomes of the kinds it knows
        ema.ScalarOutcome(k)
    target = Path(out) if out else Path(folder) / EMA_RESULTS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ema.save_results((experiments, results), str(target))
    return target


# ----------------------------------------------------------------------------- model
def ema_parameters(section: dict[str, Uncertainty]) -> list[Any]:
    """EMA uncertainties for a scenario's section: uniform and integer ranges as they are,
    triangular through scipy, categorical by the index of the value; a lognormal as a
    log-uniform between its cut ends (EMA has no cut lognormal)."""
    ema = _ema()
    from scipy import stats

    out = []
    for name, u in section.items():
        if u.dist == "uniform":
            out.append(ema.RealParameter(name, float(u.low), float(u.high)))
        elif u.dist == "integer":
            out.append(ema.IntegerParameter(name, int(u.low), int(u.high)))
        elif u.dist == "categorical":
            out.append(ema.CategoricalParameter(name, list(range(len(u.values or [])))))
        elif u.dist == "triangular":
            c = (float(u.mode) - float(u.low)) / (float(u.high) - float(u.low))
            out.append(ema.RealParameter.from_dist(
                name, stats.triang(c, loc=float(u.low), scale=float(u.high) - float(u.low))))
        else:
            out.append(ema.RealParameter.from_dist(
                name, stats.loguniform(u.value(0.0), u.value(1.0))))
    return out


class ScenarioFunction:
    """The model function EMA calls: uncertain values and a policy in, mean KPIs out."""

    def __init__(self, path: str | Path, kpis: list[str], replications: int, seed: int | None):
        from sim.scenario import load_scenario

        self.path = str(path)
        scn = load_scenario(path)
        self.section = active(scn.uncertainties)
        self.base = scn.model_dump(mode="json", by_alias=True, exclude_none=True)
        self.base.pop("uncertainties", None)
        self.kpis, self.replications = kpis, replications
        self.seed = scn.metadata.seed if seed is None else seed

    def __call__(self, burden_sharing: str = "none", **values: Any) -> dict[str, float]:
        from sim.batch.spec import policy_arg
        from sim.scenario import scenario_from_dict
        from sim.simulation import simulate

        values = {k: (self.section[k].values[int(v)] if self.section[k].dist == "categorical"
                      else v) for k, v in values.items() if k in self.section}
        data = with_values(self.base, overrides(self.section, values, self.base))
        scn = scenario_from_dict(data, source=self.path)
        runs = [simulate(scn, policy=policy_arg(burden_sharing), replication=r, seed=self.seed).kpis
                for r in range(self.replications)]
        return {k: float(np.nanmean([r.get(k, np.nan) for r in runs])) for k in self.kpis}


def ema_model(path: str | Path, policies: list[str] | None = None,
              kpis: list[str] | None = None, replications: int = 1,
              seed: int | None = None, name: str | None = None):
    """An ``ema_workbench.Model`` of the scenario file ``path``: uncertainties from its
    ``uncertainties:`` section, the lever ``policy`` (default: every policy it defines),
    the outcomes ``kpis`` (default: headline), ``replications`` per experiment (means)."""
    ema = _ema()
    from sim.batch.spec import NO_POLICY, scenario_policies
    from sim.kpis import direction, headline
    from sim.scenario import load_scenario

    fn = ScenarioFunction(path, list(kpis or headline()), replications, seed)
    model = ema.Model(name or "sim", function=fn)
    model.uncertainties = ema_parameters(fn.section)
    pols = policies or scenario_policies(load_scenario(path)) or [NO_POLICY]
    model.levers = [ema.CategoricalParameter(LEVER, list(pols))]
    kind = {"higher": ema.ScalarOutcome.MAXIMIZE, "lower": ema.ScalarOutcome.MINIMIZE}
    model.outcomes = [ema.ScalarOutcome(k, kind=kind[direction(k)]) for k in fn.kpis]
    return model
