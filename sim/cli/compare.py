"""``sim compare``: policies compared with paired confidence intervals."""

from __future__ import annotations

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
    fmt: Annotated[str, typer.Option(
        "--format", help="Output: text (fits the terminal), csv, json or markdown.")
    ] = "text",
):
    """Compare policies with paired CIs; write compare.csv and compare.parquet."""
    from sim.analysis.compare import HEADLINE, compare, save_compare
    from sim.cli.tables import check_format, emit
    from sim.cli.text import say

    fmt = check_format(fmt)
    res = open_folder(folder, quiet=fmt != "text")

    def go():
        table = compare(res, baseline=baseline, kpis=kpi or None, by=by,
                        indifference_rel=indifference_rel)
        return table, save_compare(res, table)

    table, paths = run_guarded(go)
    if table.empty:
        say(f"{folder}: no runs to compare")
        return
    shown = table if kpi else table[table["kpi"].isin(HEADLINE)]
    if shown.empty:
        shown = table
    emit(comparison_table(shown, by, table.attrs.get("level", 0.95)), fmt)
    if fmt == "text":
        more = table["kpi"].nunique() - shown["kpi"].nunique()
        extra = f" ({more} more KPIs there)" if more else ""
        say(f"wrote {paths[0]} and {paths[1]}{extra}")


def comparison_table(table, by: str, level: float):
    """The comparison as a :class:`sim.cli.tables.Table`: one section per KPI (and group)."""
    from sim.analysis import present
    from sim.analysis.compare import compare_columns
    from sim.cli.tables import Column, Table

    groups = compare_columns(table, by)
    pct = f"{level * 100:g}%"
    base = table["baseline"].iloc[0]
    out = Table(f"Comparison with {base} (paired on common random numbers; p Holm-adjusted "
                f"per KPI)",
                [Column(by, by), Column("estimate", f"estimate [{pct} CI]", True),
                 Column("difference", f"vs {base} [{pct} CI]", True),
                 Column("p_holm", "p (Holm)", True), Column("rank", "rank")],
                notes=[present.best_note(level)], pack=True)
    keys = [*groups, "kpi"]
    for key, g in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{c} {v}" for c, v in zip(groups, key))
        kpi = key[-1]
        sense = g["direction"].iloc[0]
        title = present.heading(kpi, sense) + (f", {where}" if where else "")
        s = out.section(title, kpi=kpi, unit=present.unit_of(kpi)[1],
                        **dict(zip(groups, key)))
        scale = present.unit_of(kpi)[2]
        for _, r in g.iterrows():
            s.add(**{by: str(r[by])},
                  estimate=(present.estimate(r), _estimate(r, scale)),
                  difference=(present.difference(r, by, level), _scaled(r, "diff", scale)),
                  p_holm=(present.p_value(r), r["p_holm"]),
                  rank=(present.rank(r, by), present.rank(r, by)))
    return out


def _estimate(row, scale: float):
    """The raw estimate: the mean in display units; the completion day's median."""
    from sim.analysis.completion import COMPLETION

    return _scaled(row, "median", 1.0) if row["kpi"] == COMPLETION else \
        _scaled(row, "mean", scale)


def _scaled(row, col: str, scale: float):
    v = row.get(col)
    try:
        return float(v) * scale
    except (TypeError, ValueError):
        return None
