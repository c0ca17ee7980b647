"""What a pydantic schema expects at a place of the data, in plain words.

Walks the models and the data together (unions resolved by what the data looks like), so a
message can say "expected a whole number >= 0" or list the keys a mapping takes.
"""

from __future__ import annotations

import datetime as dt
import numbers
import types
import typing
from typing import Annotated, Any

from annotated_types import Interval
from pydantic import AfterValidator, AllowInfNan, BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

DATE_WORDS = "a date written YYYY-MM-DD"
BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def node_at(data: Any, path: tuple) -> Any:
    """The value at ``path`` in plain data (None where the path does not lead)."""
    for part in path:
        if isinstance(data, dict) and has_key(data, part):
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def has_key(mapping: dict, key: Any) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False


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
    tp = strip_annotated(tp)
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


def strip_annotated(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def annotation_at(root: Any, path: tuple, data: Any) -> Any:
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
        node = node_at(node, (part,))
    return tp


def field_at(root: Any, path: tuple, data: Any):
    """The pydantic FieldInfo of the field at ``path`` (for a missing field)."""
    if not path:
        return None
    parent = _pick(annotation_at(root, path[:-1], data), node_at(data, path[:-1]))
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        return _model_fields(parent, path[-1])
    return None


def allowed_keys(model: Any, path: tuple, data: Any = None) -> list[str]:
    """Field names of the model found at ``path`` (empty if it cannot be told)."""
    node = _pick(annotation_at(model, path, data), node_at(data, path))
    if isinstance(node, type) and issubclass(node, BaseModel):
        return [f.alias or n for n, f in node.model_fields.items()]
    return []


def tagged_union(tp: Any) -> tuple[str, list[str], str] | None:
    """(tag field, tags, what one member is called) of a union of models told apart by a
    one-value Literal field, e.g. distributions by ``dist``; None for anything else."""
    args = [strip_annotated(a) for a in typing.get_args(strip_annotated(tp)) if a is not type(None)]
    if len(args) < 2 or not all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
        return None
    for name in args[0].model_fields:
        tags = []
        for a in args:
            f = a.model_fields.get(name)
            vals = typing.get_args(f.annotation) if f is not None else ()
            if f is None or typing.get_origin(f.annotation) is not typing.Literal or \
                    len(vals) != 1:
                break
            tags.append(vals[0])
        else:
            return name, tags, getattr(args[0], "member_word", name)
    return None


def is_day_or_date(tp: Any) -> bool:
    tp = strip_annotated(tp)
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    args = {strip_annotated(a) for a in typing.get_args(tp) if a is not type(None)}
    return args == {dt.date, int}


def describe(tp: Any, metadata: list | None = None) -> str:
    """Plain words for what a field takes: 'a whole number greater than 0', 'a list' ..."""
    if tp is None:
        return "a value"
    bounds = list(metadata or [])
    while typing.get_origin(tp) is typing.Annotated:
        tp, *more = typing.get_args(tp)
        bounds.extend(more)
    if is_day_or_date(tp):
        return f"{DATE_WORDS} or a day number (0 = start_date)"
    tagged = tagged_union(tp)
    if tagged is not None:
        first = typing.get_args(strip_annotated(tp))[0]
        return getattr(first, "described_as", f"a mapping with {tagged[0]}: one of "
                                                  f"{', '.join(tagged[1])}")
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        parts = [describe(a, bounds) for a in args if a is not type(None)]
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
            dt.date: DATE_WORDS}.get(tp, getattr(tp, "__name__", str(tp)))
    found = {key: [getattr(b, key) for b in bounds if getattr(b, key, None) is not None]
             for key, _ in BOUNDS}
    # keep the tightest bound on each side (Field(gt=0) on a NonNegativeFloat: just "> 0")
    low = max([(v, 1) for v in found["gt"]] + [(v, 0) for v in found["ge"]], default=None)
    high = min([(v, 0) for v in found["lt"]] + [(v, 1) for v in found["le"]], default=None)
    if tp is dt.date and (low or high):
        return base + "".join(
            [f", on or after {low[0]}" if low else "", f", on or before {high[0]}" if high else ""])
    words = []
    if low is not None:
        words.append(f"{'>' if low[1] else '>='} {number_words(low[0])}")
    if high is not None:
        words.append(f"{'<=' if high[1] else '<'} {number_words(high[0])}")
    return base + (" " + " and ".join(words) if words else "")


