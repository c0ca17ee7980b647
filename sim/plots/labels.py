"""Plain-words names, units and scales of KPIs for figures (from the KPI catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.kpis import label


@dataclass(frozen=True)
class KpiLabel:
    name: str
    unit: str
    scale: float = 1.0
    """Multiply values by this before showing them in ``unit``."""


def kpi_label(kpi: str) -> KpiLabel:
    """Name, unit and scale of a KPI's flat key (a readable fallback for unknown ones)."""
    return KpiLabel(*label(kpi))


def axis_label(kpi: str) -> str:
    lab = kpi_label(kpi)
    return f"{lab.name} ({lab.unit})" if lab.unit else lab.name
