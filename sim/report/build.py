"""``build_report(DIR)``: one self-contained HTML file from a results folder.

The page embeds every figure as a base64 PNG, the KPI and comparison tables, the scenario's
main parameters, the assumptions and sources its YAML comments cite (looked up in
``docs/sources.md`` and ``docs/policies.md``), and the provenance (spec, seeds, versions).
It loads nothing from the network and runs no script, so it opens offline and in mail
clients, and it has print styles (A4, no figure or table split across pages).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci
from sim.numbers import fmt_number
from sim.plots.data import observed_frame, policies_of
from sim.plots.files import Folder, View, figure_specs, load_folder
from sim.plots.labels import kpi_label
from sim.report import sources as src
from sim.report.explore import build_explore_report, explore_folder
from sim.report.template import page
from sim.store.files import atomic_write
from sim.store.reader import Results

REPORT_KPIS = ("transferred", "escaped", "completion_day", "remaining_at_sites",
               "mean_wait_days", "released", "repatriated", "cost_total", "share_iraq",
               "largest_share", "share_deviation", "personnel_days", "days_blocked:funding",
               "trips")
COMPARE_KPIS = ("escaped", "transferred", "completion_day", "cost_total", "share_iraq",
                "largest_share", "personnel_days", "mean_wait_days", "remaining_at_sites")
SECTIONS = [
    ("transfers", "Transfers over time"),
    ("flows", "Where people were moved"),
    ("population", "People held at the sites"),
    ("beds", "Reception capacity in Iraq"),
    ("blocking", "What held transfers back"),
    ("costs", "Who pays"),
    ("outcomes", "Escapes and completion"),
    ("forest", "Policy comparison"),
    ("sweep", "Parameter sweeps"),
]
DPI = 130


def esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def fmt(x: Any, digits: int = 3) -> str:
    """A number for the report; text that is not a number is escaped as it is."""
    try:
        return fmt_number(x, digits)
    except (TypeError, ValueError):
        return esc(x)


def md_inline(text: str) -> str:
    """Escape, then render the inline Markdown used in the docs (code, bold, italics)."""
    out = esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return out


# ----------------------------------------------------------------------------- figures
def figure_png(fig) -> str:
    from sim.plots.style import save

    buf = io.BytesIO()
    import matplotlib

    with matplotlib.rc_context({"savefig.dpi": DPI}):
        save(fig, buf, "png")
    return base64.b64encode(buf.getvalue()).decode("ascii")


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


def _figure_html(name: str, caption: str, data: str) -> str:
    return (f'<figure id="fig-{esc(name)}"><img alt="{esc(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{esc(caption)}</figcaption>'
            f"</figure>")


# ----------------------------------------------------------------------------- tables
def _table(head: list[str], rows: list[list[str]], num: set[int] | None = None,
           cls: str = "") -> str:
    num = num or set()
    th = "".join(f'<th class="num">{h}</th>' if i in num else f"<th>{h}</th>"
                 for i, h in enumerate(head))
    body = []
    for r in rows:
        tds = "".join(f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>"
                      for i, c in enumerate(r))
        body.append(f"<tr>{tds}</tr>")
    return (f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{"".join(body)}'
            f"</tbody></table>")


def _cell(values: np.ndarray, scale: float) -> str:
    m, lo, hi, n = mean_ci(values * scale)
    if n == 0:
        return "n/a"
    if n < 2 or not math.isfinite(lo) or hi - lo <= 1e-9 * max(abs(m), 1):
        return fmt(m)
    return f'{fmt(m)}<br><span class="small">[{fmt(lo)}, {fmt(hi)}]</span>'


def kpi_table(kpis: pd.DataFrame, policies: list[str]) -> str:
    present = [k for k in REPORT_KPIS if k in kpis.columns and kpis[k].notna().any()]
    if "completion_day" in kpis.columns and "completion_day" not in present:
        present.insert(2, "completion_day")  # never finished: say so
    rows = []
    for k in present:
        lab = kpi_label(k)
        row = [f"{esc(lab.name)}<br><span class='small'>{esc(lab.unit)}</span>"]
        for p in policies:
            v = kpis.loc[kpis["policy"] == p, k].to_numpy(dtype=float)
            text = _cell(v, lab.scale)
            if k == "completion_day":
                done = int(np.isfinite(v).sum())
                text += f'<br><span class="small">{done}/{v.size} finished</span>'
            row.append(text)
        rows.append(row)
    return _table(["KPI", *map(esc, policies)], rows, set(range(1, len(policies) + 1)))


def compare_table(table: pd.DataFrame, kpis: tuple[str, ...] = COMPARE_KPIS) -> str:
    by = table.attrs.get("by", "policy") or "policy"
    sweep = [c for c in table.columns if c not in _COMPARE and c not in (by, "scenario")]
    multi_scenario = "scenario" in table.columns and table["scenario"].nunique() > 1
    group_cols = (["scenario"] if multi_scenario else []) + sweep
    chosen = [k for k in kpis if k in set(table["kpi"])]
    head = [*map(esc, group_cols), esc(by), "mean [95% CI]",
            "difference vs baseline (95% CI)", "p (Holm)", ""]
    n = len(group_cols)
    body = []
    for k in chosen:
        lab = kpi_label(k)
        g = table[table["kpi"] == k]
        sense = g["direction"].iloc[0] if len(g) else "lower"
        body.append(f"<tr class='section'><td colspan='{len(head)}'>{esc(lab.name)} "
                    f"<span class='small'>({esc(lab.unit)}; {sense} is better)</span>"
                    "</td></tr>")
        for _, r in g.iterrows():
            s = lab.scale
            mean = (f"{fmt(r['mean'] * s)} <span class='small'>[{fmt(r['ci_low'] * s)}, "
                    f"{fmt(r['ci_high'] * s)}]</span>")
            if r[by] == r["baseline"]:
                diff = "baseline"
            elif not (isinstance(r["diff"], float) and math.isfinite(r["diff"])):
                diff = esc(r.get("verdict", "n/a"))
            else:
                d = r["diff"] * s
                sig = math.isfinite(r["p_holm"]) and r["p_holm"] < 0.05 and d != 0
                better = (d < 0) == (r["direction"] == "lower")
                cls = ("better" if better else "worse") if sig else ""
                word = ("clearly " + ("better" if better else "worse")) if sig else \
                    "no clear difference"
                diff = (f'<span class="{cls}">{"+" if d > 0 else ""}{fmt(d)}</span> '
                        f"<span class='small'>({fmt(r['diff_ci_low'] * s)} to "
                        f"{fmt(r['diff_ci_high'] * s)}); {word}</span>")
            p = r["p_holm"]
            ptxt = "" if not math.isfinite(p) else ("&lt;0.001" if p < 0.001 else f"{p:.3g}")
            best = "best" if r[by] == r["best"] else ("~ best" if r["in_best_subset"] else "")
            cells = [esc(r[c]) for c in group_cols] + [esc(r[by]), mean, diff, ptxt, best]
            body.append("<tr>" + "".join(
                f'<td class="num">{c}</td>' if i in (n + 1, n + 3) else f"<td>{c}</td>"
                for i, c in enumerate(cells)) + "</tr>")
    th = "".join(f'<th class="num">{h}</th>' if i in (n + 1, n + 3) else f"<th>{h}</th>"
                 for i, h in enumerate(head))
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_COMPARE = {"kpi", "direction", "n", "mean", "ci_low", "ci_high", "baseline", "n_pairs", "diff",
            "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "rel_halfwidth", "verdict",
            "best", "in_best_subset", "indifference", "run_id", "replication", "seed"}


def payer_table(kpis: pd.DataFrame, policies: list[str]) -> str:
    payers = [c[len("cost:payer:"):] for c in kpis.columns if c.startswith("cost:payer:")]
    means = {p: kpis.loc[kpis["policy"] == p, [f"cost:payer:{q}" for q in payers]].mean()
             for p in policies}
    shown = [q for q in payers if max(float(means[p][f"cost:payer:{q}"]) for p in policies)
             > 0] if payers else []
    rows = []
    for q in shown:
        row = [esc(q)]
        for p in policies:
            total = float(means[p].sum())
            v = float(means[p][f"cost:payer:{q}"])
            share = f" <span class='small'>({v / total:.0%})</span>" if total > 0 else ""
            row.append(f"{v / 1e6:,.1f}{share}")
        rows.append(row)
    totals = ["<strong>total</strong>"] + [f"<strong>{float(means[p].sum()) / 1e6:,.1f}"
                                           f"</strong>" for p in policies]
    rows.append(totals)
    return _table(["payer (USD million, share)", *map(esc, policies)], rows,
                  set(range(1, len(policies) + 1)))


# ----------------------------------------------------------------------------- observed
def observed_table(view: View) -> str | None:
    scn = view.scenario
    if scn is None or not scn.observed or view.daily is None or view.daily.empty:
        return None
    obs = observed_frame(scn.observed, scn)
    daily = view.daily
    rows = []
    for p in policies_of(daily):
        g = daily[daily["policy"] == p]
        for _, o in obs.iterrows():
            col = "departed" if o["measure"] == "departed" and "departed" in g else \
                "transferred"
            vals = []
            for _, rep in g.groupby("replication", sort=False):
                rep = rep.sort_values("day")
                vals.append(float(np.interp(o["day"], rep["day"].to_numpy(dtype=float),
                                            rep[col].to_numpy(dtype=float))))
            m, lo, hi, n = mean_ci(np.asarray(vals))
            rel = (m - o["observed"]) / o["observed"] if o["observed"] else math.nan
            rows.append([esc(p), f"{o['date']:%d %b %Y}", esc(o["measure"]),
                         f"{o['observed']:,.0f}",
                         f"{fmt(m)} <span class='small'>[{fmt(lo)}, {fmt(hi)}]</span>",
                         f"{rel:+.0%}" if math.isfinite(rel) else "n/a",
                         md_inline(o["source"])])
    return _table(["policy", "date", "counts", "observed", "model mean [95% CI]",
                   "relative error", "source"], rows, {3, 4, 5})


# ----------------------------------------------------------------------------- scenario
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


def _scenario_files(folder: Folder) -> list[Path]:
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


# ----------------------------------------------------------------------------- provenance
def provenance_html(folder: Folder) -> str:
    res = folder.results
    info = folder.info
    first = (info.get("variants") or [{}])[0]
    kv: list[tuple[str, str]] = [("results folder", f"<code>{esc(folder.path)}</code>")]
    if folder.kind == "batch":
        kv += [("kind", "batch store (<code>sim batch</code>)"),
               ("batch", esc(folder.name)),
               ("spec file", f"<code>{esc(info.get('spec'))}</code>"),
               ("last updated", esc(info.get("updated"))),
               ("sim version (runs)", esc(info.get("version"))),
               ("replications", esc(info.get("replications"))),
               ("daily series", "every " + esc(info.get("daily_every")) + " day(s)"
                if info.get("daily_every") else "not kept")]
    else:
        kv += [("kind", "single scenario (<code>sim run</code>)"),
               ("scenario file", f"<code>{esc(info.get('scenario_file'))}</code>"),
               ("scenario digest", f"<code>{esc(first.get('digest'))}</code>"),
               ("created", esc(info.get("updated"))),
               ("sim version (runs)", esc(info.get("version"))),
               ("replications", esc(info.get("replications"))),
               ("root seed", esc(first.get("seed"))),
               ("policies", esc(", ".join(res.policies)))]
    coverage = res.coverage
    kv += [("runs stored", f"{coverage.stored:,} of the {coverage.expected:,} asked for"),
           ("failed runs", f"{len(res.failures):,}")]
    kv.append(("report generated",
               dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    parts = ["<dl class='kv'>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in kv) +
             "</dl>"]
    if folder.kind == "batch":
        variants = res.variants
        if variants is not None and len(variants):
            rows = [[esc(v) for v in r] for r in variants.astype(str).itertuples(index=False)]
            parts.append("<h3>Scenario variants, digests and seeds</h3>" +
                         _table(list(map(esc, variants.columns)), rows, cls="small"))
    fails = res.failures
    if fails is not None and len(fails):
        rows = [[esc(r["scenario"]), esc(r["policy"]), esc(r["replication"]),
                 esc(r["seed"]), esc(str(r["error"])[:300])]
                for _, r in fails.head(20).iterrows()]
        parts.append(f"<h3>Failed runs ({len(fails)})</h3>" + _table(
            ["scenario", "policy", "replication", "seed", "error"], rows))
    if folder.kind == "batch" and res.spec_text:
        parts.append("<h3>Batch spec</h3><pre>" + esc(res.spec_text) + "</pre>")
    if res.versions:
        parts.append("<h3>Package versions</h3>" + _table(
            ["package", "version"], [[esc(k), esc(v)] for k, v in res.versions.items()],
            cls="small"))
    parts.append("<p>To reproduce (same inputs, seed and version give bit-identical "
                 f"results):</p><pre>{esc(_reproduce(folder))}</pre>")
    return "\n".join(parts)


def _reproduce(folder: Folder) -> str:
    """The command that makes the folder's results again."""
    info = folder.info
    if folder.kind == "batch":
        return f"sim batch {info.get('spec')} --out {folder.path}"
    seed = (info.get("variants") or [{}])[0].get("seed")
    cmd = f"sim run {info.get('scenario_file')} -n {info.get('replications')} --seed {seed}"
    if folder.policies and folder.policies != ["none"]:
        cmd += f" --policy {'all' if len(folder.policies) > 1 else folder.policies[0]}"
    return cmd


