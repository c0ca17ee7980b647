"""Load a scenario: read YAML, resolve ``extends:``, apply overrides, validate, check references.

Every problem found is collected and raised together as one :class:`ScenarioError` whose
lines read ``file:line: path.to.field: what is wrong (expected ...)``.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
import os
import re
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
    parent = data.pop("extends", None)
    if parent is None:
        return data, locs
    where = locate(locs, ("extends",), str(path))
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError([Problem(*where, "extends", f"invalid value {parent!r} (expected "
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
    if not parent_path.is_file():
        raise ScenarioError(
            [Problem(*where, "extends", f"file '{parent}' not found (expected a path relative "
                     f"to {path.parent})")]
        )
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
                source, None, key, f"override path goes into {_shown(node)} (expected a "
                f"mapping or list on the way)")])
        if locs is not None:
            cut = tuple(path)
            for k in [k for k in locs if k[:len(cut)] == cut]:
                del locs[k]
            locs[cut] = (f"{source} [override {key}]", None)
    return out


# ----------------------------------------------------------------------------- messages
def pydantic_problems(exc: ValidationError, data: Any, locs: Locations, source: str,
                      root: type[BaseModel]) -> list[Problem]:
    """Turn pydantic errors into located problems: one per field, union branches merged.

    Each message says what is wrong and what was expected there, in the words of the YAML
    file (mapping, list, whole number, date YYYY-MM-DD ...), not pydantic's.
    """
    raw = []
    for err in exc.errors(include_url=False):
        path, union_at, is_key = _data_path(err["loc"], data, err["type"])
        raw.append((path, union_at, is_key, err))
    # a union reports every branch; keep the branch(es) that got furthest into the data
    # (e.g. a list of ids with one bad item, rather than "expected '*'" as well)
    deepest: dict[tuple, int] = {}
    for path, union_at, _k, _e in raw:
        if union_at is not None:
            key = path[:union_at]
            deepest[key] = max(deepest.get(key, 0), len(path) - union_at)
    grouped: dict[tuple[tuple, bool], list[dict]] = {}
    for path, union_at, is_key, err in raw:
        if union_at is not None and len(path) - union_at < deepest[path[:union_at]]:
            continue
        grouped.setdefault((path, is_key), []).append(err)
    problems = []
    for (path, is_key), errs in grouped.items():
        path, message = _message(errs, path, is_key, root, data)
        file, line = locate(locs, path, source)
        problems.append(Problem(file, line, dotted(path), message))
    return problems


def _data_path(loc: tuple, data: Any, etype: str) -> tuple[tuple, int | None, bool]:
    """The path in the data of an error, where a union branch label was skipped, and
    whether the error is about a mapping key rather than a value."""
    out: list = []
    node = data
    union_at = None
    is_key = False
    for i, part in enumerate(loc):
        if part == "[key]":
            is_key = True
            continue
        if isinstance(node, dict) and not _has(node, part):
            # pydantic writes a key that is not text (None, 1.5) as its str()
            part = next((k for k in node if not isinstance(k, str) and str(k) == part), part)
        if isinstance(node, dict) and _has(node, part):
            out.append(part)
            node = node[part]
        elif (isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool)
              and 0 <= part < len(node)):
            out.append(part)
            node = node[part]
        elif i == len(loc) - 1 and etype == "missing":
            out.append(part)
        elif union_at is None:  # a union branch label (or a validator name): not in the data
            union_at = len(out)
    return tuple(out), union_at, is_key


def _has(mapping: dict, key: Any) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False


def _node(data: Any, path: tuple) -> Any:
    for part in path:
        if isinstance(data, dict) and _has(data, part):
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


_TYPE_ERRORS = {
    "int_type", "int_parsing", "int_from_float", "int_parsing_size", "float_type",
    "float_parsing", "bool_type", "bool_parsing", "string_type", "dict_type", "list_type",
    "model_type",
    "model_attributes_type", "date_type", "date_parsing", "date_from_datetime_parsing",
    "date_from_datetime_inexact", "datetime_type", "datetime_parsing", "literal_error",
    "finite_number", "none_required", "is_instance_of",
}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_DATE = "a date written YYYY-MM-DD"
_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def _message(errs: list[dict], path: tuple, is_key: bool, root: type[BaseModel],
             data: Any) -> tuple[tuple, str]:
    """(path, message) for the errors found at one place."""
    types_ = {e["type"] for e in errs}
    first = errs[0]
    got = first.get("input")
    if is_key or types_ == {"invalid_key"}:
        key = got
        if types_ == {"invalid_key"}:
            return path, f"invalid key {key!r} (expected a field name, written as text)"
        wants = " or ".join(dict.fromkeys(
            "a name written as text" if e["type"] == "string_type" else _expectation(e)
            for e in errs))
        word = "unknown" if "literal_error" in types_ else "invalid"
        return path, f"{word} key {key!r} (expected {wants})"
    if types_ == {"extra_forbidden"}:
        allowed = _allowed_keys(root, path[:-1], data)
        hint = f" (expected one of: {', '.join(allowed)}{_did_you_mean(path[-1], allowed)})" \
            if allowed else ""
        return path, f"unknown key '{path[-1]}'{hint}"
    if "missing" in types_:
        name = path[-1] if path else "?"
        field = _field_at(root, path, data)
        what = f" (expected {_describe(field.annotation, field.metadata)})" if field else ""
        return path, f"required field '{name}' is missing{what}"
    if types_ & {"union_tag_invalid", "union_tag_not_found"}:
        ctx = first.get("ctx") or {}
        disc = str(ctx.get("discriminator", "dist")).strip("'\"")
        tags = ctx.get("expected_tags") or ""
        if disc == "dist":
            from sim.scenario.distributions import DIST_NAMES

            tags = ", ".join(DIST_NAMES)
        if "union_tag_not_found" in types_:
            return path, f"'{disc}' is missing (expected {disc}: one of {tags})"
        tag = got.get(disc) if isinstance(got, dict) else got
        what = "distribution" if disc == "dist" else disc
        if not isinstance(tag, str):
            return path + (disc,), f"got {_shown(tag)} (expected {disc}: one of {tags})"
        return path + (disc,), f"unknown {what} {tag!r} (expected one of: {tags})"
    if first["type"] == "value_error" and len(errs) == 1:
        return path, _expectation(first)
    annotation = _annotation_at(root, path, data)
    if _is_day_or_date(annotation) or _looks_day_or_date(types_):
        wants = _describe(annotation) if annotation is not None else (
            f"{_DATE} or a day number (0 or more)")
        shown = f"got {_kind(got)}" if isinstance(got, (dict, list)) else _invalid(got, errs)
        return path, f"{shown} (expected {wants})"
    if types_ & {"too_short", "string_too_short"} and not got and got != 0:
        return path, f"{_empty(got)} (expected {_expectation(first)})"
    if types_ <= _TYPE_ERRORS | _BOUND_ERRORS and annotation is not None:
        wants = _describe(annotation)
    else:
        wants = " or ".join(dict.fromkeys(_expectation(e) for e in errs))
    if isinstance(got, (dict, list)) and types_ <= _TYPE_ERRORS:
        return path, f"got {_kind(got)} (expected {wants})"
    return path, f"{_invalid(got, errs)} (expected {wants})"


def _empty(got: Any) -> str:
    return {dict: "empty mapping", list: "empty list", str: "empty text"}.get(type(got), "empty")


def _did_you_mean(word: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def _looks_day_or_date(types_: set[str]) -> bool:
    return any(t.startswith("date") for t in types_) and any(
        t.startswith("int") or t.startswith("greater") for t in types_)


def _invalid(got: Any, errs: list[dict]) -> str:
    """``invalid date '2026-13-40': month value is outside ...`` or ``invalid value 'x'``."""
    dates = any(e["type"].startswith("date") for e in errs)
    if dates and isinstance(got, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", got):
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", got):
            y, m, d = (int(x) for x in got.strip().split("-"))
            return (f"invalid date {got!r}: month and day take two digits "
                    f"(e.g. {y:04d}-{m:02d}-{d:02d})")
        detail = next((str((e.get("ctx") or {}).get("error")) for e in errs
                       if e["type"].startswith("date") and (e.get("ctx") or {}).get("error")),
                      "")
        return f"invalid date {got!r}" + (f": {detail}" if detail else "")
    if got is None:
        return "empty value"
    return f"invalid value {_shown(got)}"


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


_WORDS = {
    "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "int_parsing_size": "a whole number of sensible size",
    "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "string_type": "text",
    "dict_type": "a mapping (key: value)", "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields", "list_type": "a list",
    "date_type": _DATE, "date_parsing": _DATE, "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE, "finite_number": "a finite number",
}


def _expectation(err: dict) -> str:
    """What was expected, from one pydantic error (type and context, not its English)."""
    etype, ctx = err["type"], err.get("ctx") or {}
    if etype in _WORDS:
        return _WORDS[etype]
    if etype == "value_error":
        msg = err["msg"]
        return msg[len("Value error, "):] if msg.startswith("Value error, ") else msg
    if etype == "literal_error":
        expected = str(ctx.get("expected", ""))
        head, _, tail = expected.rpartition(" or ")
        return f"one of: {head}, {tail}" if head else expected
    for key, sign in _BOUNDS:
        if key in ctx and etype in _BOUND_ERRORS:
            return f"a number {sign} {_num(ctx[key])}"
    if etype in ("too_short", "string_too_short"):
        n = ctx.get("min_length", 1)
        unit = "character" if etype == "string_too_short" else "entry"
        return f"at least {n} {unit}{'s' if n != 1 else ''}"
    if etype in ("too_long", "string_too_long"):
        return f"at most {ctx.get('max_length')} entries"
    msg = err["msg"]
    for prefix in ("Input should be ", "Input should have ", "Input "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


# ---- what the schema expects at a place (walking models and the data together)
def _model_fields(model: type[BaseModel], key: Any):
    if not isinstance(key, str):
        return None
    return model.model_fields.get(key) or next(
        (f for f in model.model_fields.values() if f.alias == key), None)


def _pick(tp: Any, node: Any) -> Any:
    """Unwrap Annotated/Optional; choose the union branch that fits the data, if one does."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _pick(typing.get_args(tp)[0], node)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _pick(args[0], node)
        fits = [a for a in args if _fits(a, node)]
        if len(fits) == 1:
            return _pick(fits[0], node)
    return tp


