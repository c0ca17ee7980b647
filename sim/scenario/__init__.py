"""The input side: scenario schema, YAML loading with ``extends:`` and line numbers."""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import (
    apply_overrides,
    dump_scenario,
    load_scenario,
    scenario_digest,
    scenario_from_dict,
    scenario_json_schema,
    scenario_to_dict,
)
from sim.scenario.schema import Scenario

__all__ = [
    "Problem", "Scenario", "ScenarioError", "apply_overrides", "dump_scenario", "load_scenario",
    "scenario_digest", "scenario_from_dict", "scenario_json_schema", "scenario_to_dict",
]
