"""The words of payer rules: ledger entries as a rule sees them, rule references, rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.schema_words import Label

Shares = dict[str, float]
Finding = tuple[tuple, str]
"""(path below the place checked, message): a problem a check found."""


class RuleError(ValueError):
    """A rule cannot give shares for an entry (unknown payer, no positive weight, ...)."""


@dataclass(frozen=True)
class Entry:
    """One ledger entry as a rule sees it."""

    category: str
    """Cost category (``transport``, ``detention_iraq`` ...) or personnel kind (``escort``,
    ``guard``); see :mod:`sim.costs`."""
    location: str
    """Origin site or destination id."""
    nationality: str
    amount: float = 1.0
    side: Literal["syria", "iraq"] = "syria"
    """``syria`` for an origin site, ``iraq`` for a destination."""
    controller: str | None = None
    """Controller of the origin site that day (None in Iraq)."""
    activity: str = "holding"
    """One of :data:`sim.costs.ACTIVITIES`."""
    measure: Literal["cost", "personnel"] = "cost"


class RuleRef(BaseModel):
    """A rule named in YAML: ``{rule: key, params: {...}}``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    rule: Label
    params: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class RuleDef:
    """A registered payer rule."""

    name: str
    fn: Callable[..., Mapping[str, float]]
    params: type[BaseModel] | None = None
    """Pydantic model validating the parameters (None: any mapping, passed read-only)."""
    check: Callable[..., Iterator[Finding]] | None = None
    """``check(params, ctx)`` yields (path relative to ``params``, message) findings."""
    reference: Callable[..., Shares | None] | None = None
    """``reference(params, ctx)``: the shares of a pooled dollar (the rule's key), or None."""
