"""The input side: scenario schema, YAML loading with ``extends:`` and line numbers.

Names load on first use (the schema pulls in pydantic and scipy).
"""

__all__ = [
    "Problem", "Scenario", "ScenarioError", "apply_overrides", "dump_scenario", "load_scenario",
    "scenario_digest", "scenario_from_dict", "scenario_json_schema", "scenario_to_dict",
]

_WHERE = {"Problem": "errors", "ScenarioError": "errors", "Scenario": "schema"}


def __getattr__(name: str):
    if name in __all__:
        import importlib

        value = getattr(importlib.import_module(f"sim.scenario.{_WHERE.get(name, 'loader')}"),
                        name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.scenario' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
