"""Payer rules: pure functions from a ledger entry to payer shares, and their registry.

A scenario's policies name these rules (``rule: key``); :mod:`sim.policy` turns them into
share matrices and allocates the ledger. See :mod:`sim.rules.registry` for the rule
interface and docs/policies.md for the built-in rules.
"""

from sim.rules.builtin import EU_2015_INVERSE, EU_2015_WEIGHTS, cap_shares, key_shares
from sim.rules.registry import (
    PLUGIN_ERRORS,
    BoundRule,
    Context,
    check_params,
    check_ref,
    get_rule,
    normalise,
    register_rule,
    rule_names,
    unregister_rule,
    validate_params,
)
from sim.rules.types import Entry, Finding, RuleDef, RuleError, RuleRef, Shares

__all__ = [
    "EU_2015_INVERSE", "EU_2015_WEIGHTS", "PLUGIN_ERRORS", "BoundRule", "Context", "Entry",
    "Finding", "RuleDef", "RuleError", "RuleRef", "Shares", "cap_shares", "check_params",
    "check_ref", "get_rule", "key_shares", "normalise", "register_rule", "rule_names",
    "unregister_rule", "validate_params",
]
