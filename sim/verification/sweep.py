"""Invariants over many generated scenarios: the scenario variants used by the tests and by
``python -m sim.verification``.

:func:`prepare` turns a generated scenario (a dict from ``tests/strategies.py``) into one of
the variants checked: optionally without escapes (so that Little's law holds exactly at the
origin) and optionally under a burden-sharing policy (a tight budget, or a pooled fund that
buys beds and units). :func:`sweep` runs ``n`` hypothesis examples and counts violations; it
needs hypothesis and the repository's ``tests`` package (run it from the repository root).
"""

from __future__ import annotations

import copy
from typing import Any

POLICY_CHOICES = (None, "host", "nationality", "scale", "tight", "fund")


def policies_for(data: dict) -> dict[str, dict]:
    """Policies that fit a generated scenario (its countries and destinations)."""
    nats = list(data["countries"])
    scale = {n: float(i + 1) for i, n in enumerate(nats)}
    return {
        "host": {"rule": "host_pays"},
        "nationality": {"rule": "nationality"},
        "scale": {"rule": "un_scale", "params": {"scale": scale}},
        # Iraq's budget binds: trips and screening wait for money
        "tight": {"rule": "host_pays",
                  "budgets": {"IRQ": {"annual": 3.0e5}}},
        # a pooled fund buys beds and convoy units when they hold people back
        "fund": {"rule": "un_scale", "params": {"scale": scale},
                 "fund": {"contributions": {"rule": "un_scale", "params": {"scale": scale}},
                          "annual": 5.0e6, "threshold": 1,
                          "buy": [{"kind": "beds", "target": "d0", "amount": 200,
                                   "cost": 1.0e5, "lag_days": 3, "max_orders": 3},
                                  {"kind": "units", "target": "road", "amount": 1,
                                   "cost": 5.0e4, "lag_days": 2, "max_orders": 2}]}},
    }


def prepare(data: dict, policy: str | None, escape_free: bool) -> dict:
    """A copy of the generated scenario ``data``, with the chosen policy (or none) and, if
    ``escape_free``, no escapes of any kind."""
    out = copy.deepcopy(data)
    if policy is not None:
        out["policies"] = {policy: policies_for(out)[policy]}
    if escape_free:
        out["escapes"] = {"base_hazard_per_day": {"prison": 0.0, "camp": 0.0}}
        out["conflict"]["timeline"] = [ev for ev in out["conflict"]["timeline"]
                                       if ev["kind"] != "breakout"]
    return out


def run_prepared(data: dict, policy: str | None):
    from sim.scenario import scenario_from_dict
    from sim.simulation import simulate

    scn = scenario_from_dict(data)
    return simulate(scn, policy=policy, replication=0)


def _strategy():
    """``tests.strategies.scenarios`` of the repository this package sits in."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if (root / "tests" / "strategies.py").is_file() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from tests.strategies import scenarios

    return scenarios


def sweep(n: int) -> dict[str, Any]:
    """Run ``n`` derandomized hypothesis examples; count scenarios and violations."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from sim.verification.invariants import violations

    scenarios = _strategy()

    stats: dict[str, Any] = {"examples": 0, "with_policy": 0, "escape_free": 0, "trips": 0,
                             "failures": []}

    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(scenarios(), st.sampled_from(POLICY_CHOICES), st.booleans())
    def one(data, policy, escape_free):
        prepared = prepare(data, policy, escape_free)
        res = run_prepared(prepared, policy)
        stats["examples"] += 1
        stats["with_policy"] += policy is not None
        stats["escape_free"] += int(res.raw.escaped[-1].sum() == 0)
        stats["trips"] += len(res.raw.trips)
        bad = violations(res)
        if bad:
            stats["failures"].append({"seed": data["metadata"]["seed"], "policy": policy,
                                      "violations": bad})

    one()
    return stats
