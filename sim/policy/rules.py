"""Payer rules: pure functions from a ledger entry to payer shares that sum to 1.

A rule is a function ``rule(entry, ctx, params) -> {payer: weight}``:

- ``entry`` (:class:`Entry`) is one ledger entry: cost category (or personnel kind), location,
  nationality, amount, which side of the border the location is on, the controller of the
  location that day (origin sites only) and the activity the cost belongs to;
- ``ctx`` (:class:`Context`) gives the scenario's countries and controllers, the receiving
  state, and nested rules (``ctx.shares(ref, entry)``);
- ``params`` are the rule's parameters from the policy, validated by the rule's pydantic
  model when it has one (a plain read-only mapping otherwise).

The weights must be non-negative with a positive sum; they are normalised to sum to 1.
Payers must be countries of the scenario. Rules must be pure and must not depend on the
amount (shares apply to any amount): the treasury precomputes one share matrix per
(category, location, controller) and multiplies cost vectors by it.

Register a rule with the decorator::

    from sim.policy import register_rule

    @register_rule("half_and_half")
    def half_and_half(entry, ctx, params):
        return {"IRQ": 0.5, "USA": 0.5}

or from an installed package through the entry point group ``sim.policies`` (the entry point
loads a module whose decorators register rules, or a function registered under the entry
point's name). A scenario can only name registered rules (no code in YAML).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.scenario.schema import Scenario

Shares = dict[str, float]
Finding = tuple[tuple, str]

ACTIVITIES = ("transfer", "holding", "screening", "repatriation", "capacity")
"""What a cost or personnel entry pays for (derived from its category)."""

ACTIVITY_OF = {
    "transport": "transfer", "security": "holding", "detention_syria": "holding",
    "detention_iraq": "holding", "rehabilitation": "holding", "screening": "screening",
    "repatriation": "repatriation", "capacity_expansion": "capacity",
    "escort": "transfer", "guard": "holding",
}
"""Activity of each cost category and personnel kind. Escort costs are booked under
``security`` but belong to ``transfer`` (the entry says so explicitly)."""

EU_2015_WEIGHTS = {"population": 0.4, "gdp_usd": 0.4, "unemployment_rate": 0.1,
                   "asylum_per_million": 0.1}
"""The EU 2015 relocation key (COM(2015) 450): population 40%, GDP 40%, unemployment 10%,
past asylum effort 10%."""

EU_2015_INVERSE = ("unemployment_rate", "asylum_per_million")
"""Indicators that reduce a country's share (higher unemployment or past asylum effort)."""


class RuleError(ValueError):
    """A rule cannot give shares for an entry (unknown payer, no positive weight, ...)."""


# ----------------------------------------------------------------------------- entries
@dataclass(frozen=True)
class Entry:
    """One ledger entry as a rule sees it."""

    category: str
    """Cost category (``transport``, ``detention_iraq`` ...) or personnel kind (``escort``,
    ``guard``)."""
    location: str
    """Origin site or destination id."""
    nationality: str
    amount: float = 1.0
    side: Literal["syria", "iraq"] = "syria"
    """``syria`` for an origin site, ``iraq`` for a destination."""
    controller: str | None = None
    """Controller of the origin site that day (None in Iraq)."""
    activity: str = "holding"
    """One of :data:`ACTIVITIES`."""
    measure: Literal["cost", "personnel"] = "cost"


