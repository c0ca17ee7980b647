"""Burden sharing: payer rules, policies (budgets, pooled fund, security sharing).

- :mod:`sim.policy.rules`: rules as pure functions, the registry (``@register_rule``, entry
  point group ``sim.policies``) and the built-in rules ``host_pays``, ``nationality``,
  ``key``, ``un_scale``, ``hybrid``, ``cap`` and ``fixed``;
- :mod:`sim.policy.spec`: the ``policies:`` section (pydantic) and its located checks;
- :mod:`sim.policy.compiled`: share matrices per (category, location, controller);
- :mod:`sim.policy.treasury`: budgets that throttle the programme, the pooled fund;
- :mod:`sim.policy.apply`: ``simulate_with_policy`` and the payer KPIs.

See docs/policies.md.
"""

from __future__ import annotations

from sim.policy.rules import (
    Context,
    Entry,
    RuleError,
    RuleRef,
    cap_shares,
    get_rule,
    key_shares,
    register_rule,
    rule_names,
    unregister_rule,
)
from sim.scenario.schema import Scenario


def policy_names(scenario: Scenario) -> list[str]:
    """Names of the scenario's policies, in file order (``sim run --policy all``)."""
    return list(scenario.policies)


__all__ = [
    "Context", "Entry", "RuleError", "RuleRef", "cap_shares", "get_rule", "key_shares",
    "policy_names", "register_rule", "rule_names", "unregister_rule",
]
