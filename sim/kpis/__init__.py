"""The KPI catalogue (see :mod:`sim.kpis.catalogue`) with every KPI of the tool declared in
:mod:`sim.kpis.definitions`."""

from sim.kpis import definitions as _definitions  # noqa: F401  (declares the KPIs)
from sim.kpis.catalogue import (
    CATALOGUE,
    DIMENSIONS,
    Kpi,
    compute,
    direction,
    flat_key,
    headline,
    label,
    long_table,
    parse_key,
    summary,
)
from sim.kpis.run import Run

__all__ = [
    "CATALOGUE", "DIMENSIONS", "Kpi", "Run", "compute", "direction", "flat_key", "headline",
    "label", "long_table", "parse_key", "summary",
]
