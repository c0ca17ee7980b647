"""Discrete-event simulation of detainee and camp-resident transfers from north-east Syria to
Iraq, and of who bears the cost. See docs/model.md.

Public API::

    scn = sim.load_scenario("scenarios/baseline.yaml")
    res = sim.simulate(scn, policy="host_pays", replication=0)
    res.kpis, res.daily, res.trips, res.ledger, res.events
"""

from sim.errors import OutputError
from sim.results import RunResult
from sim.scenario import Scenario, ScenarioError, dump_scenario, load_scenario
from sim.simulate import simulate

__version__ = "0.1.0"

__all__ = [
    "OutputError", "RunResult", "Scenario", "ScenarioError", "__version__", "dump_scenario",
    "load_scenario", "simulate",
]
