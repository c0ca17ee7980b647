"""The report of an explore folder (``sim report DIR`` on a folder of ``sim explore``).

One self-contained HTML page: the verdict, the robustness ranking and figure, the largest
sensitivity indices and a tornado per KPI, the PRIM boxes, and how the futures were made.
"""

from __future__ import annotations

import base64
import html
import io
import warnings
from pathlib import Path

from sim.exploration.analyse import is_explore, open_explore, read_tables
from sim.exploration.discovery import box_lines
from sim.exploration.robustness import ranking
from sim.exploration.sensitivity import top_lines
from sim.exploration.verdict import verdict
from sim.plots.style import save
from sim.plots.uncertainty import prim_box, robustness_chart, sensitivity_bars
from sim.report.template import page
from sim.store.files import atomic_write


def explore_folder(folder) -> Path | None:
    """The path of ``folder`` (a path or Results) when it is an explore folder, else None."""
    path = Path(getattr(folder, "path", folder))
    return path if is_explore(path) else None


def build_explore_report(folder, out: str | Path | None = None) -> Path:
    """Write ``DIR/report.html`` (or ``out``) for the explore folder ``folder``."""
    path = Path(getattr(folder, "path", folder))
    target = Path(out) if out else path / "report.html"
    atomic_write(target, render_explore(path).encode("utf-8"))
    return target


def _esc(x) -> str:
    return html.escape(str(x))


def _figure(fig, caption: str) -> str:
    buf = io.BytesIO()
    save(fig, buf, "png")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure><img alt="{_esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_esc(caption)}</figcaption></figure>")


def _pre(lines: list[str]) -> str:
    return "<pre>" + _esc("\n".join(lines)) + "</pre>"


def render_explore(path: Path) -> str:
    ef = open_explore(path)
    tables = read_tables(path)
    rob, sens, disc = tables.robustness, tables.sensitivity, tables.discovery
    body: list[str] = []
    title = f"Policies under deep uncertainty: {ef.meta['name']}"
    n = int(rob["n_futures"].max()) if len(rob) else 0
    body.append(f"<header class='cover'><div class='kicker'>Exploration · sim report</div>"
                f"<h1>{_esc(title)}</h1><p class='meta'><span>{n} futures</span>"
                f"<span>{len(ef.policies)} policies: {_esc(', '.join(ef.policies))}</span>"
                f"<span>{ef.meta['replications']} replication(s) per future and policy"
                f"</span></p></header>")
    body.append("<p>Each future is one draw of every uncertain input from its range (the "
                "scenario's <code>uncertainties:</code>), run under every policy with the "
                "same random numbers. Read the numbers as comparisons of policies across "
                "futures nobody can rule out, not as forecasts; docs/uncertainty.md explains "
                "the method.</p>")
    for scenario in dict.fromkeys(rob["scenario"]):
        body.append(f"<h2>Robustness ({_esc(scenario)})</h2>")
        body.append(f"<p><strong>{_esc(verdict(ef, tables, scenario))}</strong></p>")
        rank = ranking(rob, scenario)
        head = "".join(f"<th>{_esc(c)}</th>" for c in rank.columns)
        rows = "".join("<tr>" + "".join(
            f"<td>{_esc(f'{v:.0%}' if isinstance(v, float) and c != 'rel_regret' else v)}"
            f"</td>" for c, v in r.items()) + "</tr>" for _, r in rank.iterrows())
        body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        body.append("<p>satisficing: share of futures meeting every threshold; a KPI column: "
                    "share meeting that KPI's threshold; rel_regret: mean over KPIs of the "
                    "90th-percentile regret (shortfall against the best policy in the same "
                    "future) divided by the KPI's spread.</p>")
        body.append(_safe(lambda s=scenario: _figure(robustness_chart(rob, s),
                                                     "Satisficing and regret")))
        body.append(f"<h2>Sensitivity ({_esc(scenario)})</h2>")
        body.append(_pre(top_lines(sens, scenario)))
        for kpi in dict.fromkeys(sens.loc[sens["scenario"] == scenario, "kpi"]):
            body.append(_safe(lambda k=kpi, s=scenario: _figure(
                sensitivity_bars(sens, k, s), f"Sensitivity of {k}")))
        if disc is not None and len(disc):
            body.append(f"<h2>Scenario discovery ({_esc(scenario)})</h2>")
            for pol in dict.fromkeys(disc.loc[disc["scenario"] == scenario, "policy"]):
                body.append(_pre(box_lines(disc, scenario, pol)))
                body.append(_safe(lambda p=pol, s=scenario: _figure(
                    prim_box(disc, ef.design, s, p), f"PRIM box of {p}")))
    body.append("<h2>How the futures were made</h2>")
    for d in ef.meta["designs"]:
        body.append(f"<p>{_esc(d['scenario'])}, {_esc(d['kind'])}: {_esc(d['method'])} design,"
                    f" {d['points']} points over {len(d['names'])} uncertainties"
                    + (" (indices per assumption tag)" if d.get("group_of") else "") + ".</p>")
    body.append("<h3>Explore spec</h3>" + _pre(ef.meta["spec_text"].splitlines()))
    return page(_esc(title), "\n".join(body))


def _safe(make) -> str:
    try:
        return make()
    except Exception as exc:  # a figure that fails must not cost the whole report
        warnings.warn(f"report: a figure was not drawn ({type(exc).__name__}: {exc})",
                      stacklevel=2)
        return ""
