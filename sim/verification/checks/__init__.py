"""Verification checks: each runs the model on a purpose-built scenario and compares it with a
result known independently (worked out by hand, or from probability and queueing theory),
within a stated tolerance. Stochastic checks use statistical tolerances over independent
replications (z-scores, chi-square p-values), never numbers pinned to a seed.

Every check returns a :class:`CheckResult`; :func:`run_checks` runs them all. ``size`` is
``"fast"`` (seconds; what the tests and docs/validation.md use) or ``"full"`` (more
replications, for nightly runs). The package's tests assert ``passed``; docs/validation.md
is written from the same results by ``python -m sim.verification``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sim.verification.checks.base import (
    LITTLE_TOLERANCE,
    P_LIMIT,
    SIZES,
    Z_LIMIT,
    CheckResult,
)
from sim.verification.checks.chance import (
    check_breakouts_poisson,
    check_escapes_binomial,
    check_escapes_crowding,
    check_recapture_binomial,
    escape_probability,
)
from sim.verification.checks.queues import (
    check_fleet_throughput,
    check_little_origin,
    check_little_transit,
    check_reception_mginf,
    check_screening_batch_service,
    check_two_site_schedule,
    cycle_mean,
    expected_record_stay,
)
from sim.verification.checks.whole import (
    check_burden_shares,
    check_invariants,
    check_metamorphic,
)

__all__ = [
    "CHECKS", "LITTLE_TOLERANCE", "P_LIMIT", "SIZES", "Z_LIMIT", "CheckResult",
    "check_breakouts_poisson", "check_burden_shares", "check_escapes_binomial",
    "check_escapes_crowding", "check_fleet_throughput", "check_invariants",
    "check_little_origin", "check_little_transit", "check_metamorphic", "check_reception_mginf",
    "check_recapture_binomial", "check_screening_batch_service", "check_two_site_schedule",
    "cycle_mean", "escape_probability", "expected_record_stay", "run_check", "run_checks",
]


CHECKS: dict[str, Callable[..., CheckResult]] = {
    "schedule-by-hand": check_two_site_schedule,
    "little-origin": check_little_origin,
    "little-transit": check_little_transit,
    "fleet-throughput": check_fleet_throughput,
    "reception-mginf": check_reception_mginf,
    "screening-batch-service": check_screening_batch_service,
    "escapes-binomial": check_escapes_binomial,
    "escapes-crowding": check_escapes_crowding,
    "breakouts-poisson": check_breakouts_poisson,
    "recapture-binomial": check_recapture_binomial,
    "burden-shares": check_burden_shares,
    "invariants": check_invariants,
    "metamorphic": check_metamorphic,
}
"""Every check, by id (the order of docs/validation.md)."""


def run_check(check_id: str, size: str = "fast") -> CheckResult:
    t0 = time.perf_counter()
    result = CHECKS[check_id](size)
    result.seconds = time.perf_counter() - t0
    return result


def run_checks(size: str = "fast", only: list[str] | None = None) -> list[CheckResult]:
    return [run_check(c, size) for c in (only or CHECKS)]
