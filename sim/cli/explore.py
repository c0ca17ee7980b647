"""``sim explore``: policies across futures drawn from the scenarios' uncertainties."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, run_guarded
from sim.cli.options import Chunk, Dask, DaskLocal, SpecOut, Workers


@app.command()
def explore(
    spec: Annotated[Path, typer.Argument(help="Explore spec YAML (scenarios/explore/*.yaml).")],
    out: SpecOut = None,
    workers: Workers = None,
    dask: Dask = None,
    dask_local: DaskLocal = None,
    chunk: Chunk = None,
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar.")] = True,
):
    """Run every policy in the futures of an explore spec; write sensitivity, robustness
    and discovery tables. Rerunning resumes. Exit code 1 if any run failed."""
    from sim.exploration import explore as run_explore

    res = run_guarded(lambda: run_explore(spec, out, workers=workers, dask=dask,
                                          dask_local=dask_local, chunk_size=chunk,
                                          progress=progress))
    for line in res.summary.lines():
        typer.echo(line)
    for line in summary_lines(res.out):
        typer.echo(line)
    if res.summary.failed:
        raise typer.Exit(1)


def summary_lines(folder: Path) -> list[str]:
    """Ranking, verdict, largest indices and one PRIM box per scenario (80 columns)."""
    import textwrap

    from sim.exploration import open_explore
    from sim.exploration.analyse import read_tables
    from sim.exploration.discovery import box_lines
    from sim.exploration.robustness import ranking_lines
    from sim.exploration.sensitivity import top_lines
    from sim.exploration.verdict import verdict

    ef = open_explore(folder)
    tables = read_tables(folder)
    lines: list[str] = []
    for scenario in dict.fromkeys(tables.robustness["scenario"]):
        lines += [""] + ranking_lines(tables.robustness, scenario)
        lines += textwrap.wrap(verdict(ef, tables, scenario), 80)
        lines += top_lines(tables.sensitivity, scenario)
        if tables.discovery is not None and len(tables.discovery):
            first = tables.robustness[tables.robustness["scenario"] == scenario]
            best = first.sort_values("satisficing", ascending=False)["policy"].iloc[0]
            for line in box_lines(tables.discovery, scenario, best):
                lines += textwrap.wrap(line, 80, subsequent_indent="    ")
    lines.append(f"tables in {folder}: sensitivity.parquet, robustness.parquet"
                 + (", discovery.parquet" if tables.discovery is not None else ""))
    lines.append(f"report: sim report {folder}")
    return lines
