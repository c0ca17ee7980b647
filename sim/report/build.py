"""``build_report(DIR)``: one self-contained HTML file from a results folder.

The page embeds every figure as a base64 PNG, the KPI and comparison tables, the scenario's
main parameters, the assumptions and sources its YAML comments cite (looked up in
``docs/sources.md`` and ``docs/policies.md``), and the provenance (spec, seeds, versions).
It loads nothing from the network and runs no script, so it opens offline and in mail
clients, and it has print styles (A4, no figure or table split across pages).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from sim.analysis import present
from sim.plots.data import payer_columns
from sim.plots.files import Folder, load_folder
from sim.plots.specs import figure_specs
from sim.report import sources as src
from sim.report.html import esc, figure_html, figure_png
from sim.report.provenance import provenance_html
from sim.report.scenario import citations_html, scenario_files, scenario_html
from sim.report.summary import glance_html
from sim.report.tables import compare_table, kpi_table, observed_table, payer_table
from sim.report.template import page
from sim.store.files import atomic_write
from sim.store.reader import Results

SECTIONS = [
    ("transfers", "Transfers over time"),
    ("flows", "Where people were moved"),
    ("population", "People held at the sites"),
    ("beds", "Reception capacity in Iraq"),
    ("blocking", "What held transfers back"),
    ("costs", "Who pays"),
    ("tradeoff", "Trade-offs between policies"),
    ("outcomes", "Escapes and completion"),
    ("forest", "Policy comparison"),
    ("sweep", "Parameter sweeps"),
]


def _figures(folder: Folder) -> dict[str, list[tuple[str, str, str]]]:
    """Section -> [(name, caption, base64 png)]."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for spec in figure_specs(folder):
        try:
            fig = spec.make()
        except Exception as exc:  # a figure that fails must not cost the whole report
            warnings.warn(f"report: figure {spec.name} was not drawn ({type(exc).__name__}: "
                          f"{exc})", stacklevel=2)
            continue
        section = spec.name.split("-")[0]
        out.setdefault(section, []).append((spec.name, spec.title, figure_png(fig)))
    return out


def build_report(folder: str | Path | Results, out: str | Path | None = None) -> Path:
    """Write ``DIR/report.html`` (or ``out``) for a batch store or a ``sim run`` folder.

    Returns the path written. Raises :class:`sim.OutputError` for a folder that is not a
    results folder, or that cannot be written."""
    data = load_folder(folder)
    target = Path(out) if out else data.path / "report.html"
    atomic_write(target, render(data).encode("utf-8"))
    return target


def render(folder: Folder) -> str:
    figs = _figures(folder)
    views = folder.views
    scenario_names = ", ".join(dict.fromkeys(v.label for v in views)) or folder.name
    pols = folder.policies
    title = f"Transfers from north-east Syria to Iraq: {folder.name}"
    prov = folder.provenance
    kind = "Batch results" if folder.kind == "batch" else "Scenario results"
    toc: list[tuple[str, str]] = []
    body: list[str] = []

    def section(anchor: str, heading: str, content: str, newpage: bool = False) -> None:
        toc.append((anchor, heading))
        cls = ' class="newpage"' if newpage else ""
        body.append(f'<section id="{anchor}"><h2{cls}>{esc(heading)}</h2>\n{content}\n'
                    f"</section>")

    reps = prov.replications
    head = (f"<header class='cover'><div class='kicker'>{kind} · sim report</div>"
            f"<h1>{esc(title)}</h1><p class='meta'>"
            f"<span>scenario {esc(scenario_names)}</span>"
            f"<span>{len(pols)} polic{'y' if len(pols) == 1 else 'ies'}: "
            f"{esc(', '.join(pols))}</span>"
            f"<span>{esc(reps)} replication(s) per policy</span>"
            f"<span>seed {esc(prov.seed)}</span><span>sim {esc(prov.version)}</span></p>"
            "</header>")

    coverage = folder.results.coverage
    intro = [glance_html(folder)]
    if not coverage.complete:
        problems = coverage.warnings() + [f"{folder.path}: {d}" for d in coverage.damaged]
        intro.insert(0, "<p class='note warn'><strong>Incomplete results.</strong> " +
                     "<br>".join(esc(p) for p in problems) + "</p>")
    intro.append(
        "<p>Every figure shows results across independent replications of a stochastic "
        "simulation: lines are medians, shaded bands hold 50% and 90% of the replications; "
        "tables give means with 95% t-intervals. Policies are compared on common random "
        "numbers (replication <i>r</i> of every policy sees the same world), by paired "
        "differences with Holm-adjusted p-values. Model numbers rest on the assumptions "
        "listed at the end; read them as comparisons between policies, not forecasts.</p>")
    section("summary", "Summary", "\n".join(intro))

    for view in views:
        where = f" ({view.label})" if len(views) > 1 else ""
        vp = [p for p in pols if p in set(view.kpis["policy"])]
        section(f"kpis-{_anchor(view.label)}", "Key figures" + where,
                "<p>Mean over replications, with the 95% t-interval below it.</p>" +
                kpi_table(view.kpis, vp, _horizon(view)))
    if folder.compare is not None and len(folder.compare):
        base = folder.compare.attrs.get("baseline")
        content = (f"<p>Each policy against <strong>{esc(base)}</strong>. "
                   f"{esc(present.best_note(folder.compare.attrs.get('level', 0.95)))}</p>")
        content += "".join(figure_html(*f) for f in figs.get("forest", []))
        content += compare_table(folder.compare)
        section("comparison", "Policy comparison", content)

    for key, heading in SECTIONS:
        if key == "forest" or key not in figs:
            continue
        content = "".join(figure_html(*f) for f in figs[key])
        if key == "transfers":
            for view in views:
                t = observed_table(view)
                if t:
                    content += ("<h3>Model against observed cumulative transfers"
                                f"{' (' + esc(view.label) + ')' if len(views) > 1 else ''}"
                                "</h3>" + t)
        if key == "costs":
            for view in views:
                if payer_columns(view.kpis):
                    vp = [p for p in pols if p in set(view.kpis["policy"])]
                    where = f" ({esc(view.label)})" if len(views) > 1 else ""
                    content += (f"<h3>Cost by payer{where}</h3>" +
                                payer_table(view.kpis, vp))
        section(key, heading, content)
    if folder.kind == "batch" and (folder.info.get("daily_every") is None):
        body.append("<p class='note'>This batch did not keep daily series (spec "
                    "<code>tables: {daily: {every: 7}}</code>), so figures over time are "
                    "not shown.</p>")

    for view in views[:3]:
        where = f" ({view.label})" if len(views) > 1 else ""
        section(f"scenario-{_anchor(view.label)}", "Scenario" + where,
                scenario_html(view.scenario), newpage=view is views[0])
    files = scenario_files(folder)
    cit = src.citations(files)
    section("assumptions", "Assumptions and sources", citations_html(cit, src.repo_root()))
    section("provenance", "Provenance", provenance_html(folder))

    nav = "<nav class='toc'><strong>Contents</strong><ol>" + "".join(
        f"<li><a href='#{a}'>{esc(h)}</a></li>" for a, h in toc) + "</ol></nav>"
    foot = (f"<footer>Generated by <code>sim report</code> (sim {esc(prov.version)}) from "
            f"<code>{esc(folder.path)}</code>. Self-contained: figures are embedded; no "
            "network access is needed.</footer>")
    return page(esc(title), head + nav + "\n".join(body) + foot)


def _horizon(view) -> float | None:
    return float(view.scenario.metadata.horizon_days) if view.scenario is not None else None


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-").lower() or "x"
