"""``sim compare``: policies compared with paired confidence intervals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, open_folder, run_guarded


@app.command("compare")
def compare_cmd(
    folder: Annotated[Path, typer.Argument(
        help="Results folder written by `sim batch` or `sim run`.")],
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Policy the others are compared with (default: iraq_alone if "
                           "present, else the first).")] = None,
    kpi: Annotated[list[str] | None, typer.Option(
        "--kpi", help="KPI to compare (repeatable; default: all, headline ones "
                      "printed).")] = None,
    by: Annotated[str, typer.Option(
        "--by", help="Compare levels of this column: policy, scenario or a sweep path.")
    ] = "policy",
    indifference_rel: Annotated[float, typer.Option(
        "--indifference-rel", help="Best subset: as good as the best within this share of "
                                   "the best mean.")] = 0.01,
):
    """Compare policies with paired CIs; write compare.csv and compare.parquet."""
    from sim.analysis.compare import HEADLINE, compare, save_compare

    res = open_folder(folder)

    def go():
        table = compare(res, baseline=baseline, kpis=kpi or None, by=by,
                        indifference_rel=indifference_rel)
        return table, save_compare(res, table)

    table, paths = run_guarded(go)
    if table.empty:
        typer.echo(f"{folder}: no runs to compare")
        return
    shown = table if kpi else table[table["kpi"].isin(HEADLINE)]
    if shown.empty:
        shown = table
    _print_compare(shown, res.sweep_columns, by, table.attrs.get("level", 0.95))
    more = table["kpi"].nunique() - shown["kpi"].nunique()
    extra = f" ({more} more KPIs there)" if more else ""
    typer.echo(f"wrote {paths[0]} and {paths[1]}{extra}")


def _print_compare(table, sweep: list[str], by: str, level: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from sim.analysis.compare import fmt

    console = Console(width=None if sys.stdout.isatty() else 200)
    groups = [c for c in ["scenario", "policy", *sweep] if c in table.columns and c != by]
    pct = f"{level * 100:g}%"
    out = Table(title=f"Comparison vs {table['baseline'].iloc[0]} (paired, common random "
                      f"numbers; p Holm-adjusted per KPI)", show_lines=False)
    for col in [*groups, "KPI", by, f"mean [{pct} CI]", "difference vs baseline", "p (Holm)",
                "best"]:
        out.add_column(col, overflow="fold")
    prev = None
    for _, r in table.iterrows():
        key = tuple(r[c] for c in groups) + (r["kpi"],)
        if prev is not None and key != prev:
            out.add_section()
        prev = key
        best = "best" if r[by] == r["best"] else ("~ best" if r["in_best_subset"] else "")
        mean = f"{fmt(r['mean'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]"
        p = "" if r["p_holm"] != r["p_holm"] else f"{r['p_holm']:.3g}"
        out.add_row(*[str(r[c]) for c in groups], r["kpi"], str(r[by]), mean, r["verdict"], p,
                    best)
    console.print(out)
