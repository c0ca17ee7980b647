"""Statistics on batch results: CIs, paired (common random numbers) comparisons, Holm."""

from sim.analysis.compare import HEADLINE, adaptive_status, compare, save_compare
from sim.analysis.stats import (
    Interval,
    holm,
    lower_bound,
    paired_interval,
    rel_halfwidth,
    t_interval,
)

__all__ = [
    "HEADLINE", "Interval", "adaptive_status", "compare", "holm",
    "lower_bound", "paired_interval", "rel_halfwidth", "save_compare", "t_interval",
]
