"""What every verification check shares: the result record, sizes, tolerances, helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.simulation import simulate
from sim.verification import scenarios as S

Z_LIMIT = 4.0
"""Two-sided z limit of the statistical checks (false alarm rate about 6e-5 per test)."""
P_LIMIT = 1e-3
"""Smallest acceptable p-value of the chi-square checks."""
LITTLE_TOLERANCE = 0.02
"""Little's law: largest relative difference between L and lambda x W."""


@dataclass
class CheckResult:
    id: str
    title: str
    claim: str
    """What is compared with what (the equation)."""
    tolerance: str
    measured: str
    passed: bool
    setup: str
    """Scenario, replications and seed."""
    values: dict[str, Any] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    """Mismatches, or one line per compared quantity."""
    seconds: float = 0.0
    informative: bool = False
    """Reported, not a pass/fail criterion (e.g. the fit of a calibrated replay)."""


SIZES = {
    "fast": {"reps_little": 5, "reps_steady": 8, "steady_days": 400, "reps_escape": 100,
             "reps_crowd": 200, "reps_breakout": 150, "reps_recapture": 50,
             "burden_days": 240, "history_reps": 20},
    "full": {"reps_little": 30, "reps_steady": 40, "steady_days": 600, "reps_escape": 400,
             "reps_crowd": 1000, "reps_breakout": 600, "reps_recapture": 200,
             "burden_days": 730, "history_reps": 50},
}


ROOT_SEED: int | None = None
"""Root seed of the stochastic checks (None: each scenario's own; the nightly tests set a
new one every day, so that no tolerance is tuned to one seed)."""


def _runs(data: dict, reps: int, policy: str | None = None):
    if ROOT_SEED is not None:
        data = {**data, "metadata": {**data["metadata"], "seed": ROOT_SEED}}
    scn = S.build(data)
    return scn, [simulate(scn, policy=policy, replication=r) for r in range(reps)]


def _setup(scn, reps: int, extra: str = "") -> str:
    m = scn.metadata
    days = f"{m.horizon_days} day{'s' if m.horizon_days != 1 else ''}"
    what = f"scenario `{m.name}`, {days}, replications 0-{reps - 1}, root seed {m.seed}"
    return f"{what}; {extra}" if extra else what


def _z(mean: float, se: float) -> float:
    return 0.0 if se == 0 and mean == 0 else (mean / se if se > 0 else math.inf)


def _t_test(x: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard error, t statistic and two-sided p-value (t with n-1 df) of the
    hypothesis that the replications' values have mean 0."""
    from scipy import stats

    mean, se = _mean_se(x)
    t = _z(mean, se)
    p = float(2 * stats.t.sf(abs(t), len(x) - 1)) if math.isfinite(t) else 0.0
    return mean, se, t, p


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else math.nan

