"""Pydantic validation errors in the words of a YAML file.

:func:`pydantic_findings` turns the errors of validating plain data (from YAML) against a
pydantic model into ``(path, message)`` findings, one per place, union branches merged. Each
message says what is wrong and what was expected there (mapping, list, whole number, date
YYYY-MM-DD ...), not pydantic's English. The scenario loader locates the findings in the
file; payer rules use it for their parameters.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.schema_words import (
    BOUNDS,
    DATE_WORDS,
    LABEL_WORDS,
    LINE_WORDS,
    NAME_WORDS,
    allowed_keys,
    annotation_at,
    describe,
    field_at,
    has_key,
    is_day_or_date,
    number_words,
    tagged_union,
)

Finding = tuple[tuple, str]


def pydantic_findings(exc: ValidationError, data: Any, root: type[BaseModel],
                      base: tuple = ()) -> list[Finding]:
    """Findings for the errors of validating ``data`` against ``root`` (found at ``base``):
    one per field, union branches merged."""
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
    out = []
    for (path, is_key), errs in grouped.items():
        path, message = _message(errs, path, is_key, root, data)
        out.append((base + path, message))
    return out


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
        if isinstance(node, dict) and not has_key(node, part):
            # pydantic writes a key that is not text (None, 1.5) as its str()
            part = next((k for k in node if not isinstance(k, str) and str(k) == part), part)
        if isinstance(node, dict) and has_key(node, part):
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


_TYPE_ERRORS = {
    "int_type", "int_parsing", "int_from_float", "int_parsing_size", "float_type",
    "float_parsing", "bool_type", "bool_parsing", "string_type", "dict_type", "list_type",
    "model_type",
    "model_attributes_type", "date_type", "date_parsing", "date_from_datetime_parsing",
    "date_from_datetime_inexact", "datetime_type", "datetime_parsing", "literal_error",
    "finite_number", "none_required", "is_instance_of",
}
_NAME_ERRORS = {"plain_name": ("name", NAME_WORDS), "plain_label": ("name", LABEL_WORDS),
                "plain_line": ("text", LINE_WORDS)}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _message(errs: list[dict], path: tuple, is_key: bool, root: type[BaseModel],
             data: Any) -> tuple[tuple, str]:
    """(path, message) for the errors found at one place."""
    types_ = {e["type"] for e in errs}
    first = errs[0]
    got = first.get("input")
    names = [e for e in errs if e["type"] in _NAME_ERRORS]
    if names and isinstance(got, str):
        what, words = _NAME_ERRORS[names[0]["type"]]
        return path, (f"invalid {'key' if is_key else what} {shown(got)}: "
                      f"{names[0]['ctx']['reason']} (expected {words})")
    if is_key or types_ == {"invalid_key"}:
        key = got
        if types_ == {"invalid_key"}:
            return path, f"invalid key {shown(key)} (expected a field name, written as text)"
        wants = " or ".join(dict.fromkeys(
            "a name written as text" if e["type"] == "string_type" else _expectation(e)
            for e in errs))
        word = "unknown" if "literal_error" in types_ else "invalid"
        return path, f"{word} key {shown(key)} (expected {wants})"
    if types_ == {"extra_forbidden"}:
        allowed = allowed_keys(root, path[:-1], data)
        hint = f" (expected one of: {', '.join(allowed)}{_did_you_mean(path[-1], allowed)})" \
            if allowed else ""
        return path, f"unknown key {quoted(path[-1])}{hint}"
    if "missing" in types_:
        name = path[-1] if path else "?"
        field = field_at(root, path, data)
        what = f" (expected {describe(field.annotation, field.metadata)})" if field else ""
        return path, f"required field '{name}' is missing{what}"
    if types_ & {"union_tag_invalid", "union_tag_not_found"}:
        ctx = first.get("ctx") or {}
        disc = str(ctx.get("discriminator", "dist")).strip("'\"")
        tags = ctx.get("expected_tags") or ""
        tagged = tagged_union(annotation_at(root, path, data))
        if tagged is not None and tagged[0] == disc:
            tags = ", ".join(tagged[1])
        if "union_tag_not_found" in types_:
            return path, f"'{disc}' is missing (expected {disc}: one of {tags})"
        tag = got.get(disc) if isinstance(got, dict) else got
        what = tagged[2] if tagged is not None and tagged[0] == disc else disc
        if not isinstance(tag, str):
            return path + (disc,), f"got {shown(tag)} (expected {disc}: one of {tags})"
        return path + (disc,), f"unknown {what} {shown(tag)} (expected one of: {tags})"
    if first["type"] == "value_error" and len(errs) == 1:
        return path, _expectation(first)
    annotation = annotation_at(root, path, data)
    if is_day_or_date(annotation) or _looks_day_or_date(types_):
        wants = describe(annotation) if annotation is not None else (
            f"{DATE_WORDS} or a day number (0 or more)")
        said = f"got {_kind(got)}" if isinstance(got, (dict, list)) else _invalid(got, errs)
        return path, f"{said} (expected {wants})"
    if types_ & {"too_short", "string_too_short"} and not got and got != 0:
        return path, f"{_empty(got)} (expected {_expectation(first)})"
    if types_ <= _TYPE_ERRORS | _BOUND_ERRORS and annotation is not None:
        wants = describe(annotation)
    else:
        wants = " or ".join(dict.fromkeys(_expectation(e) for e in errs))
    if "finite_number" in types_:
        wants = wants.replace("a number", "a finite number", 1)
    if isinstance(got, (dict, list)) and types_ <= _TYPE_ERRORS:
        return path, f"got {_kind(got)} (expected {wants})"
    if isinstance(got, bool):
        return path, (f"got {str(got).lower()}, a yes/no value (expected {wants}; YAML reads "
                      f"yes, no, on and off as true or false)")
    if isinstance(got, float) and got.is_integer() and wants.startswith("a whole number"):
        wants += ", written without a decimal point or exponent"
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
    return f"invalid value {shown(got)}"


SHOWN_LENGTH = 60
"""Longest value a message quotes (a longer one is cut, with '...')."""


def shown(value: Any) -> str:
    """A value as a message shows it (a mapping, a list, a date, or its repr, on one line and
    cut to :data:`SHOWN_LENGTH` characters)."""
    if isinstance(value, (dict, list)):
        return _kind(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


def quoted(name: Any) -> str:
    """A name in quotes as a message shows it: ``'al_hol'``, or with escapes when it is not
    one plain line (so that it can never print a line of its own), cut when it is long."""
    text = str(name)
    if text.isprintable() and len(text) <= SHOWN_LENGTH:
        return f"'{text}'"
    return shown(text)


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
    "date_type": DATE_WORDS, "date_parsing": DATE_WORDS, "date_from_datetime_parsing": DATE_WORDS,
    "date_from_datetime_inexact": DATE_WORDS, "finite_number": "a finite number",
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
    for key, sign in BOUNDS:
        if key in ctx and etype in _BOUND_ERRORS:
            return f"a number {sign} {number_words(ctx[key])}"
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
