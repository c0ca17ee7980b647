"""Verification and validation: the evidence that the model's numbers can be trusted.

- :mod:`sim.verification.checks`: checks against hand computations, Little's law, queueing
  and probability theory, with stated (statistical) tolerances; :func:`run_checks`;
- :mod:`sim.verification.invariants`: invariants every run must satisfy;
- :mod:`sim.verification.history`: a replay against observed counts (``sim
  validate-history``);
- :mod:`sim.verification.report`: writes docs/validation.md (``python -m
  sim.verification``).

Nothing here imports pytest; hypothesis is needed only for the invariant sweep.
"""

from sim.verification.checks import CHECKS, CheckResult, run_check, run_checks
from sim.verification.history import HistoryReport, history_figure, validate_history

__all__ = ["CHECKS", "CheckResult", "HistoryReport", "history_figure", "run_check",
           "run_checks", "validate_history"]
