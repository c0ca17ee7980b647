"""The ``policies:`` section of a scenario: pydantic models and located checks.

A policy names a payer rule (with parameters), payers' annual budgets, an optional pooled
fund that buys capacity, a security-sharing rule for personnel-days, and an optional
reference key. Example (YAML)::

    policies:
      eu_key:
        description: EU 2015 key among a coalition, pooled fund for beds
        rule: key
        params: {participants: [USA, GBR, FRA, DEU, IRQ]}
        budgets:
          IRQ: {annual: 60.0e6}
          USA: {annual: 130.0e6, fiscal_year_start: "10-01"}
        fund:
          contributions: {rule: key, params: {participants: [USA, GBR, FRA, DEU]}}
          annual: 20.0e6
          threshold: 100
          buy:
            - {kind: beds, target: karkh, amount: 1000, cost: 10.0e6, lag_days: 90}
        security: {rule: host_pays}

:func:`check_policies` yields ``(path, message)`` findings; the scenario loader adds file and
line. A scenario can only name registered rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
)

from sim.policy.rules import Context, RuleError, RuleRef, check_params, check_ref, get_rule
from sim.scenario.schema import Scenario

Finding = tuple[tuple, str]
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_month_day(text: str) -> tuple[int, int]:
    """``"10-01"`` -> (10, 1); raises ValueError for anything but a real MM-DD (not 02-29)."""
    m = _MONTH_DAY.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"invalid fiscal-year start {text!r} (expected MM-DD, e.g. \"10-01\")")
    month, day = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2001, month, day)  # not a leap year: 02-29 is refused
    except ValueError:
        raise ValueError(f"invalid fiscal-year start {text!r} (expected a real month and day "
                         f"MM-DD, not 02-29)") from None
    return month, day


class _FiscalYear(_Base):
    fiscal_year_start: str = "01-01"
    """Month and day the fiscal year starts (MM-DD), e.g. "10-01" for the US."""

    @field_validator("fiscal_year_start", mode="before")
    @classmethod
    def _md(cls, v):
        parse_month_day(v)
        return v


class Budget(_FiscalYear):
    """A payer's annual ceiling for this programme."""

    annual: NonNegativeFloat | None
    """Ceiling per fiscal year (USD); null = no ceiling."""
    first_year: NonNegativeFloat | None = None
    """Available in the fiscal year that contains the start date (default: ``annual`` pro
    rata to the part of that fiscal year left on the start date)."""


class Purchase(_Base):
    """Capacity a pooled fund can buy, one order at a time."""

    kind: Literal["beds", "units"]
    target: str
    """Destination (beds) or fleet (units)."""
    amount: PositiveInt
    cost: NonNegativeFloat
    """Capital cost of one order (USD)."""
    lag_days: NonNegativeInt
    """Build or procurement lag: the capacity is there ``lag_days`` after the order."""
    max_orders: PositiveInt | None = None


class Fund(_FiscalYear):
    """A pooled fund that buys capacity when the backlog passes a threshold."""

    contributions: RuleRef
    """Who pays into the fund (usually a pooled rule: key, un_scale, fixed)."""
    annual: NonNegativeFloat | None = None
    """Pledged per fiscal year, ring-fenced from the payers' budgets (credited on the start
    date and on each fiscal-year start; unspent money carries over). null = no pledge: each
    order is a discretionary step of the contributors, checked against their budgets."""
    threshold: NonNegativeInt = 1
    """People held back by the constraint an item relieves (beds or units) that trigger it."""
    buy: list[Purchase] = Field(min_length=1)


class Policy(_Base):
    """One named burden-sharing policy."""

    description: str = ""
    rule: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    receiving: str = "IRQ"
    """The receiving (host) state on the Iraqi side; ``share_iraq`` is its share."""
    budgets: dict[str, Budget] = Field(default_factory=dict)
    """Annual ceilings by payer; payers not listed have no ceiling."""
    reserve_committed: bool = True
    """A discretionary step also needs room for the payer's running holding costs until the
    end of its fiscal year (today's rate); false: room for the step alone."""
    fund: Fund | None = None
    security: RuleRef | None = None
    """Rule sharing escort and guard personnel-days (default: the policy's rule)."""
    reference: RuleRef | None = None
    """Key the realised shares are compared with (default: the rule's own key, if any)."""

    @property
    def main(self) -> RuleRef:
        return RuleRef(rule=self.rule, params=self.params)


