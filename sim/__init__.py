"""Discrete-event simulation of detainee and camp-resident transfers from north-east Syria to
Iraq, and of who bears the cost. See docs/model.md.

Public API (run by the doc tests from the repository root)::

    import sim

    scn = sim.load_scenario("scenarios/baseline.yaml")
    res = sim.simulate(scn, policy="eu_key", replication=0)
    res.kpis, res.daily, res.daily_long, res.trips, res.ledger, res.events
    store = sim.run_batch("scenarios/batches/policies.yaml", out="results/policies",
                          replications=2, workers=0, progress=False)   # the spec says 100
    store = sim.open_results("results/policies")     # .kpis, .daily, .trips, .failures ...
    table = sim.compare(store, baseline="iraq_alone")   # paired differences with CIs
"""

from sim.lazy import lazy_names

__version__ = "0.1.0"

__all__ = [
    "OutputError", "RunResult", "Scenario", "ScenarioError", "__version__", "compare",
    "build_report", "dump_scenario", "explore", "load_scenario", "open_explore", "open_results",
    "plot_folder", "run_batch", "simulate",
]

# Everything loads on first use, so that `sim --help` does not import pydantic, numpy,
# scipy, pandas or dask.
_LAZY = {
    "OutputError": "sim.errors", "RunResult": "sim.results", "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario", "dump_scenario": "sim.scenario",
    "load_scenario": "sim.scenario", "simulate": "sim.simulation", "run_batch": "sim.batch",
    "explore": "sim.exploration", "open_explore": "sim.exploration",
    "open_results": "sim.store", "compare": "sim.analysis",
    "plot_folder": "sim.plots.files", "build_report": "sim.report",
}
_names = lazy_names(__name__, _LAZY)


def __getattr__(name: str):
    if name in ("policy", "plots", "model", "batch", "analysis", "report", "scenario",
                "exploration", "kpis"):
        import importlib

        return importlib.import_module(f"sim.{name}")
    return _names(name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
