"""The input side: scenario schema, YAML loading with ``extends:`` and line numbers.

Names load on first use (the schema pulls in pydantic and scipy).
"""

from sim.lazy import lazy_names

__all__ = [
    "Problem", "Scenario", "ScenarioError", "apply_overrides", "dump_scenario", "load_scenario",
    "scenario_digest", "scenario_from_dict", "scenario_json_schema", "scenario_to_dict",
]

_WHERE = {"Problem": "errors", "ScenarioError": "errors", "Scenario": "schema"}
__getattr__ = lazy_names(__name__, {name: f"sim.scenario.{_WHERE.get(name, 'loader')}"
                                    for name in __all__})


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
