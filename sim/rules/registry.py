"""The registry of payer rules, and the context rules are evaluated in.

A rule is a function ``rule(entry, ctx, params) -> {payer: weight}``:

- ``entry`` (:class:`~sim.rules.types.Entry`) is one ledger entry: cost category (or
  personnel kind), location, nationality, which side of the border the location is on, the
  controller of the location that day (origin sites only) and the activity the cost serves;
- ``ctx`` (:class:`Context`) gives the scenario's countries and controllers, the receiving
  state, and nested rules (``ctx.shares(ref, entry)``);
- ``params`` are the rule's parameters from the policy, validated by the rule's pydantic
  model when it has one (a plain read-only mapping otherwise).

The weights must be non-negative with a positive sum; they are normalised to sum to 1.
Payers must be countries of the scenario. Rules must be pure and must not depend on the
amount: one share matrix per (category, location, controller) is computed once per policy.

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
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.messages import pydantic_findings
from sim.rules.builtin import BUILTIN
from sim.rules.types import Entry, Finding, RuleDef, RuleError, RuleRef, Shares

_RULES: dict[str, RuleDef] = {r.name: r for r in BUILTIN}
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


# ----------------------------------------------------------------------------- evaluation
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
    """What a rule may look at besides the entry: the scenario and the receiving state.

    ``scenario`` is any object with ``countries`` and ``controllers`` mappings (a
    :class:`sim.Scenario`)."""

    scenario: Any
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
        bound = BoundRule(rule, validate_params(rule, ref.params), self)
        self._bound[id(ref)] = (ref, bound)
        return bound

    def shares(self, ref: RuleRef | Mapping, entry: Entry) -> Shares:
        """Shares of a nested rule for ``entry`` (used by composite rules)."""
        return self.bind(ref)(entry)

    def check(self, ref: RuleRef, path: tuple) -> Iterator[Finding]:
        """Findings for a nested rule reference at ``path`` (used by composite rules)."""
        return check_ref(ref, path, self)

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


# ----------------------------------------------------------------------------- checks
def check_ref(ref: RuleRef, path: tuple, ctx: Context) -> Iterator[Finding]:
    """Findings for a rule reference at ``path`` (``{rule: ..., params: ...}``)."""
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
            yield from pydantic_findings(exc, dict(params), rule.params, path)
            return
    if rule.check is not None:
        for sub, msg in rule.check(parsed, ctx):
            yield path + tuple(sub), msg