# ----------------------------------------------------------------------------- checks
def check_policies(scn: Scenario) -> Iterator[Finding]:
    """Every problem in ``scn.policies``, as (path, message) findings."""
    for name, data in scn.policies.items():
        base = ("policies", name)
        if not isinstance(data, Mapping):
            yield base, "expected a mapping with at least 'rule' (e.g. {rule: host_pays})"
            continue
        try:
            policy = Policy.model_validate(dict(data))
        except ValidationError as exc:
            yield from pydantic_findings(exc, base, data, Policy)
            continue
        found = list(_check_policy(policy, base, scn))
        yield from found
        if found:
            continue
        try:  # every entry of the scenario must get valid shares
            from sim.policy.compiled import compile_policy

            compile_policy(scn, name)
        except RuleError as exc:
            yield base + ("rule",), str(exc)
        except Exception as exc:  # a user's rule failed: report it, do not crash the loader
            yield base + ("rule",), (f"rule '{policy.rule}' failed while computing shares: "
                                     f"{type(exc).__name__}: {exc}")


def _check_policy(p: Policy, base: tuple, scn: Scenario) -> Iterator[Finding]:
    ctx = Context(scn, p.receiving)
    if p.receiving not in scn.countries:
        yield base + ("receiving",), _unknown("country", p.receiving, scn.countries)
        return
    try:
        rule = get_rule(p.rule)
    except RuleError as exc:
        yield base + ("rule",), str(exc)
    else:
        yield from check_params(rule, p.params, base + ("params",), ctx)
    for payer in p.budgets:
        if payer not in scn.countries:
            yield base + ("budgets", payer), _unknown("payer country", payer, scn.countries)
    for field in ("security", "reference"):
        ref = getattr(p, field)
        if ref is not None:
            yield from check_ref(ref, base + (field,), ctx)
    if p.fund is not None:
        yield from check_ref(p.fund.contributions, base + ("fund", "contributions"), ctx)
        for i, item in enumerate(p.fund.buy):
            known = scn.destinations if item.kind == "beds" else scn.fleets
            if item.target not in known:
                what = "destination" if item.kind == "beds" else "fleet"
                yield (base + ("fund", "buy", i, "target"),
                       _unknown(what, item.target, known))


def _unknown(kind: str, ref: str, known) -> str:
    return f"unknown {kind} '{ref}' (expected one of: {', '.join(sorted(known))})"


# ----------------------------------------------------------------------------- pydantic errors
def pydantic_findings(exc: ValidationError, base: tuple, data: Any,
                      model: type[BaseModel]) -> Iterator[Finding]:
    """Turn pydantic errors on ``data`` (found at ``base``) into findings, one per place."""
    seen: set[tuple] = set()
    for err in exc.errors(include_url=False):
        path = _data_path(err["loc"], data, err["type"])
        if path in seen:
            continue
        seen.add(path)
        yield base + path, _message(err, path, model, data)


def _data_path(loc: tuple, data: Any, etype: str) -> tuple:
    """The path of an error in the data (dropping pydantic's union branch labels)."""
    out: list = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, Mapping) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif last and etype in ("missing", "extra_forbidden") and isinstance(part, str):
            out.append(part)
    return tuple(out)


def _message(err: dict, path: tuple, model: type[BaseModel], data: Any) -> str:
    etype, got = err["type"], err.get("input")
    if etype == "extra_forbidden":
        allowed = _allowed(model, path[:-1])
        hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
        return f"unknown key '{path[-1]}'{hint}"
    if etype == "missing":
        return f"required field '{path[-1] if path else '?'}' is missing"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    for prefix in ("Input should be ", "Input should have ", "Input "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
            break
    shown = "a mapping" if isinstance(got, Mapping) else "a list" if isinstance(got, list) \
        else repr(got)
    return f"invalid value {shown} (expected {msg})"


def _allowed(model: Any, path: tuple) -> list[str]:
    """Field names of the pydantic model found at ``path`` below ``model`` (best effort)."""
    import typing

    tp: Any = model
    for part in path:
        tp = _one_model(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return []
            tp = field.annotation
        else:
            args = typing.get_args(tp)
            if typing.get_origin(tp) in (list, dict) and args:
                tp = args[-1]
            else:
                return []
    tp = _one_model(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _one_model(tp: Any) -> Any:
    import types
    import typing

    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(tp)
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) == 1:
            return models[0]
    return tp