# ----------------------------------------------------------------------------- summary
def glance_html(folder: Folder) -> str:
    """Cards: the best policy for a few headline KPIs (from the comparison), else means."""
    table = folder.compare
    cards = []
    view = folder.views[0] if folder.views else None
    if table is not None and len(table):
        first_group = table
        group_cols = [c for c in table.columns if c not in _COMPARE and c != "policy"]
        if group_cols:
            key = table.iloc[0][group_cols]
            mask = np.ones(len(table), dtype=bool)
            for c in group_cols:
                mask &= (table[c] == key[c]).to_numpy()
            first_group = table[mask]
        for k in ("transferred", "escaped", "cost_total", "share_iraq", "completion_day"):
            g = first_group[first_group["kpi"] == k]
            if g.empty or g["best"].isna().all():
                continue
            lab = kpi_label(k)
            best = g["best"].iloc[0]
            row = g[g["policy"] == best].iloc[0]
            tied = [p for p in g.loc[g["in_best_subset"].astype(bool), "policy"] if p != best]
            none = [p for p in g.loc[g["n"] == 0, "policy"]]
            sub = (f"best subset also holds {', '.join(map(str, tied))}" if tied else
                   "best subset: no other policy")
            if none:
                sub += f"; never reached under {', '.join(map(str, none))}"
            cards.append((f"{lab.name}: best policy", f"{best}",
                          f"mean {fmt(row['mean'] * lab.scale)} {lab.unit}; {sub}"))

    elif view is not None:
        for k in ("transferred", "escaped", "cost_total"):
            if k in view.kpis:
                lab = kpi_label(k)
                m, lo, hi, n = mean_ci(view.kpis[k].to_numpy(dtype=float) * lab.scale)
                cards.append((lab.name, f"{fmt(m)} {lab.unit}",
                              f"95% CI {fmt(lo)} to {fmt(hi)} ({n} runs)"))
    if not cards:
        return ""
    note = ("<p class='meta small'>Best = best mean over replications. The best subset keeps "
            "every policy whose paired difference from the best is not shown (one-sided 95% "
            "bound) to exceed 1% of the best mean; the comparison table gives the "
            "Holm-adjusted tests.</p>") if table is not None and len(table) else ""
    return "<div class='glance'>" + "".join(
        f"<div class='card'><div class='label'>{esc(a)}</div><div class='value'>{esc(b)}"
        f"</div><div class='sub'>{esc(c)}</div></div>" for a, b, c in cards) + "</div>" + note


