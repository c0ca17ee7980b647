"""Uncertain inputs as data: the ``uncertainties:`` section of a scenario.

Each entry names one or more fields by the dotted paths that batch sweeps use
(:func:`sim.scenario.apply_overrides`), a distribution over their plausible range and the
source or assumption tag the range comes from (YAML)::

    uncertainties:
      iraq_budget:
        path: [policies.iraq_alone.budgets.IRQ.annual, policies.eu_key.budgets.IRQ.annual]
        dist: uniform            # uniform, triangular, lognormal, integer, categorical
        low: 25.0e6
        high: 150.0e6
        source: "[P2]"
      road_distance:
        path: [routes.0.distance_km, routes.1.distance_km]
        scale: true              # the value multiplies each field's value in the scenario
        dist: uniform
        low: 0.92
        high: 1.23
        source: "[A20]"

- ``uniform`` (low, high), ``triangular`` (low, mode, high), ``integer`` (low, high, both
  included; for a date field, days from ``metadata.start_date``), ``categorical`` (values:
  any YAML values, equally likely);
- ``lognormal`` (low, high): 90% of the mass between ``low`` and ``high`` (the 5% and 95%
  quantiles), cut at the 0.5% and 99.5% quantiles so that every value is finite.

A value drawn for a field whose value in the scenario is an integer is rounded. The entry
``name: null`` in a scenario that ``extends:`` another removes an inherited uncertainty.

:func:`check_uncertainties` (called by the scenario checks) reports unknown paths and range
ends that would make the scenario invalid; :func:`unit_to_values` and :func:`overrides` turn a
design point in the unit hypercube into the overrides of one scenario.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from statistics import NormalDist
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import Base

DISTS = ("uniform", "triangular", "lognormal", "integer", "categorical")
_TAG = re.compile(r"\[[ASP]\d+[a-z]?\]")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-:]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_Z95 = NormalDist().inv_cdf(0.95)
LOGNORMAL_CUT = 0.005
"""A lognormal is cut at this quantile and at 1 minus it."""


class Uncertainty(Base):
    """One uncertain input: fields (by dotted path), a distribution and its source."""

    path: str | list[str]
    """Dotted path(s) of the field(s) that take the drawn value (all take the same one)."""
    dist: Literal["uniform", "triangular", "lognormal", "integer", "categorical"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    values: list[Any] | None = None
    """The categories of a ``categorical`` uncertainty."""
    scale: bool = False
    """The drawn value multiplies each field's value (numbers inside a mapping too)."""
    source: str = Field(min_length=1)
    """Where the range comes from: an assumption or source tag such as ``[A21]``."""
    note: str = ""
    fit: bool = False
    """Calibration (``sim calibrate``) fits this one to the observations; the others are
    drawn from their distribution in every calibration run."""

    @field_validator("path")
    @classmethod
    def _paths(cls, value: str | list[str]) -> str | list[str]:
        paths = [value] if isinstance(value, str) else value
        if not paths:
            raise ValueError("no path (expected a dotted path, or a list of them)")
        for p in paths:
            if not _DOTTED.match(p):
                raise ValueError(f"'{p}' is not a dotted path (expected e.g. "
                                 f"fleets.road_convoy.units)")
        if len(set(paths)) < len(paths):
            raise ValueError("a path is listed twice (expected each once)")
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not _TAG.search(value):
            raise ValueError(f"'{value}' names no source or assumption (expected a tag such "
                             f"as [A21], [P2] or [S13], as in docs/sources.md)")
        return value

    @model_validator(mode="after")
    def _range(self) -> Uncertainty:
        need = {"uniform": ("low", "high"), "lognormal": ("low", "high"),
                "integer": ("low", "high"), "triangular": ("low", "mode", "high"),
                "categorical": ("values",)}[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(need)} (missing: "
                             f"{', '.join(missing)})")
        extra = [k for k in ("low", "high", "mode", "values")
                 if k not in need and getattr(self, k) is not None]
        if extra:
            raise ValueError(f"{', '.join(extra)} has no meaning for {self.dist} (expected "
                             f"{', '.join(need)})")
        if self.dist == "categorical":
            texts = [json.dumps(v, sort_keys=True, default=str) for v in self.values or []]
            if len(set(texts)) < 2:
                raise ValueError("empty range: a categorical needs at least two distinct "
                                 "values")
            return self
        low, high = float(self.low), float(self.high)
        if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
            raise ValueError(f"empty range: low ({self.low}) must be below high ({self.high})")
        if self.dist == "integer" and (low != int(low) or high != int(high)):
            raise ValueError("integer bounds must be whole numbers")
        if self.dist == "lognormal" and low <= 0:
            raise ValueError(f"a lognormal needs low > 0 (got {self.low})")
        if self.dist == "triangular" and not low <= float(self.mode) <= high:
            raise ValueError(f"mode ({self.mode}) must lie between low and high")
        return self

    # ---------------------------------------------------------------- values
    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if isinstance(self.path, str) else tuple(self.path)

    @property
    def tags(self) -> list[str]:
        return _TAG.findall(self.source)

    def value(self, u: float) -> Any:
        """The value at quantile ``u`` in [0, 1] (the inverse distribution function)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.dist == "categorical":
            values = self.values or []
            return copy.deepcopy(values[min(int(u * len(values)), len(values) - 1)])
        low, high = float(self.low), float(self.high)
        if self.dist == "uniform":
            return low + u * (high - low)
        if self.dist == "integer":
            n = int(high - low) + 1
            return int(low) + min(int(u * n), n - 1)
        if self.dist == "triangular":
            from scipy.stats import triang

            c = (float(self.mode) - low) / (high - low)
            return float(triang.ppf(u, c, loc=low, scale=high - low))
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / (2 * _Z95)
        q = LOGNORMAL_CUT + (1 - 2 * LOGNORMAL_CUT) * u
        return math.exp(mu + sigma * NormalDist().inv_cdf(q))

    def ends(self) -> list[tuple[str, Any]]:
        """The extreme values a design can draw, with the key that sets each."""
        if self.dist == "categorical":
            return [(f"values.{i}", v) for i, v in enumerate(self.values or [])]
        return [("low", self.value(0.0)), ("high", self.value(1.0))]

    def range_text(self) -> str:
        """The range in words, e.g. ``uniform 25e6-150e6``."""
        if self.dist == "categorical":
            return f"one of {len(self.values or [])}: " + " / ".join(
                _short(v) for v in self.values or [])
        core = f"{_num(self.low)}-{_num(self.high)}"
        if self.dist == "triangular":
            core = f"{_num(self.low)}-{_num(self.high)}, mode {_num(self.mode)}"
        if self.dist == "lognormal":
            core += " (90%)"
        return f"{self.dist} {core}" + (" x value" if self.scale else "")


Uncertainties = dict[str, Uncertainty | None]
"""The section: name -> uncertainty (None: an inherited one removed)."""


def active(section: Mapping[str, Uncertainty | None] | None) -> dict[str, Uncertainty]:
    """The uncertainties of a section, without the removed ones."""
    return {k: v for k, v in (section or {}).items() if v is not None}


def _num(x: Any) -> str:
    x = float(x)
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
    return f"{x:g}"


def _short(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


# ----------------------------------------------------------------------------- paths
_MISSING = object()


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path of plain data (``_MISSING`` when there is none)."""
    node = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _MISSING
    return node


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(round(value * factor))
    if isinstance(value, float):
        return value * factor
    if isinstance(value, dict):
        return {k: _scaled(v, factor) for k, v in value.items()}
    if isinstance(value, list):
        return [_scaled(v, factor) for v in value]
    return value


