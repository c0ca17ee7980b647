"""The shareable HTML report of a results folder: ``sim report DIR`` / ``build_report(DIR)``.

One self-contained file (figures embedded as PNG, no scripts, no network), with the KPI and
comparison tables, the scenario's assumptions and sources, and the provenance of the runs.
"""

from sim.report.build import build_report, render

__all__ = ["build_report", "render"]
