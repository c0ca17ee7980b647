"""The report's scenario section and the assumptions and sources its files cite."""

from __future__ import annotations

from pathlib import Path

from sim.plots.files import Folder
from sim.report import sources as src
from sim.report.html import esc, md_inline
from sim.report.html import table as _table


def scenario_html(scn) -> str:
    if scn is None:
        return "<p class='note warn'>The stored scenario could not be read.</p>"
    parts = []
    if scn.metadata.description:
        parts.append(f"<p>{esc(scn.metadata.description)}</p>")
    parts.append(
        f"<p class='meta'><span>start {scn.metadata.start_date:%d %b %Y}</span>"
        f"<span>horizon {scn.metadata.horizon_days} days</span>"
        f"<span>{scn.total_population:,} people at {len(scn.sites)} sites</span>"
        f"<span>{len(scn.destinations)} destinations</span></p>")
    ctl = scn.controllers
    rows = []
    for s in scn.sites.values():
        pop = sum(n for cats in s.population.values() for n in cats.values())
        first = s.controller[0].controller
        rows.append([esc(s.name), esc(s.kind), f"{pop:,}", f"{s.capacity:,}",
                     esc(ctl[first].name if first in ctl else first),
                     f"{s.lat:.2f} N, {s.lon:.2f} E"])
    parts.append("<h3>Origin sites (Syria)</h3>" + _table(
        ["site", "kind", "people at start", "capacity", "controller at start", "location"],
        rows, {2, 3}))
    rows = []
    for d in scn.destinations.values():
        stay = "beyond the horizon" if d.stay is None else esc(_dist(d.stay))
        rows.append([esc(d.name), esc(d.kind), f"{d.beds:,}", f"{d.intake_per_day:,}", stay,
                     f"{d.cost_per_person_day:,.0f}"])
    parts.append("<h3>Reception facilities (Iraq)</h3>" + _table(
        ["facility", "kind", "beds", "screening per day", "stay (days)",
         "cost per person-day (USD)"], rows, {2, 3, 5}))
    rows = [[esc(k), esc(f.mode), f"{f.units}", f"{f.seats}", f"{f.cost_per_trip:,.0f}",
             f"{f.cost_per_km:,.0f}"] for k, f in scn.fleets.items()]
    parts.append("<h3>Fleets</h3>" + _table(
        ["fleet", "mode", "units", "seats per unit", "cost per trip (USD)", "cost per km"],
        rows, {2, 3, 4, 5}))
    acc = scn.acceptance
    caps = "; ".join(f"{c.max_people:,} per {_period(c.period_days)}" +
                     (f" from {_when(scn, c.start)}" if c.start else "") +
                     (f" to {_when(scn, c.end)}" if c.end is not None else "")
                     for c in acc.caps)
    parts.append(f"<p><strong>Acceptance by Iraq:</strong> total "
                 f"{'no limit' if acc.total is None else f'{acc.total:,}'}"
                 f"{'; caps: ' + esc(caps) if caps else ''}.</p>")
    if scn.policies:
        rows = [[esc(name), md_inline(" ".join(p.description.split()))]
                for name, p in scn.policies.items()]
        parts.append("<h3>Burden-sharing policies</h3>" + _table(["policy", "description"],
                                                                rows))
    return "\n".join(parts)


def _dist(d) -> str:
    data = d.model_dump() if hasattr(d, "model_dump") else d
    if isinstance(data, dict):
        kind = data.get("dist", "")
        rest = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                         for k, v in data.items() if v is not None and k != "dist")
        return f"{kind}: {rest}" if kind else rest
    return str(data)


def _period(days: int) -> str:
    return {1: "day", 7: "week", 30: "30 days", 365: "year"}.get(days, f"{days} days")


def _when(scn, value) -> str:
    day = scn.day(value)
    return f"{scn.date_of(day):%d %b %Y}"


def citations_html(cit: src.Citations, root: Path | None) -> str:
    if not cit.files:
        return ("<p class='note'>The original scenario files (with their comments citing "
                "sources and assumptions) were not found next to the results; the effective "
                "scenario is summarised above.</p>")

    def rel(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(root)) if root else str(p)
        except ValueError:
            return str(p)

    parts = [f"<p>Scenario files: {', '.join(f'<code>{esc(rel(f))}</code>' for f in cit.files)}"
             f". Every number in them carries a comment citing a source [S] or an assumption "
             f"[A, P]; the {len(cit.ids)} ids they cite are listed below from "
             f"{', '.join(f'<code>{esc(rel(d))}</code>' for d in cit.docs) or 'the docs'}.</p>"]
    for f, text in cit.header_comments.items():
        if text:
            parts.append(f"<h3>From the header of <code>{esc(rel(f))}</code></h3>"
                         f"<blockquote>{esc(text)}</blockquote>")
    names = {"A": "Assumptions", "P": "Policy assumptions", "S": "Sources"}
    for kind in ("A", "P", "S"):
        entries = cit.of_kind(kind)
        if not entries:
            continue
        head = ["id", *cit.headers.get(kind, [])]
        width = max(len(head), max(len(c) + 1 for _, c in entries))
        head += [""] * (width - len(head))
        rows = [[f"<strong>{esc(i)}</strong>", *[md_inline(c) for c in cells],
                 *[""] * (width - 1 - len(cells))] for i, cells in entries]
        parts.append(f"<h3>{names[kind]} ({len(entries)})</h3>" +
                     _table([md_inline(h) for h in head], rows, cls="small"))
    if cit.missing_ids:
        parts.append(f"<p class='note warn'>Cited but not documented: "
                     f"{esc(', '.join(cit.missing_ids))}.</p>")
    return "\n".join(parts)


def scenario_files(folder: Folder) -> list[Path]:
    """The original scenario files of the folder (None found: empty)."""
    root = src.repo_root()
    out: list[Path] = []
    if folder.kind == "run":
        name = folder.info.get("scenario_file")
        if name:
            for base in (Path.cwd(), root, folder.path):
                p = (base / name) if not Path(name).is_absolute() else Path(name)
                if p.is_file():
                    out.append(p)
                    break
        return out
    spec_path = folder.info.get("spec")
    spec = folder.results.spec
    if not spec_path:
        return out
    spec_file = Path(spec_path)
    if not spec_file.is_absolute():
        for base in (Path.cwd(), root):
            if (base / spec_file).is_file():
                spec_file = base / spec_file
                break
    for entry in spec.get("scenarios", []) or []:
        name = entry if isinstance(entry, str) else (entry or {}).get("base")
        if not name:
            continue
        p = Path(name) if Path(name).is_absolute() else spec_file.parent / name
        if p.is_file() and p not in out:
            out.append(p)
    return out