class RuleRef(BaseModel):
    """A rule named in YAML: ``{rule: key, params: {...}}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)


# ----------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class RuleDef:
    name: str
    fn: Callable[..., Mapping[str, float]]
    params: type[BaseModel] | None = None
    """Pydantic model validating the parameters (None: any mapping, passed read-only)."""
    check: Callable[..., Iterator[Finding]] | None = None
    """``check(params, ctx)`` yields (path relative to ``params``, message) findings."""
    reference: Callable[..., Shares | None] | None = None
    """``reference(params, ctx)``: the shares of a pooled dollar (the rule's key), or None."""


_RULES: dict[str, RuleDef] = {}
_PLUGINS_LOADED = False
PLUGIN_ERRORS: dict[str, str] = {}
"""Entry points of group ``sim.policies`` that failed to load, with the error."""


def register_rule(name: str, *, params: type[BaseModel] | None = None,
                  check: Callable[..., Iterator[Finding]] | None = None,
                  reference: Callable[..., Shares | None] | None = None,
                  replace: bool = False):
    """Decorator: register ``fn(entry, ctx, params)`` as payer rule ``name``.

    ``params`` is an optional pydantic model for the rule's parameters, ``check`` an optional
    function yielding extra findings, ``reference`` an optional function giving the rule's key.
    Registering a name twice is an error unless ``replace=True``.
    """
    if not name or not isinstance(name, str):
        raise ValueError("a rule needs a non-empty name")

    def deco(fn):
        old = _RULES.get(name)
        if old is not None and not replace and old.fn is not fn:
            raise ValueError(f"payer rule '{name}' is already registered "
                             f"(use register_rule(..., replace=True) to replace it)")
        _RULES[name] = RuleDef(name, fn, params, check, reference)
        return fn

    return deco


def unregister_rule(name: str) -> None:
    """Remove a registered rule (for tests and interactive use)."""
    _RULES.pop(name, None)


def _load_plugins() -> None:
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    from importlib.metadata import entry_points

    for ep in entry_points(group="sim.policies"):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break every scenario
            PLUGIN_ERRORS[ep.name] = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"sim.policies entry point '{ep.name}' failed to load: {exc}",
                          stacklevel=2)
            continue
        if callable(obj) and not isinstance(obj, type) and ep.name not in _RULES:
            _RULES[ep.name] = RuleDef(ep.name, obj)


def rule_names() -> list[str]:
    """Names of every registered rule (built-in, decorated, and from entry points)."""
    _load_plugins()
    return sorted(_RULES)


def get_rule(name: str) -> RuleDef:
    _load_plugins()
    try:
        return _RULES[name]
    except KeyError:
        raise RuleError(f"unknown rule '{name}' (expected one of: "
                        f"{', '.join(rule_names())})") from None


# ----------------------------------------------------------------------------- context
@dataclass
class BoundRule:
    """A rule with validated parameters, ready to give shares."""

    rule: RuleDef
    params: Any
    ctx: Context

    def __call__(self, entry: Entry) -> Shares:
        raw = self.rule.fn(entry, self.ctx, self.params)
        return normalise(raw, self.ctx.countries, self.rule.name)

    def reference(self) -> Shares | None:
        if self.rule.reference is None:
            return None
        ref = self.rule.reference(self.params, self.ctx)
        return None if ref is None else normalise(ref, self.ctx.countries, self.rule.name)


