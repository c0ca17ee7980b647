"""The report's forecast section: for a ``sim run`` of a scenario that draws its inputs
(``parameters:``), the fan chart and the table of totals of :mod:`sim.calibration.forecast`."""

from __future__ import annotations

from typing import Any


def forecast_section(folder: Any) -> str | None:
    """HTML of the forecast of a run folder, or None when the folder has none."""
    from sim.report.build import _figure_html, _table, esc, figure_png

    if folder.kind != "run" or len(folder.views) != 1 or folder.policies != ["none"]:
        return None
    scn = folder.views[0].scenario
    if scn is None or getattr(scn, "parameters", None) is None:
        return None
    from sim.calibration.forecast import fmt_totals, series_from_results, summarise
    from sim.plots.calibration import fan_chart

    fc = summarise(scn, series_from_results(folder.results, scn))
    rows = [[esc(r["what"]), esc(r["median"]), esc(r["50%"]), esc(r["90%"]),
             esc(r["within horizon"])] for r in fmt_totals(fc)]
    return (f"<p>Each of the {fc.runs} runs drew its own inputs (<code>parameters: "
            f"{esc(scn.parameters.draw)}</code>) before it ran, so the bands hold what is not "
            f"known as well as chance. After the last observation "
            f"({fc.last_observation:%d %b %Y}) the runs follow the model's structure and "
            f"their drawn inputs.</p>"
            + _figure_html("forecast", "Forecast fan chart", figure_png(fan_chart(fc)))
            + _table(["", "median", "50% band", "90% band", "within horizon"], rows))