def _fits(tp: Any, node: Any) -> bool:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if not isinstance(node, dict):
            return False
        for name, field in tp.model_fields.items():  # single-value Literal fields: tags
            if typing.get_origin(field.annotation) is typing.Literal:
                vals = typing.get_args(field.annotation)
                key = field.alias or name
                if len(vals) == 1 and node.get(key) not in vals:
                    return False
        return True
    origin = typing.get_origin(tp)
    if origin is list:
        return isinstance(node, list)
    if origin is dict:
        return isinstance(node, dict)
    return not isinstance(node, (dict, list))


def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _annotation_at(root: Any, path: tuple, data: Any) -> Any:
    """The annotation the schema has at ``path`` (None if it cannot be told)."""
    tp, node = root, data
    for part in path:
        tp = _pick(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = _model_fields(tp, part)
            if field is None:
                return None
            tp = field.annotation
            if field.metadata:
                tp = typing.Annotated[(tp, *field.metadata)]
        else:
            origin, args = typing.get_origin(tp), typing.get_args(tp)
            if origin in (list, dict) and args:
                tp = args[-1]
            else:
                return None
        node = _node(node, (part,))
    return tp


def _field_at(root: Any, path: tuple, data: Any):
    """The pydantic FieldInfo of the field at ``path`` (for a missing field)."""
    if not path:
        return None
    parent = _pick(_annotation_at(root, path[:-1], data), _node(data, path[:-1]))
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        return _model_fields(parent, path[-1])
    return None


def _allowed_keys(model: Any, path: tuple, data: Any = None) -> list[str]:
    """Field names of the model found at ``path`` (empty if it cannot be told)."""
    node = _pick(_annotation_at(model, path, data), _node(data, path))
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [f.alias or n for n, f in node.model_fields.items()]
    return []


def _is_dist_union(tp: Any) -> bool:
    from sim.scenario.distributions import _Dist

    args = [_strip(a) for a in typing.get_args(_strip(tp)) if a is not type(None)]
    return bool(args) and all(isinstance(a, type) and issubclass(a, _Dist) for a in args)


def _is_day_or_date(tp: Any) -> bool:
    tp = _strip(tp)
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    args = {_strip(a) for a in typing.get_args(tp) if a is not type(None)}
    return args == {dt.date, int}


def _describe(tp: Any, metadata: list | None = None) -> str:
    """Plain words for what a field takes: 'a whole number greater than 0', 'a list' ..."""
    if tp is None:
        return "a value"
    bounds = list(metadata or [])
    while typing.get_origin(tp) is typing.Annotated:
        tp, *more = typing.get_args(tp)
        bounds.extend(more)
    if _is_day_or_date(tp):
        return f"{_DATE} or a day number (0 = start_date)"
    if _is_dist_union(tp):
        return "a distribution, e.g. {dist: fixed, value: 1} or {dist: lognormal, mean: 2, sd: 1}"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        parts = [_describe(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(parts))
    if origin is typing.Literal:
        return "one of: " + ", ".join(repr(a) for a in args) if len(args) > 1 else repr(args[0])
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping (key: value)"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "a mapping with " + ", ".join(
            (f.alias or n) for n, f in tp.model_fields.items() if f.is_required()) + \
            " (see `sim schema`)" if any(f.is_required() for f in tp.model_fields.values()) \
            else "a mapping of fields"
    base = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
            dt.date: _DATE}.get(tp, getattr(tp, "__name__", str(tp)))
    found = {key: [getattr(b, key) for b in bounds if getattr(b, key, None) is not None]
             for key, _ in _BOUNDS}
    # keep the tightest bound on each side (Field(gt=0) on a NonNegativeFloat: just "> 0")
    low = max([(v, 1) for v in found["gt"]] + [(v, 0) for v in found["ge"]], default=None)
    high = min([(v, 0) for v in found["lt"]] + [(v, 1) for v in found["le"]], default=None)
    words = []
    if low is not None:
        words.append(f"{'>' if low[1] else '>='} {_num(low[0])}")
    if high is not None:
        words.append(f"{'<=' if high[1] else '<'} {_num(high[0])}")
    return base + (" " + " and ".join(words) if words else "")


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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