@dataclass
class Context:
    """What a rule may look at besides the entry: the scenario and the receiving state."""

    scenario: Scenario
    receiving: str = "IRQ"
    _bound: dict[int, tuple[Any, BoundRule]] = field(default_factory=dict, repr=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def countries(self):
        return self.scenario.countries

    @property
    def controllers(self):
        return self.scenario.controllers

    def bind(self, ref: RuleRef | Mapping) -> BoundRule:
        """Look a rule up and validate its parameters (raises RuleError)."""
        hit = self._bound.get(id(ref))
        if hit is not None and hit[0] is ref:
            return hit[1]
        if not isinstance(ref, RuleRef):
            ref = RuleRef.model_validate(ref)
        rule = get_rule(ref.rule)
        params = validate_params(rule, ref.params)
        bound = BoundRule(rule, params, self)
        self._bound[id(ref)] = (ref, bound)
        return bound

    def shares(self, ref: RuleRef | Mapping, entry: Entry) -> Shares:
        """Shares of a nested rule for ``entry`` (used by composite rules)."""
        return self.bind(ref)(entry)

    def memo(self, owner: Any, compute: Callable[[], Any]) -> Any:
        """Cache a value that depends only on the scenario and ``owner`` (e.g. a key's
        parameters): computed once per owner object."""
        hit = self._memo.get(id(owner))
        if hit is None or hit[0] is not owner:
            hit = self._memo[id(owner)] = (owner, compute())
        return hit[1]


def validate_params(rule: RuleDef, params: Mapping) -> Any:
    if rule.params is None:
        return MappingProxyType(dict(params))
    try:
        return rule.params.model_validate(dict(params))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RuleError(f"rule '{rule.name}': params.{where}: {first['msg']}") from None


def normalise(raw: Mapping[str, float], countries: Mapping, rule: str) -> Shares:
    """Check a rule's weights (known payers, finite, >= 0, positive sum); scale to sum 1."""
    if not isinstance(raw, Mapping):
        raise RuleError(f"rule '{rule}' returned {type(raw).__name__} "
                        f"(expected a mapping payer -> share)")
    out: Shares = {}
    for payer, w in raw.items():
        if payer not in countries:
            raise RuleError(f"rule '{rule}' named payer '{payer}', which is not a country of "
                            f"the scenario (expected one of: {', '.join(sorted(countries))})")
        w = float(w)
        if not math.isfinite(w) or w < 0:
            raise RuleError(f"rule '{rule}' gave payer '{payer}' the share {w!r} "
                            f"(expected a finite number >= 0)")
        if w > 0:
            out[payer] = out.get(payer, 0.0) + w
    total = sum(out.values())
    if total <= 0:
        raise RuleError(f"rule '{rule}' gave no payer a positive share")
    return {p: w / total for p, w in out.items()}


def _payer_spec(spec: str | Mapping[str, float]) -> Shares:
    return {spec: 1.0} if isinstance(spec, str) else dict(spec)


# ----------------------------------------------------------------------------- params
class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


PayerSpec = str | dict[str, float]
"""One payer (a country id) or weights over several (``{USA: 0.5, GBR: 0.5}``)."""


class HostPaysParams(_Params):
    transport: Literal["receiving", "custodian"] = "receiving"
    """Who pays transfers (transport, escorts): the receiving state or the site's custodian."""
    repatriation: Literal["home", "custodian"] = "home"
    """Who pays repatriation: the home state of the person or the site's custodian."""
    bill_backers: bool = True
    """Bill a controller's declared backers (if any) rather than its own country."""
    fallback: PayerSpec | None = None
    """Payer for a custodian with neither backers nor a country (default: receiving)."""


class NationalityParams(_Params):
    fallback: PayerSpec | None = None
    """Payer for stateless/unknown people and for refusing states (default: receiving)."""
    stateless: list[str] = Field(default_factory=list)
    """Nationality ids with no state to bill (stateless, unknown, aggregates)."""
    refusing: list[str] = Field(default_factory=list)
    """States that do not pay for their nationals (billed to the fallback)."""


class KeyParams(_Params):
    participants: list[str] = Field(min_length=1)
    weights: dict[str, float] = Field(default_factory=lambda: dict(EU_2015_WEIGHTS))
    inverse: list[str] = Field(default_factory=lambda: list(EU_2015_INVERSE))
    """Indicators that enter inversely (share proportional to 1/value)."""
    floor: dict[str, float] = Field(default_factory=dict)
    """Lower bound applied to an inverse indicator before inverting (e.g. 0 asylum cases)."""


class UnScaleParams(_Params):
    scale: dict[str, float] = Field(min_length=1)
    """Assessment rates (any unit, e.g. percent), renormalised over the countries listed."""


class HybridParams(_Params):
    fraction: float = Field(ge=0, le=1)
    """Fraction of each entry paid by nationality; the rest by ``rest``."""
    nationality: NationalityParams = Field(default_factory=NationalityParams)
    rest: RuleRef


class CapParams(_Params):
    rule: RuleRef
    """The rule whose shares are capped."""
    caps: dict[str, float] = Field(default_factory=dict)
    """Highest share per payer (0-1)."""
    max_share: float | None = Field(default=None, ge=0, le=1)
    """Highest share of any payer not listed in ``caps``."""
    overflow: RuleRef | None = None
    """Who takes the excess when no other payer of the entry is below its cap."""


class FixedParams(_Params):
    shares: dict[str, float] = Field(min_length=1)


# ----------------------------------------------------------------------------- helpers
def _custodian(entry: Entry, ctx: Context, bill_backers: bool,
               fallback: PayerSpec | None) -> Shares:
    ctl = ctx.controllers.get(entry.controller) if entry.controller else None
    if ctl is not None:
        if bill_backers and ctl.backers:
            return dict(ctl.backers)
        if ctl.country:
            return {ctl.country: 1.0}
    return _payer_spec(fallback) if fallback is not None else {ctx.receiving: 1.0}


def _nationality(entry: Entry, ctx: Context, p: NationalityParams) -> Shares:
    nat = entry.nationality
    if nat in p.stateless or nat in p.refusing or nat not in ctx.countries:
        return _payer_spec(p.fallback) if p.fallback is not None else {ctx.receiving: 1.0}
    return {nat: 1.0}


def key_shares(ctx: Context, p: KeyParams) -> Shares:
    """Shares of a pooled dollar under an indicator key (see the ``key`` rule)."""

    def compute() -> Shares:
        out = dict.fromkeys(p.participants, 0.0)
        for ind, w in p.weights.items():
            if w == 0:
                continue
            vals = {}
            for c in p.participants:
                x = ctx.countries[c].indicators.get(ind)
                if x is None:
                    raise RuleError(f"country '{c}' has no indicator '{ind}' "
                                    f"(needed by the key)")
                if ind in p.inverse:
                    x = max(x, p.floor.get(ind, 0.0))
                    if x <= 0:
                        raise RuleError(f"country '{c}' has {ind} = 0; an inverse indicator "
                                        f"needs values > 0 (set floor: {{{ind}: ...}})")
                    x = 1.0 / x
                vals[c] = x
            total = sum(vals.values())
            if total <= 0:
                raise RuleError(f"indicator '{ind}' is 0 for every participant")
            for c, x in vals.items():
                out[c] += w * x / total
        return out

    return ctx.memo(p, compute)


def cap_shares(shares: Shares, caps: Mapping[str, float], default: float | None,
               overflow: Callable[[], Shares] | None = None) -> Shares:
    """Cap each payer's share and redistribute the excess pro rata, iteratively.

    The excess of every payer above its cap goes to the payers below their cap, in proportion
    to their current shares; a payer pushed over its cap in turn is fixed at it and the
    redistribution repeats. When no payer of the entry can take more, the excess goes to the
    ``overflow`` shares (again only to payers below their cap).
    """

    def cap(p: str) -> float:
        c = caps.get(p, default)
        return 1.0 if c is None else c

    s = {p: v for p, v in shares.items() if v > 0}
    fixed: set[str] = set()
    for _ in range(len(s) + len(caps) + 64):
        over = [p for p in s if p not in fixed and s[p] > cap(p) + 1e-12]
        if not over:
            return s
        excess = 0.0
        for p in over:
            excess += s[p] - cap(p)
            s[p] = cap(p)
            fixed.add(p)
        recv = {p: v for p, v in s.items() if p not in fixed and v > 0 and v < cap(p)}
        if not recv and overflow is not None:
            recv = {p: v for p, v in overflow().items()
                    if p not in fixed and v > 0 and s.get(p, 0.0) < cap(p)}
        if not recv:
            raise RuleError(
                f"the caps cannot hold: a share of {excess:.4g} is left over once the capped "
                f"payers ({', '.join(sorted(fixed))}) are at their caps and no other payer of "
                f"the entry can take it (raise the caps or give an overflow rule)")
        total = sum(recv.values())
        for p, v in recv.items():
            s[p] = s.get(p, 0.0) + excess * (v / total)
    raise RuleError("the caps did not converge")  # pragma: no cover


# ----------------------------------------------------------------------------- rule checks
def _unknown(ref: str, known) -> str:
    return f"unknown country '{ref}' (expected one of: {', '.join(sorted(known))})"


def _check_payer_spec(spec, path: tuple, ctx: Context) -> Iterator[Finding]:
    if spec is None:
        return
    if isinstance(spec, str):
        if spec not in ctx.countries:
            yield path, _unknown(spec, ctx.countries)
        return
    for c, w in spec.items():
        if c not in ctx.countries:
            yield path + (c,), _unknown(c, ctx.countries)
        elif w < 0:
            yield path + (c,), f"negative weight {w:g} (expected a number >= 0)"
    if spec and sum(spec.values()) <= 0:
        yield path, "weights sum to 0 (expected a positive sum)"


def _check_ids(ids, path: tuple, ctx: Context) -> Iterator[Finding]:
    for i, c in enumerate(ids):
        if c not in ctx.countries:
            yield path + (i,), _unknown(c, ctx.countries)


def _check_host(p: HostPaysParams, ctx: Context) -> Iterator[Finding]:
    yield from _check_payer_spec(p.fallback, ("fallback",), ctx)


def _check_nationality(p: NationalityParams, ctx: Context) -> Iterator[Finding]:
    yield from _check_payer_spec(p.fallback, ("fallback",), ctx)
    yield from _check_ids(p.stateless, ("stateless",), ctx)
    yield from _check_ids(p.refusing, ("refusing",), ctx)


def _check_key(p: KeyParams, ctx: Context) -> Iterator[Finding]:
    yield from _check_ids(p.participants, ("participants",), ctx)
    seen = set()
    for i, c in enumerate(p.participants):
        if c in seen:
            yield ("participants", i), f"'{c}' is listed twice (expected each country once)"
        seen.add(c)
    bad = False
    for ind, w in p.weights.items():
        if w < 0 or not math.isfinite(w):
            bad = True
            yield ("weights", ind), (f"negative weight {w:g} for '{ind}' (expected weights "
                                     f">= 0 summing to 1)")
    total = sum(p.weights.values())
    if not bad and abs(total - 1.0) > 1e-6:
        yield ("weights",), f"weights sum to {total:g} (expected weights summing to 1)"
    for i, ind in enumerate(p.inverse):
        if ind not in p.weights and "inverse" in p.model_fields_set:
            yield ("inverse", i), (f"'{ind}' has no weight (expected one of the weighted "
                                   f"indicators: {', '.join(p.weights)})")
    for ind, v in p.floor.items():
        if ind not in p.inverse:
            yield ("floor", ind), f"'{ind}' is not an inverse indicator (floor applies to " \
                                  f"inverse indicators: {', '.join(p.inverse) or 'none'})"
        elif v <= 0:
            yield ("floor", ind), f"invalid floor {v:g} (expected a number > 0)"
    if bad or any(c not in ctx.countries for c in p.participants):
        return
    for ind, w in p.weights.items():
        if w == 0:
            continue
        for c in p.participants:
            x = ctx.countries[c].indicators.get(ind)
            if x is None:
                yield ("participants", p.participants.index(c)), (
                    f"country '{c}' has no indicator '{ind}' (the key weighs '{ind}'; add "
                    f"countries.{c}.indicators.{ind} or leave '{c}' out)")
            elif ind in p.inverse and max(x, p.floor.get(ind, 0.0)) <= 0:
                yield ("participants", p.participants.index(c)), (
                    f"country '{c}' has {ind} = 0, which cannot enter inversely (expected a "
                    f"value > 0, or floor: {{{ind}: <small value>}})")
        vals = [ctx.countries[c].indicators.get(ind) or 0.0 for c in p.participants]
        if ind not in p.inverse and sum(vals) <= 0:
            yield ("weights", ind), f"indicator '{ind}' is 0 for every participant"


def _check_un(p: UnScaleParams, ctx: Context) -> Iterator[Finding]:
    for c, v in p.scale.items():
        if c not in ctx.countries:
            yield ("scale", c), _unknown(c, ctx.countries)
        elif v < 0 or not math.isfinite(v):
            yield ("scale", c), f"negative rate {v:g} (expected a number >= 0)"
    if sum(max(v, 0) for v in p.scale.values()) <= 0:
        yield ("scale",), "every rate is 0 (expected a positive rate for some country)"


def _check_hybrid(p: HybridParams, ctx: Context) -> Iterator[Finding]:
    for path, msg in _check_nationality(p.nationality, ctx):
        yield ("nationality",) + path, msg
    yield from check_ref(p.rest, ("rest",), ctx)


def _check_cap(p: CapParams, ctx: Context) -> Iterator[Finding]:
    yield from check_ref(p.rule, ("rule",), ctx)
    for c, v in p.caps.items():
        if c not in ctx.countries:
            yield ("caps", c), _unknown(c, ctx.countries)
        elif not 0 <= v <= 1:
            yield ("caps", c), f"invalid cap {v:g} (expected a share between 0 and 1)"
    if p.overflow is not None:
        yield from check_ref(p.overflow, ("overflow",), ctx)


def _check_fixed(p: FixedParams, ctx: Context) -> Iterator[Finding]:
    yield from _check_payer_spec(p.shares, ("shares",), ctx)


def check_ref(ref: RuleRef, path: tuple, ctx: Context) -> Iterator[Finding]:
    """Findings for a nested rule reference at ``path`` (``{rule: ..., params: ...}``)."""
    try:
        rule = get_rule(ref.rule)
    except RuleError as exc:
        yield path + ("rule",), str(exc)
        return
    yield from check_params(rule, ref.params, path + ("params",), ctx)


def check_params(rule: RuleDef, params: Mapping, path: tuple, ctx: Context
                 ) -> Iterator[Finding]:
    """Validate ``params`` for ``rule``: schema first, then the rule's own checks."""
    if rule.params is None:
        parsed = MappingProxyType(dict(params))
    else:
        try:
            parsed = rule.params.model_validate(dict(params))
        except ValidationError as exc:
            from sim.policy.spec import pydantic_findings

            yield from pydantic_findings(exc, path, params, rule.params)
            return
    if rule.check is not None:
        for sub, msg in rule.check(parsed, ctx):
            yield path + tuple(sub), msg


# ----------------------------------------------------------------------------- built-in rules
def _host_pays(entry: Entry, ctx: Context, p: HostPaysParams) -> Shares:
    if entry.side == "iraq":
        return {ctx.receiving: 1.0}
    if entry.activity in ("transfer", "capacity") and p.transport == "receiving":
        return {ctx.receiving: 1.0}
    if entry.activity == "repatriation" and p.repatriation == "home" \
            and entry.nationality in ctx.countries:
        return {entry.nationality: 1.0}
    return _custodian(entry, ctx, p.bill_backers, p.fallback)


register_rule("host_pays", params=HostPaysParams, check=_check_host)(_host_pays)


@register_rule("nationality", params=NationalityParams, check=_check_nationality)
def _nationality_rule(entry: Entry, ctx: Context, p: NationalityParams) -> Shares:
    return _nationality(entry, ctx, p)


@register_rule("key", params=KeyParams, check=_check_key,
               reference=lambda p, ctx: key_shares(ctx, p))
def _key_rule(entry: Entry, ctx: Context, p: KeyParams) -> Shares:
    return key_shares(ctx, p)


def _un_shares(p: UnScaleParams, ctx: Context) -> Shares:
    return {c: v for c, v in p.scale.items() if v > 0}


@register_rule("un_scale", params=UnScaleParams, check=_check_un, reference=_un_shares)
def _un_rule(entry: Entry, ctx: Context, p: UnScaleParams) -> Shares:
    return _un_shares(p, ctx)


def _hybrid_reference(p: HybridParams, ctx: Context) -> Shares | None:
    return ctx.bind(p.rest).reference()


@register_rule("hybrid", params=HybridParams, check=_check_hybrid, reference=_hybrid_reference)
def _hybrid_rule(entry: Entry, ctx: Context, p: HybridParams) -> Shares:
    out: Shares = {}
    if p.fraction > 0:
        for c, v in _nationality(entry, ctx, p.nationality).items():
            out[c] = out.get(c, 0.0) + p.fraction * v
    if p.fraction < 1:
        for c, v in ctx.shares(p.rest, entry).items():
            out[c] = out.get(c, 0.0) + (1 - p.fraction) * v
    return out


def _cap_reference(p: CapParams, ctx: Context) -> Shares | None:
    inner = ctx.bind(p.rule).reference()
    if inner is None:
        return None
    over = None if p.overflow is None else ctx.bind(p.overflow).reference
    return cap_shares(inner, p.caps, p.max_share, over)


@register_rule("cap", params=CapParams, check=_check_cap, reference=_cap_reference)
def _cap_rule(entry: Entry, ctx: Context, p: CapParams) -> Shares:
    over = None if p.overflow is None else (lambda: ctx.shares(p.overflow, entry))
    return cap_shares(ctx.shares(p.rule, entry), p.caps, p.max_share, over)


@register_rule("fixed", params=FixedParams, check=_check_fixed,
               reference=lambda p, ctx: dict(p.shares))
def _fixed_rule(entry: Entry, ctx: Context, p: FixedParams) -> Shares:
    return dict(p.shares)
