"""Statistics on batch results: CIs, paired (common random numbers) comparisons, Holm, and
completion with the runs that never finish counted (:mod:`sim.analysis.completion`; its
function ``completion`` is not re-exported here, so that the module keeps its name)."""

from sim.analysis.adaptive import AdaptiveReplications, AdaptiveReport, adaptive_status
from sim.analysis.compare import HEADLINE, compare, save_compare
from sim.analysis.completion import Completion, share_finished_by
from sim.analysis.stats import (
    Interval,
    holm,
    lower_bound,
    paired_interval,
    rel_halfwidth,
    t_interval,
)

__all__ = [
    "AdaptiveReplications", "AdaptiveReport", "Completion", "HEADLINE", "Interval",
    "adaptive_status", "compare", "holm", "share_finished_by",
    "lower_bound", "paired_interval", "rel_halfwidth", "save_compare", "t_interval",
]
