"""Plain-words names, units and scales of KPIs (figures and report use the same words)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiLabel:
    name: str
    unit: str
    scale: float = 1.0
    """Multiply values by this before showing them in ``unit``."""


KPI_LABELS: dict[str, KpiLabel] = {
    "transferred": KpiLabel("People transferred to Iraq", "people"),
    "released": KpiLabel("People released in Syria", "people"),
    "repatriated": KpiLabel("People repatriated", "people"),
    "discharged": KpiLabel("People discharged in Iraq", "people"),
    "escaped": KpiLabel("Escapes (gross)", "people"),
    "recaptured": KpiLabel("Recaptured", "people"),
    "remaining_at_sites": KpiLabel("Still at the Syrian sites at the end", "people"),
    "completion_day": KpiLabel("Completion day", "days from start"),
    "mean_wait_days": KpiLabel("Mean wait before departure", "days"),
    "p90_wait_days": KpiLabel("90th percentile departure day", "days"),
    "person_days_at_risk": KpiLabel("Person-days under a changed custodian", "person-days"),
    "trips": KpiLabel("Trips", "trips"),
    "cost_total": KpiLabel("Total cost", "USD million", 1e-6),
    "personnel_days": KpiLabel("Security personnel", "person-days"),
    "share_iraq": KpiLabel("Iraq's share of the cost", "% of total", 100.0),
    "largest_share": KpiLabel("Largest payer's share", "% of total", 100.0),
    "share_deviation": KpiLabel("Deviation from the key", "% of total", 100.0),
    "overrun_total": KpiLabel("Budget overrun", "USD million", 1e-6),
    "days_blocked": KpiLabel("Days with people held back", "days"),
}

PREFIX_LABELS: dict[str, KpiLabel] = {
    "escaped:": KpiLabel("Escapes: {}", "people"),
    "cost:payer:": KpiLabel("Cost paid by {}", "USD million", 1e-6),
    "share:payer:": KpiLabel("Share paid by {}", "% of total", 100.0),
    "personnel_days:payer:": KpiLabel("Personnel provided by {}", "person-days"),
    "overrun:payer:": KpiLabel("Budget overrun of {}", "USD million", 1e-6),
    "cost:": KpiLabel("Cost: {}", "USD million", 1e-6),
    "days_blocked:": KpiLabel("Days held back by {}", "days"),
    "peak_beds:": KpiLabel("Peak occupancy at {}", "people"),
    "moved:": KpiLabel("Moved {}", "people"),
    "trips:": KpiLabel("Trips by {}", "trips"),
    "fund:": KpiLabel("Pooled fund: {}", ""),
    "personnel_days:": KpiLabel("Personnel-days: {}", "person-days"),
}


def kpi_label(kpi: str) -> KpiLabel:
    """Name, unit and scale of a KPI (a readable fallback for unknown ones)."""
    if kpi in KPI_LABELS:
        return KPI_LABELS[kpi]
    for prefix, lab in PREFIX_LABELS.items():
        if kpi.startswith(prefix):
            rest = kpi[len(prefix):].replace(">", " to ").replace("_", " ")
            return KpiLabel(lab.name.format(rest), lab.unit, lab.scale)
    return KpiLabel(kpi.replace("_", " ").capitalize(), "")


def axis_label(kpi: str) -> str:
    lab = kpi_label(kpi)
    return f"{lab.name} ({lab.unit})" if lab.unit else lab.name
