"""The built-in payer rules: ``host_pays``, ``nationality``, ``key`` (the EU 2015 relocation
key by default), ``un_scale``, ``hybrid``, ``cap`` and ``fixed``, with their parameter models
and checks. See docs/policies.md for what each does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.rules.types import Entry, Finding, RuleDef, RuleError, RuleRef, Shares
from sim.schema_words import Fraction, PlainName, Weight

EU_2015_WEIGHTS = {"population": 0.4, "gdp_usd": 0.4, "unemployment_rate": 0.1,
                   "asylum_per_million": 0.1}
"""The EU 2015 relocation key (COM(2015) 450): population 40%, GDP 40%, unemployment 10%,
past asylum effort 10%."""

EU_2015_INVERSE = ("unemployment_rate", "asylum_per_million")
"""Indicators that reduce a country's share (higher unemployment or past asylum effort)."""

Context = Any
"""A :class:`sim.rules.registry.Context` (countries, controllers, receiving state, nested
rules); the built-in rules only use its attributes and methods."""


def _payer_spec(spec: str | Mapping[str, float]) -> Shares:
    return {spec: 1.0} if isinstance(spec, str) else dict(spec)


# ----------------------------------------------------------------------------- params
class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


PayerSpec = PlainName | dict[PlainName, Weight]
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
    stateless: list[PlainName] = Field(default_factory=list)
    """Nationality ids with no state to bill (stateless, unknown, aggregates)."""
    refusing: list[PlainName] = Field(default_factory=list)
    """States that do not pay for their nationals (billed to the fallback)."""


class KeyParams(_Params):
    participants: list[PlainName] = Field(min_length=1)
    weights: dict[PlainName, Weight] = Field(default_factory=lambda: dict(EU_2015_WEIGHTS))
    inverse: list[PlainName] = Field(default_factory=lambda: list(EU_2015_INVERSE))
    """Indicators that enter inversely (share proportional to 1/value)."""
    floor: dict[PlainName, Weight] = Field(default_factory=dict)
    """Lower bound applied to an inverse indicator before inverting (e.g. 0 asylum cases)."""


class UnScaleParams(_Params):
    scale: dict[PlainName, Weight] = Field(min_length=1)
    """Assessment rates (any unit, e.g. percent), renormalised over the countries listed."""


class HybridParams(_Params):
    fraction: Fraction
    """Fraction of each entry paid by nationality; the rest by ``rest``."""
    nationality: NationalityParams = Field(default_factory=NationalityParams)
    rest: RuleRef


class CapParams(_Params):
    rule: RuleRef
    """The rule whose shares are capped."""
    caps: dict[PlainName, Weight] = Field(default_factory=dict)
    """Highest share per payer (0-1)."""
    max_share: Fraction | None = None
    """Highest share of any payer not listed in ``caps``."""
    overflow: RuleRef | None = None
    """Who takes the excess when no other payer of the entry is below its cap."""


class FixedParams(_Params):
    shares: dict[PlainName, Weight] = Field(min_length=1)


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
    yield from ctx.check(p.rest, ("rest",))


def _check_cap(p: CapParams, ctx: Context) -> Iterator[Finding]:
    yield from ctx.check(p.rule, ("rule",))
    for c, v in p.caps.items():
        if c not in ctx.countries:
            yield ("caps", c), _unknown(c, ctx.countries)
        elif not 0 <= v <= 1:
            yield ("caps", c), f"invalid cap {v:g} (expected a share between 0 and 1)"
    if p.overflow is not None:
        yield from ctx.check(p.overflow, ("overflow",))


def _check_fixed(p: FixedParams, ctx: Context) -> Iterator[Finding]:
    yield from _check_payer_spec(p.shares, ("shares",), ctx)


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




def _nationality_rule(entry: Entry, ctx: Context, p: NationalityParams) -> Shares:
    return _nationality(entry, ctx, p)


def _key_rule(entry: Entry, ctx: Context, p: KeyParams) -> Shares:
    return key_shares(ctx, p)


def _un_shares(p: UnScaleParams, ctx: Context) -> Shares:
    return {c: v for c, v in p.scale.items() if v > 0}


def _un_rule(entry: Entry, ctx: Context, p: UnScaleParams) -> Shares:
    return _un_shares(p, ctx)


def _hybrid_reference(p: HybridParams, ctx: Context) -> Shares | None:
    return ctx.bind(p.rest).reference()


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


def _cap_rule(entry: Entry, ctx: Context, p: CapParams) -> Shares:
    over = None if p.overflow is None else (lambda: ctx.shares(p.overflow, entry))
    return cap_shares(ctx.shares(p.rule, entry), p.caps, p.max_share, over)


def _fixed_rule(entry: Entry, ctx: Context, p: FixedParams) -> Shares:
    return dict(p.shares)


BUILTIN: tuple[RuleDef, ...] = (
    RuleDef("host_pays", _host_pays, HostPaysParams, _check_host),
    RuleDef("nationality", _nationality_rule, NationalityParams, _check_nationality),
    RuleDef("key", _key_rule, KeyParams, _check_key, lambda p, ctx: key_shares(ctx, p)),
    RuleDef("un_scale", _un_rule, UnScaleParams, _check_un, _un_shares),
    RuleDef("hybrid", _hybrid_rule, HybridParams, _check_hybrid, _hybrid_reference),
    RuleDef("cap", _cap_rule, CapParams, _check_cap, _cap_reference),
    RuleDef("fixed", _fixed_rule, FixedParams, _check_fixed, lambda p, ctx: dict(p.shares)),
)
"""The rules every scenario can name (the registry starts with these)."""
