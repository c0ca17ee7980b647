"""The report's forecast section: for a ``sim run`` of a scenario that draws its inputs
(``parameters:``), the fan chart and the table of totals of :mod:`sim.calibration.forecast`."""

from __future__ import annotations

from html import escape
from typing import Any

HEAD = ["", "median", "50% band", "90% band", "within horizon"]


def forecast_parts(folder: Any) -> tuple[str, Any, list[list[str]]] | None:
    """(introduction HTML, fan chart, table rows as escaped HTML) of a run folder's forecast,
    or None when the folder has none."""
    if folder.kind != "run" or len(folder.views) != 1 or folder.policies != ["none"]:
        return None
    scn = folder.views[0].scenario
    if scn is None or getattr(scn, "parameters", None) is None:
        return None
    from sim.calibration.forecast import fmt_totals, series_from_results, summarise
    from sim.plots.calibration import fan_chart

    fc = summarise(scn, series_from_results(folder.results, scn))
    rows = [[escape(r[k]) for k in ("what", "median", "50%", "90%", "within horizon")]
            for r in fmt_totals(fc)]
    intro = (f"<p>Each of the {fc.runs} runs drew its own inputs (<code>parameters: "
             f"{escape(scn.parameters.draw)}</code>) before it ran, so the bands hold what is "
             f"not known as well as chance. After the last observation "
             f"({fc.last_observation:%d %b %Y}) the runs follow the model's structure and "
             f"their drawn inputs.</p>")
    return intro, fan_chart(fc), rows