def overrides(section: Mapping[str, Uncertainty], values: Mapping[str, Any],
              base: dict) -> dict[str, Any]:
    """Overrides by dotted path that give each named uncertainty its value in ``base``
    (plain scenario data): scaled for ``scale: true``, rounded for integer fields."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        unc = section[name]
        if unc.dist == "integer" and isinstance(value, float):  # e.g. read from a CSV file
            value = int(round(value))
        for path in unc.paths:
            old = lookup(base, path)
            if unc.scale:
                out[path] = _scaled(old, float(value))
            elif isinstance(old, int) and not isinstance(old, bool) and isinstance(
                    value, float):
                out[path] = int(round(value))
            else:
                out[path] = copy.deepcopy(value)
    return out


def unit_to_values(section: Mapping[str, Uncertainty], names: Sequence[str],
                   unit: Sequence[float]) -> dict[str, Any]:
    """Values of the named uncertainties at a point of the unit hypercube."""
    return {name: section[name].value(u) for name, u in zip(names, unit)}


# ----------------------------------------------------------------------------- checks
Finding = tuple[tuple, str]


def check_uncertainties(scn: Any, references: Callable[[Any, dict], list[Finding]],
                        strict: bool = False) -> list[Finding]:
    """Problems of ``scn.uncertainties`` as (path, message).

    Always: names. With ``strict`` (when the scenario is explored): unknown paths, and range
    ends that make the scenario invalid, checked against the schema (``type(scn)``) and by
    ``references`` (the scenario's cross-reference checks). Loading a scenario is not
    strict, so that a variant with other policies or a shorter horizon still runs while
    inherited uncertainties no longer fit it."""
    section = getattr(scn, "uncertainties", None)
    if not section:
        return []
    if not strict:
        return [(("uncertainties", name), f"name '{name}' is not a plain name (expected "
                                          f"letters, digits and _, starting with a letter)")
                for name in section if not _NAME.match(name)]
    data = scn.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("uncertainties", None)
    key = json.dumps([data, {k: v.model_dump(mode="json") if v else None
                             for k, v in section.items()}], sort_keys=True, default=str)
    return list(_check(key, type(scn), references))


@lru_cache(maxsize=32)
def _check(key: str, schema: type, references: Callable) -> tuple[Finding, ...]:
    data, raw = json.loads(key)
    section = {k: Uncertainty.model_validate(v) for k, v in raw.items() if v is not None}
    out: list[Finding] = []
    for name, unc in section.items():
        where = ("uncertainties", name)
        if not _NAME.match(name):
            out.append((where, f"name '{name}' is not a plain name (expected letters, digits "
                               f"and _, starting with a letter)"))
        for i, path in enumerate(unc.paths):
            at = where + (("path",) if isinstance(unc.path, str) else ("path", i))
            problem = _path_problem(data, path, unc)
            if problem:
                out.append((at, problem))
    if out:
        return tuple(out)
    return tuple(_domain(section, data, schema, references))
def _path_problem(data: dict, path: str, unc: Uncertainty) -> str | None:
    node: Any = data
    for j, part in enumerate(path.split(".")):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            where = ".".join(path.split(".")[:j]) or "the top level"
            if isinstance(node, dict):
                keys = ", ".join(sorted(map(str, node))[:12])
                return (f"unknown path '{path}': '{part}' is not a key of {where} (expected "
                        f"one of: {keys})")
            if isinstance(node, list):
                return (f"unknown path '{path}': {where} has {len(node)} items (expected an "
                        f"index from 0 to {len(node) - 1})")
            return f"unknown path '{path}': {where} is a single value (expected a mapping)"
    number = isinstance(node, (int, float)) and not isinstance(node, bool)
    date = unc.dist == "integer" and isinstance(node, str) and _DATE.match(node)
    if unc.dist != "categorical" and not unc.scale and not (number or date):
        return (f"path '{path}' holds {_short(node)} (expected a number for a {unc.dist} "
                f"uncertainty, or a date for an integer one (days from the start); use "
                f"scale: true to multiply the numbers inside it)")
    return None


def _valid(data: dict, schema: type, references: Callable) -> list[str]:
    """Problems of plain scenario data (without uncertainties), as ``path: message``."""
    from pydantic import ValidationError

    from sim.messages import pydantic_findings
    from sim.scenario.yamlio import dotted

    try:
        scn = schema.model_validate(data)
    except ValidationError as exc:
        return [f"{dotted(p)}: {m}" for p, m in pydantic_findings(exc, data, schema)]
    return [f"{dotted(p)}: {m}" for p, m in references(scn, data)]


def with_values(data: dict, changes: Mapping[str, Any]) -> dict:
    """A copy of plain data with the values at existing dotted paths replaced."""
    out = copy.deepcopy(data)
    for path, value in changes.items():
        *head, last = path.split(".")
        node: Any = out
        for part in head:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = copy.deepcopy(value)
        else:
            node[last] = copy.deepcopy(value)
    return out


def _domain(section: dict[str, Uncertainty], data: dict, schema: type,
            references: Callable) -> Iterator[Finding]:
    def trial(values: dict[str, Any]) -> list[str]:
        return _valid(with_values(data, overrides(section, values, data)), schema, references)

    numeric = {n: u for n, u in section.items() if u.dist != "categorical"}
    together = [{n: u.value(0.0) for n, u in numeric.items()},
                {n: u.value(1.0) for n, u in numeric.items()}]
    failing = [values for values in together if trial(values)]
    # categorical values one by one; numeric ends one by one only when they fail together
    single = [n for n, u in section.items() if u.dist == "categorical" or failing]
    found = False
    for name in single:
        for key, value in section[name].ends():
            problems = trial({name: value})
            if problems:
                found = True
                yield (("uncertainties", name) + tuple(
                    int(p) if p.isdigit() else p for p in key.split(".")),
                       f"the range end {_short(value)} gives an invalid scenario: "
                       f"{problems[0]}")
    if failing and not found:
        for which, values in zip(("low", "high"), together):
            problems = trial(values)
            if problems:
                yield (("uncertainties",), f"every uncertainty at its {which} end together "
                                           f"gives an invalid scenario: {problems[0]} "
                                           f"(expected ranges that can be combined)")
