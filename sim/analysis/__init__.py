"""Statistics on batch results: CIs, paired (common random numbers) comparisons, Holm."""

from sim.analysis.adaptive import AdaptiveReplications, AdaptiveReport, adaptive_status
from sim.analysis.compare import HEADLINE, compare, save_compare
from sim.analysis.stats import (
    Interval,
    holm,
    lower_bound,
    paired_interval,
    rel_halfwidth,
    t_interval,
)

__all__ = [
    "AdaptiveReplications", "AdaptiveReport", "HEADLINE", "Interval",
    "adaptive_status", "compare", "holm",
    "lower_bound", "paired_interval", "rel_halfwidth", "save_compare", "t_interval",
]
