"""``simulate``: one replication of a scenario under a burden-sharing policy.

This is the one place that runs the model: it builds the world with the policy's treasury
(the model's funding interface), runs it, and hands the records and the payers' ledger to
:class:`sim.results.RunResult`.
"""

from __future__ import annotations

from sim.errors import Problem, ScenarioError
from sim.memory import keep_freed_memory
from sim.model.world import run_world
from sim.policy.allocation import PayerLedger
from sim.policy.compiled import compile_policy
from sim.policy.treasury import PolicyTreasury
from sim.results import RunResult
from sim.scenario.drawing import drawn_scenario, needs_draw
from sim.scenario.schema import Scenario


def simulate(scenario: Scenario, policy: str | None = None, replication: int = 0,
             seed: int | None = None) -> RunResult:
    """Run replication ``replication`` of ``scenario`` (root seed: ``seed`` or the scenario's).

    ``policy`` names an entry of the scenario's ``policies:`` section; None records costs
    without allocating them to payers (no budgets). A scenario with a ``parameters:`` section
    first draws its uncertain inputs for this replication (:mod:`sim.scenario.draws`): the
    same replication draws the same values under every policy.
    """
    keep_freed_memory()  # runs one after another reuse the memory of the last one
    if needs_draw(scenario):
        scenario = drawn_scenario(scenario, replication, seed)
    if policy is None:
        return RunResult(run_world(scenario, replication, None, seed))
    if policy not in scenario.policies:
        known = ", ".join(scenario.policies) or "none defined in the scenario's policies:"
        raise ScenarioError([Problem(scenario.metadata.name, None, "policies",
                                     f"unknown policy '{policy}' (expected one of: {known})")])
    compiled = compile_policy(scenario, policy)
    treasury = PolicyTreasury(compiled)
    raw = run_world(scenario, replication, treasury, seed)
    return RunResult(raw, policy=policy, payers=PayerLedger(compiled, raw, treasury))