def number_words(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


# ----------------------------------------------------------------------------- strict values
# Field types that take only what they say: a whole number is never true/false nor written
# with a decimal point, a number is never true/false nor infinite nor NaN, and a name is one
# plain word a message or a KPI key can show without ambiguity.

MAX_WEIGHT = 1e15
"""Largest weight, share or indicator a payer rule or a country may carry (the world's GDP,
the largest figure such a key weighs, is about 1.05e14 USD: World Bank, World Development
Indicators, 2023); keeps sums and products of weights finite."""

MAX_NAME_LENGTH = 100
"""Longest id or name (they show in tables, figure legends and messages)."""

NAME_FORBIDDEN = ":>."
"""Characters an id may not hold: ':' and '>' separate the parts of KPI keys
(``cost:payer:USA``, ``moved:al_hol>karkh``) and ':' those of a located message, '.' those of
a dotted path (``fleets.road.units``)."""

NAME_WORDS = ("a plain name: one line, not empty, no spaces around it, none of ':', '>' or '.', "
              "at most 100 characters")
LABEL_WORDS = "one line of text, not empty, no spaces around it, at most 200 characters"
LINE_WORDS = "one line of text"


def whole_number(value: Any) -> int:
    """Before-validator of whole-number fields: an integer, never true/false (YAML reads yes,
    no, on and off as true/false) nor a number written with a decimal point or exponent."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise PydanticCustomError("int_type", "Input should be a valid integer")


def real_number(value: Any) -> float:
    """Before-validator of number fields: an integer or a decimal number, never true/false."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer too large for a float
            raise PydanticCustomError("finite_number", "Input should be a finite number") from None
        return value if type(value) in (int, float) else number  # messages show it as written
    raise PydanticCustomError("float_type", "Input should be a valid number")


def name_problem(text: str, longest: int = MAX_NAME_LENGTH, forbidden: str = NAME_FORBIDDEN
                 ) -> str | None:
    """What makes ``text`` unfit as a name (None if it is fit)."""
    if not text.strip():
        return "it is empty" if not text else "it is only spaces"
    if not text.isprintable():
        return "it holds a line break, a tab or another invisible character"
    if text != text.strip():
        return "it has spaces around it"
    bad = [c for c in forbidden if c in text]
    if bad:
        return "it holds " + " and ".join(repr(c) for c in bad)
    if len(text) > longest:
        return f"it is longer than {longest} characters"
    return None


def _plain_name(value: str) -> str:
    reason = name_problem(value)
    if reason:
        raise PydanticCustomError("plain_name", "{reason}", {"reason": reason})
    return value


def _label(value: str) -> str:
    reason = name_problem(value, longest=200, forbidden="")
    if reason:
        raise PydanticCustomError("plain_label", "{reason}", {"reason": reason})
    return value


def _single_line(value: str) -> str:
    if not value.isprintable():
        raise PydanticCustomError("plain_line", "{reason}", {
            "reason": "it holds a line break, a tab or another invisible character"})
    return value


Whole = Annotated[int, BeforeValidator(whole_number)]
"""A whole number (not true/false, not 2.0)."""
Real = Annotated[float, BeforeValidator(real_number), AllowInfNan(False)]
"""A finite number (not true/false, not .inf or .nan)."""
Fraction = Annotated[float, BeforeValidator(real_number), AllowInfNan(False), Interval(ge=0, le=1)]
"""A number from 0 to 1."""
Weight = Annotated[float, BeforeValidator(real_number), AllowInfNan(False),
                   Interval(le=MAX_WEIGHT)]
"""A finite weight up to :data:`MAX_WEIGHT` (its sign is checked where it is used)."""
PlainName = Annotated[str, AfterValidator(_plain_name)]
"""An id: a section key or a reference to one (see :data:`NAME_WORDS`)."""
Label = Annotated[str, AfterValidator(_label)]
"""A name people read: one line, not empty, no spaces around it."""
Line = Annotated[str, AfterValidator(_single_line)]
"""Short text on one line (may be empty)."""
