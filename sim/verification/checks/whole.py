"""Checks of whole runs: burden shares that add up, invariants over generated scenarios,
metamorphic relations on the baseline."""

from __future__ import annotations

from pathlib import Path

from sim.scenario import load_scenario
from sim.simulation import simulate
from sim.verification.checks.base import (
    SIZES,
    CheckResult,
)
from sim.verification.invariants import violations

BASELINE = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"


# ----------------------------------------------------------------------------- invariants
def check_burden_shares(size: str = "fast") -> CheckResult:
    """Every policy of the baseline: payers' amounts add up to the ledger, entry by entry."""
    days = SIZES[size]["burden_days"]
    scn = load_scenario(BASELINE, overrides={"metadata.horizon_days": days})
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



BASELINE_CHANGES = (
    ("fleets.road_convoy.units", 1, 4), ("fleets.road_convoy.seats", 1.5, 0),
    ("destinations.karkh.beds", 1, 1000), ("crossings.rabia.daily_throughput", 2, 0),
    ("acceptance.caps.0.max_people", 1, 750), ("policies.iraq_alone.budgets.IRQ.annual", 1.6, 0))
"""More capacity or money on the baseline: (dotted path, factor, added)."""


def check_metamorphic(size: str = "fast") -> CheckResult:
    """The metamorphic relations of :mod:`sim.verification.metamorphic` on the shipped
    baseline (its first 150 days, when the transfers happen), on common random numbers."""
    from sim.scenario import scenario_to_dict
    from sim.verification import metamorphic as M

    reps = 3 if size == "fast" else 10
    data = scenario_to_dict(load_scenario(BASELINE, overrides={"metadata.horizon_days": 150}))
    results: dict[str, list[str]] = {}
    for policy in (None, "iraq_alone", "nationality", "eu_key"):
        results[f"unrelated site, {policy or 'no policy'}"] = M.unrelated(data, policy, reps=2)
    for path, factor, add in BASELINE_CHANGES:
        what = f"x{factor:g}" if factor != 1 else f"+{add:g}"
        results[f"more: {path} {what}, iraq_alone"] = M.more_is_not_less(
            data, M.scale(path, factor, add), "iraq_alone", reps=reps)
    results["escape hazards x2"] = M.hazard(data, reps=reps)
    results["who pays only (coalition key, no budget)"] = M.who_pays(data, {
        "rule": "key", "params": {"participants": ["USA", "GBR", "FRA", "DEU", "IRQ"]}},
        reps=2)
    failed = {k: v for k, v in results.items() if v}
    return CheckResult(
        "metamorphic", "Metamorphic relations on the baseline",
        "an unrelated camp (people who stay, a fleet and route nobody uses) leaves every other "
        "site's daily record, the destinations and the trips bit-identical; more units, seats, "
        "beds, crossing quota, a larger acceptance cap or budget never lowers mean transferred "
        "nor the share of completed runs; doubled escape hazards never lower mean escapes; a "
        "policy that only changes who pays leaves every physical outcome bit-identical",
        "exact (bit-identical records; means never lower)",
        f"{len(results) - len(failed)} of {len(results)} relations hold",
        not failed, f"scenarios/baseline.yaml, first 150 days, replications 0-{reps - 1} "
                    f"(0-1 for the bit-identical relations), common random numbers; the same "
                    f"relations over generated scenarios: tests/verification/test_metamorphic.py",
        {"relations": len(results), "failed": len(failed)},
        [f"{k}: {'; '.join(v) if v else 'holds'}" for k, v in results.items()])
