"""Exploratory modelling under deep uncertainty: designs over the scenarios' uncertainties,
global sensitivity, robustness of the policies across futures, and scenario discovery.

    out = sim.explore("scenarios/explore/baseline_lhs.yaml", out="results/explore")
    out.analysis.robustness          # also DIR/robustness.parquet
    ef = sim.explore.open_explore("results/explore")   # design, outcomes, results

See docs/uncertainty.md.
"""

import sys as _sys
import types as _types

from sim.explore.analyse import Analysis, ExploreFolder, analyse, is_explore, open_explore
from sim.explore.run import ExploreOutput, explore
from sim.explore.spec import ExploreSpec, load_explore_spec

__all__ = ["Analysis", "ExploreFolder", "ExploreOutput", "ExploreSpec", "analyse", "explore",
           "is_explore", "load_explore_spec", "open_explore"]


class _Module(_types.ModuleType):
    """``sim.explore(...)`` runs :func:`explore`; ``sim.explore.open_explore`` etc. as usual."""

    def __call__(self, *args, **kwargs):
        return explore(*args, **kwargs)


_sys.modules[__name__].__class__ = _Module
