"""Figures of simulation results: functions that take DataFrames and return a matplotlib
:class:`~matplotlib.figure.Figure` (never ``show()``; Agg canvas, no pyplot state).

Every figure has a title, units, calendar dates on time axes, a colour-blind-safe palette
(Okabe-Ito) and a provenance footnote (scenario, replications, seed, version)::

    import sim
    import sim.plots as plots

    res = sim.open_results("results/policies")     # written by the example of sim
    fig = plots.cumulative_transfers(res.daily, provenance=plots.provenance_of_results(res))
    fig.savefig("transfers.png")

=========================  ===================================================
function                   shows
=========================  ===================================================
site_population            people at each site over time (median, 50%/90% bands)
cumulative_transfers       cumulative transfers, observed counts and the error
bed_occupancy              occupancy of each destination against its beds
blocking                   which constraint held people back, stacked by day
payer_costs                costs by payer per policy; shares against the key
payer_shares               each payer's share of the cost with its 95% CI
tradeoff                   total cost against escapes and Iraq's share (Pareto front)
budgets                    budget use and funding blocks per payer over time
observed_history           a replay against observed counts (checks and inputs)
forest                     paired differences vs the baseline (CIs, Holm)
outcome_distributions      ECDFs of escapes and completion day per policy
flow_map                   sites, crossings, destinations; widths = people moved
sweep_effect               a KPI against a sweep parameter, per policy
=========================  ===================================================

:func:`sim.plots.files.plot_folder` draws every figure a results folder supports.
"""

from sim.plots.budgets import budget_use, budgets, held_per_payer
from sim.plots.compare import forest, outcome_distributions, sweep_effect
from sim.plots.costs import payer_costs
from sim.plots.data import (
    bands,
    moved_from_kpis,
    moved_from_trips,
    observed_frame,
    policy_key,
    policy_keys,
)
from sim.plots.history import observed_history
from sim.plots.maps import flow_map
from sim.plots.style import OKABE_ITO, PALETTE, Provenance
from sim.plots.timeseries import bed_occupancy, blocking, cumulative_transfers, site_population
from sim.plots.tradeoff import pareto, payer_shares, tradeoff

__all__ = [
    "OKABE_ITO", "PALETTE", "Provenance", "bands", "bed_occupancy", "blocking", "budget_use",
    "budgets", "cumulative_transfers", "flow_map", "forest", "held_per_payer", "moved_from_kpis",
    "moved_from_trips", "observed_frame", "observed_history", "outcome_distributions",
    "pareto", "payer_costs", "payer_shares", "plot_folder", "policy_key", "policy_keys",
    "provenance_of_results", "site_population", "sweep_effect", "tradeoff",
]


def plot_folder(folder, formats=("png",), strict: bool = False):
    """Draw every figure the results in ``folder`` support (see :mod:`sim.plots.files`)."""
    from sim.plots.files import plot_folder as _plot_folder

    return _plot_folder(folder, formats=formats, strict=strict)


def provenance_of_results(results, scenario: str | None = None) -> Provenance:
    """A footnote for figures made from a batch :class:`sim.store.Results`."""
    from sim.plots.files import batch_provenance

    return batch_provenance(results, scenario)
