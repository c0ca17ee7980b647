"""Burden sharing under a policy: share matrices, budgets that throttle the programme, a
pooled fund, and the ledger allocated to payers.

- payer rules and their registry are :mod:`sim.rules` (re-exported here: ``register_rule``);
- the ``policies:`` section of a scenario is :mod:`sim.scenario.policies`;
- :mod:`sim.policy.compiled`: a policy's share matrices, budgets and fiscal years;
- :mod:`sim.policy.treasury`: the model's funding interface under a policy (budgets, fund);
- :mod:`sim.policy.allocation`: a run's ledger allocated to payers.

The policy package never runs the model: :func:`sim.simulate` does. See docs/policies.md.
"""

from __future__ import annotations

from sim.rules import (
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
