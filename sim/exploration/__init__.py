"""Exploratory modelling under deep uncertainty: designs over the scenarios' uncertainties,
global sensitivity, robustness of the policies across futures, and scenario discovery.

    out = sim.explore("scenarios/explore/baseline_lhs.yaml", out="results/explore")
    out.analysis.robustness          # also DIR/robustness.parquet
    ef = sim.open_explore("results/explore")   # design, outcomes, results

See docs/uncertainty.md.
"""

from sim.exploration.analyse import Analysis, ExploreFolder, analyse, is_explore, open_explore
from sim.exploration.run import ExploreOutput, explore
from sim.exploration.spec import ExploreSpec, load_explore_spec

__all__ = ["Analysis", "ExploreFolder", "ExploreOutput", "ExploreSpec", "analyse", "explore",
           "is_explore", "load_explore_spec", "open_explore"]