# ----------------------------------------------------------------------------- report
def build_report(folder: str | Path | Results, out: str | Path | None = None) -> Path:
    """Write ``DIR/report.html`` (or ``out``) for a batch store or a ``sim run`` folder.

    Returns the path written. Raises :class:`sim.OutputError` for a folder that is not a
    results folder, or that cannot be written."""
    if explore_folder(folder) is not None:  # an exploration: its own page
        return build_explore_report(folder, out)
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
    from sim.report.forecast import HEAD, forecast_parts

    if (fc := forecast_parts(folder)) is not None:
        fan = _figure_html("forecast", "Forecast fan chart", figure_png(fc[1]))
        section("forecast", "Forecast", fc[0] + fan + _table(HEAD, fc[2]))

    for view in views:
        where = f" ({view.label})" if len(views) > 1 else ""
        vp = [p for p in pols if p in set(view.kpis["policy"])]
        section(f"kpis-{_anchor(view.label)}", "Key figures" + where,
                "<p>Mean over replications, with the 95% t-interval below it.</p>" +
                kpi_table(view.kpis, vp))
    if folder.compare is not None and len(folder.compare):
        base = folder.compare.attrs.get("baseline")
        content = (f"<p>Each policy against <strong>{esc(base)}</strong>: mean paired "
                   "difference with its 95% CI; \"clearly\" when the Holm-adjusted p-value "
                   "is below 0.05. \"best\" marks the best mean; \"~ best\" policies are not "
                   "shown worse than the best by more than 1% of its mean.</p>")
        content += "".join(_figure_html(*f) for f in figs.get("forest", []))
        content += compare_table(folder.compare)
        section("comparison", "Policy comparison", content)

    for key, heading in SECTIONS:
        if key == "forest" or key not in figs:
            continue
        content = "".join(_figure_html(*f) for f in figs[key])
        if key == "transfers":
            for view in views:
                t = observed_table(view)
                if t:
                    content += ("<h3>Model against observed cumulative transfers"
                                f"{' (' + esc(view.label) + ')' if len(views) > 1 else ''}"
                                "</h3>" + t)
        if key == "costs":
            for view in views:
                if any(c.startswith("cost:payer:") for c in view.kpis.columns):
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
    files = _scenario_files(folder)
    cit = src.citations(files)
    section("assumptions", "Assumptions and sources", citations_html(cit, src.repo_root()))
    section("provenance", "Provenance", provenance_html(folder))

    nav = "<nav class='toc'><strong>Contents</strong><ol>" + "".join(
        f"<li><a href='#{a}'>{esc(h)}</a></li>" for a, h in toc) + "</ol></nav>"
    foot = (f"<footer>Generated by <code>sim report</code> (sim {esc(prov.version)}) from "
            f"<code>{esc(folder.path)}</code>. Self-contained: figures are embedded; no "
            "network access is needed.</footer>")
    return page(esc(title), head + nav + "\n".join(body) + foot)


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(text)).strip("-").lower() or "x"
