"""The report's provenance section: what the results were made from and how to remake them."""

from __future__ import annotations

import datetime as dt

from sim.plots.files import Folder
from sim.report.html import esc
from sim.report.html import table as _table


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

