"""Load a scenario: read YAML, resolve ``extends:``, apply overrides, validate, check references.

Every problem found is collected and raised together as one :class:`ScenarioError` whose
lines read ``file:line: path.to.field: what is wrong (expected ...)``.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.checks import check_references
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import Locations, deep_merge, dotted, locate, read_yaml

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
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, 1, "", "expected a mapping of sections at the top")])
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


def _read_with_extends(path: Path, stack: tuple[Path, ...]) -> tuple[dict, Locations]:
    data, locs = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), 1, "", "expected a mapping of sections at the top")])
    parent = data.pop("extends", None)
    if parent is None:
        return data, locs
    where = locate(locs, ("extends",), str(path))
    if not isinstance(parent, str):
        raise ScenarioError([Problem(*where, "extends", "expected the path of a scenario file")])
    parent_path = (path.parent / parent).resolve()
    chain = stack + (path.resolve(),)
    if parent_path in chain:
        cycle = " -> ".join(p.name for p in chain + (parent_path,))
        raise ScenarioError([Problem(*where, "extends", f"cycle in extends: {cycle}")])
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError([Problem(*where, "extends", "extends chain too deep")])
    if not parent_path.is_file():
        raise ScenarioError(
            [Problem(*where, "extends", f"file '{parent}' not found (expected a path relative "
                     f"to {path.parent})")]
        )
    base, base_locs = _read_with_extends(parent_path, chain)
    merged_locs = dict(base_locs)
    merged_locs.update({k: v for k, v in locs.items() if k != ("extends",)})
    return deep_merge(base, data), merged_locs


def apply_overrides(data: dict, overrides: dict[str, Any], source: str,
                    locs: Locations | None = None) -> dict:
    """Set values by dotted path (``fleets.road.units``); list items by index."""
    out = deep_merge(data, {})
    for key, value in overrides.items():
        parts: list[Any] = key.split(".")
        node: Any = out
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                raise ScenarioError([Problem(source, None, key,
                                             f"override path does not exist at '{parts[i]}'")])
        last = parts[-1]
        if isinstance(node, list):
            if not (last.isdigit() and int(last) < len(node)):
                raise ScenarioError([Problem(source, None, key, "override index out of range")])
            node[int(last)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise ScenarioError([Problem(source, None, key, "override path is not a mapping")])
    return out


# ----------------------------------------------------------------------------- messages
def pydantic_problems(exc: ValidationError, data: Any, locs: Locations, source: str,
                      root: type[BaseModel]) -> list[Problem]:
    """Turn pydantic errors into located problems (one per field; union branches merged)."""
    grouped: dict[tuple, list[dict]] = {}
    for err in exc.errors(include_url=False):
        path = _data_path(err["loc"], data)
        grouped.setdefault(path, []).append(err)
    problems = []
    for path, errs in grouped.items():
        file, line = locate(locs, path, source)
        problems.append(Problem(file, line, dotted(path), _message(errs, path, root)))
    return problems


def _data_path(loc: tuple, data: Any) -> tuple:
    """Drop pydantic's internal loc parts (union branch names) that are not in the data."""
    out: list = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif last and isinstance(node, dict):
            out.append(part)
        # else: a union tag or validator name: skip
    return tuple(out)


def _message(errs: list[dict], path: tuple, root: type[BaseModel]) -> str:
    types_ = {e["type"] for e in errs}
    first = errs[0]
    if types_ == {"extra_forbidden"}:
        allowed = _allowed_keys(root, path[:-1])
        hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
        return f"unknown key '{path[-1]}'{hint}"
    if "missing" in types_:
        return "required field is missing"
    if "union_tag_invalid" in types_ or "union_tag_not_found" in types_:
        got = first.get("input")
        got_dist = got.get("dist") if isinstance(got, dict) else got
        from sim.scenario.distributions import DIST_NAMES

        return (f"unknown distribution {got_dist!r} "
                f"(expected dist: one of {', '.join(DIST_NAMES)})")
    got = first.get("input")
    shown = "" if isinstance(got, (dict, list)) else f" {got!r}"
    wants = "; or ".join(dict.fromkeys(_expectation(e) for e in errs))
    if first["type"] == "value_error":
        return wants
    return f"invalid value{shown} (expected {wants})"


def _expectation(err: dict) -> str:
    msg = err["msg"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    for prefix in ("Input should be ", "Input should have ", "Input "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


def _allowed_keys(model: Any, path: tuple) -> list[str]:
    """Field names of the model found at ``path`` (empty if it cannot be told)."""
    node: Any = model
    for part in path:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part) or next(
                (f for f in node.model_fields.values() if f.alias == part), None)
            if field is None:
                return []
            node = field.annotation
        else:
            origin = typing.get_origin(node)
            args = typing.get_args(node)
            if origin in (list, dict) and args:
                node = args[-1]
            else:
                return []
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [f.alias or n for n, f in node.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(args) == 1:
            return _unwrap(args[0])
        if len(models) == 1:
            return models[0]
    return tp


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
