"""Load a scenario: read YAML, resolve ``extends:``, apply overrides, validate, check references.

Every problem found is collected and raised together as one :class:`ScenarioError` whose
lines read ``file:line: path.to.field: what is wrong (expected ...)``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.messages import pydantic_findings, quoted, shown
from sim.scenario.checks import check_references
from sim.scenario.draws import inline_samples
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import Locations, deep_merge, dotted, file_problem, locate, read_yaml

MAX_EXTENDS_DEPTH = 20


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file (following ``extends:``); raise ScenarioError."""
    path = Path(path)
    data, locs = _read_with_extends(path, stack=())
    if overrides:
        data = apply_overrides(data, overrides, str(path), locs)
    return validate_scenario(data, locs, str(path))


def scenario_from_dict(data: dict, source: str = "<dict>") -> Scenario:
    """Validate a scenario given as a Python mapping (no file, so no line numbers)."""
    return validate_scenario(data, {}, source)


def validate_scenario(data: Any, locs: Locations, source: str) -> Scenario:
    """Validate plain data (from YAML) against the schema, then check cross-references."""
    if not isinstance(data, dict):
        raise ScenarioError([_not_a_mapping(source, data)])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(pydantic_problems(exc, data, locs, source, Scenario)) from None
    problems = [
        Problem(*locate(locs, path, source), dotted(path), message)
        for path, message in check_references(scenario, data)
    ]
    if problems:
        raise ScenarioError(problems)
    return scenario


def pydantic_problems(exc: ValidationError, data: Any, locs: Locations, source: str,
                      root: type[BaseModel]) -> list[Problem]:
    """Pydantic errors of ``data`` (read from ``source``) as problems located in the file."""
    return [Problem(*locate(locs, path, source), dotted(path), message)
            for path, message in pydantic_findings(exc, data, root)]


_SECTIONS = "metadata:, categories:, countries:, sites:, destinations:, fleets: ..."


def _not_a_mapping(source: str, data: Any) -> Problem:
    what = {list: "a list", str: "a single text value", type(None): "empty"}.get(
        type(data), f"a single value ({data!r})")
    return Problem(source, 1, "", f"the top level is {what} (expected a mapping of sections: "
                                  f"{_SECTIONS})")


def _read_with_extends(path: Path, stack: tuple[Path, ...]) -> tuple[dict, Locations]:
    data, locs = read_yaml(path)
    if data is None or data == {}:
        raise ScenarioError([Problem(str(path), 1, "", f"the file has no content (expected a "
                                                       f"mapping of sections: {_SECTIONS})")])
    if not isinstance(data, dict):
        raise ScenarioError([_not_a_mapping(str(path), data)])
    problem = inline_samples(data, path)  # a posterior sample file, relative to this file
    if problem:
        raise ScenarioError([Problem(*locate(locs, ("parameters", "samples"), str(path)),
                                     "parameters.samples", problem)])
    parent = data.pop("extends", None)
    if parent is None:
        return data, locs
    where = locate(locs, ("extends",), str(path))
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError([Problem(*where, "extends", f"invalid value {shown(parent)} (expected "
                                     f"the path of a scenario file, relative to this one)")])
    parent_file = Path(os.path.normpath(path.parent / parent))  # as the user would write it
    parent_path = parent_file.resolve()
    chain = stack + (path.resolve(),)
    if parent_path in chain:
        cycle = " -> ".join(p.name for p in chain + (parent_path,))
        raise ScenarioError([Problem(*where, "extends", f"cycle in extends: {cycle} (expected "
                                     f"a chain that ends in a file without extends:)")])
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError([Problem(*where, "extends", f"extends chain deeper than "
                                     f"{MAX_EXTENDS_DEPTH} files (expected a short chain)")])
    problem = file_problem(parent_path)
    if problem == "file not found":
        raise ScenarioError(
            [Problem(*where, "extends", f"file {quoted(parent)} not found (expected a path "
                     f"relative to {path.parent})")]
        )
    if problem:
        raise ScenarioError([Problem(*where, "extends", f"{quoted(parent)} {problem}")])
    base, base_locs = _read_with_extends(parent_file, chain)
    replaced = set(_replaced_paths(base, data, ()))
    merged_locs = {k: v for k, v in base_locs.items()
                   if not any(k[:i] in replaced for i in range(1, len(k) + 1))}
    merged_locs.update({k: v for k, v in locs.items() if k != ("extends",)})
    return deep_merge(base, data), merged_locs


def _replaced_paths(base: Any, override: Any, path: tuple):
    """Paths where :func:`deep_merge` replaces the base value (so its lines no longer apply)."""
    for key, value in override.items():
        here = path + (key,)
        old = base.get(key) if isinstance(base, dict) else None
        if (isinstance(value, dict) and isinstance(old, dict)
                and not ("dist" in value and value.get("dist") != old.get("dist"))):
            yield from _replaced_paths(old, value, here)
        else:
            yield here


def apply_overrides(data: dict, overrides: dict[str, Any], source: str,
                    locs: Locations | None = None) -> dict:
    """Set values by dotted path (``fleets.road.units``); list items by index.

    The value replaces what was there (mappings are not merged). ``data`` is not changed. If
    ``locs`` is given, it is updated so that problems in an overridden value name the
    override rather than the line it replaced.
    """
    out = copy.deepcopy(data)
    for key, value in overrides.items():
        key = str(key)
        parts: list[str] = key.split(".")
        path: list[Any] = []
        node: Any = out
        for part in parts[:-1]:
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
                path.append(int(part))
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
                path.append(part)
            else:
                raise ScenarioError([Problem(
                    source, None, key, f"override path does not exist at '{part}' (expected "
                    f"a dotted path to a field, e.g. fleets.road.units)")])
        last = parts[-1]
        if isinstance(node, list):
            if not (last.isdigit() and int(last) < len(node)):
                raise ScenarioError([Problem(
                    source, None, key, f"override index '{last}' out of range (expected "
                    f"0 to {len(node) - 1})")])
            node[int(last)] = copy.deepcopy(value)
            path.append(int(last))
        elif isinstance(node, dict):
            node[last] = copy.deepcopy(value)
            path.append(last)
        else:
            raise ScenarioError([Problem(
                source, None, key, f"override path goes into {shown(node)} (expected a "
                f"mapping or list on the way)")])
        if locs is not None:
            cut = tuple(path)
            for k in [k for k in locs if k[:len(cut)] == cut]:
                del locs[k]
            locs[cut] = (f"{source} [override {key}]", None)
    return out


# ----------------------------------------------------------------------------- output
def scenario_to_dict(scenario: Scenario) -> dict:
    """Plain data of the effective scenario (JSON types; aliases as written in YAML)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


def dump_scenario(scenario: Scenario) -> str:
    """The effective scenario as YAML (after extends and overrides)."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True)


def scenario_digest(scenario: Scenario) -> str:
    """Content hash of the effective scenario (stable across runs and machines)."""
    canon = json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()


def scenario_json_schema() -> dict:
    """JSON Schema of the scenario format (for editors)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["properties"]["extends"] = {
        "type": "string", "description": "Path of a scenario this one overrides (deep merge)."}
    return schema
