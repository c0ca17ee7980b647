"""``simulate``: one replication of a scenario under a burden-sharing policy."""

from __future__ import annotations

from sim.model.world import run_world
from sim.results import RunResult
from sim.scenario.schema import Scenario


def simulate(scenario: Scenario, policy: str | None = None, replication: int = 0,
             seed: int | None = None) -> RunResult:
    """Run replication ``replication`` of ``scenario`` (root seed: ``seed`` or the scenario's).

    ``policy`` names an entry of the scenario's ``policies:`` section; None records costs
    without allocating them to payers (no budgets).
    """
    if policy is None:
        return RunResult(run_world(scenario, replication, None, seed))
    from sim.policy.apply import simulate_with_policy

    return simulate_with_policy(scenario, policy, replication, seed)
