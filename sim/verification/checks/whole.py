"""Checks of whole runs: burden shares that add up, invariants over generated scenarios."""

from __future__ import annotations

from sim.scenario import load_scenario
from sim.simulation import simulate
from sim.verification.checks.base import (
    SIZES,
    CheckResult,
)
from sim.verification.invariants import violations


# ----------------------------------------------------------------------------- invariants
def check_burden_shares(size: str = "fast") -> CheckResult:
    """Every policy of the baseline: payers' amounts add up to the ledger, entry by entry."""
    from pathlib import Path

    days = SIZES[size]["burden_days"]
    path = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"
    scn = load_scenario(path, overrides={"metadata.horizon_days": days})
    details, worst_rows = [], []
    for policy in scn.policies:
        res = simulate(scn, policy=policy, replication=0)
        bad = violations(res)
        details += [f"{policy}: {b}" for b in bad]
        table = res.kpi_table
        paid = table.loc[table["kpi"] == "cost_by_payer", "value"].sum()
        worst_rows.append(abs(paid - res.kpis["cost_total"]) / res.kpis["cost_total"])
    passed = not details
    return CheckResult(
        "burden-shares", "Burden shares add up to the totals",
        "under every policy of the baseline (incl. budgets that bind and a pooled fund): for "
        "every ledger entry (day, category, location, nationality, measure) the payers' "
        "amounts add up to the entry and their shares to 1; cost:payer:* add up to "
        "cost_total, share:payer:* to 1, personnel_days by payer to personnel_days; and "
        "every invariant of the run holds",
        "relative 1e-9",
        f"{len(scn.policies)} policies, {len(details)} violations; largest |sum of "
        f"cost:payer:* - cost_total| / cost_total = {max(worst_rows):.1e}",
        passed, f"scenarios/baseline.yaml with horizon {days} days, replication 0, root "
                f"seed {scn.metadata.seed}; policies {', '.join(scn.policies)}",
        {"largest_rel_diff": max(worst_rows), "violations": len(details)}, details)


def check_invariants(size: str = "fast", examples: int | None = None) -> CheckResult:
    """Conservation and capacity invariants over hypothesis-generated scenarios (needs the
    repository's tests/strategies.py and hypothesis)."""
    n = examples or (200 if size == "fast" else 2000)
    try:
        from sim.verification.sweep import sweep
    except ImportError as exc:  # pragma: no cover - outside the repository
        return CheckResult("invariants", "Invariants over generated scenarios", "", "", "",
                           True, f"not run ({exc})", informative=True)
    stats = sweep(n)
    passed = not stats["failures"]
    return CheckResult(
        "invariants", "Conservation and capacity invariants over generated scenarios",
        "every day and group: initial = at sites + in transit + in Iraq + discharged + "
        "released + repatriated + escaped - recaptured; no negative stock, cumulative counts "
        "never fall; occupancy <= beds and occupancy + reservations <= beds; seats, crossing "
        "quota, acceptance total and caps never exceeded; daily arrivals/departures = the "
        "trips; held back by some reason = waiting; transport and escort-days = the trips; "
        "KPIs = the records; Little's law exact at the origin (runs without escapes); payer "
        "allocations add up (runs under a policy)",
        "no violation in any generated scenario",
        f"{stats['examples']} scenarios ({stats['with_policy']} under a policy, "
        f"{stats['escape_free']} without escapes, {stats['trips']:,} trips), "
        f"{len(stats['failures'])} with a violation",
        passed, f"hypothesis, tests/strategies.py (1-3 sites, 1-2 destinations, every "
                f"mechanism), derandomized, {n} examples",
        stats, [str(f) for f in stats["failures"][:5]])

