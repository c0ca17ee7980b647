"""``sim batch``: scenarios x sweeps x policies x replications into a results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, run_guarded
from sim.cli.options import Chunk, Dask, DaskLocal, SpecOut, Workers


@app.command()
def batch(
    spec: Annotated[Path, typer.Argument(help="Batch spec YAML (scenarios/batches/*.yaml).")],
    out: SpecOut = None,
    workers: Workers = None,
    dask: Dask = None,
    dask_local: DaskLocal = None,
    chunk: Chunk = None,
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, max=100_000,  # the schema's bound (sim.scenario.base)
        help="Replications (default: the spec's).")] = None,
    target: Annotated[float | None, typer.Option(
        "--target-rel-halfwidth", help="Add replications until every compared difference "
                                       "of --kpi has CI half-width / |difference| <= this.")
    ] = None,
    kpi: Annotated[list[str] | None, typer.Option(
        "--kpi", help="KPI watched by --target-rel-halfwidth (repeatable).")] = None,
    max_replications: Annotated[int | None, typer.Option(
        "--max-replications", min=1, max=100_000, help="Upper limit for adaptive "
        "replications (default: 10x the spec's).")] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Policy the others are compared with (adaptive mode).")] = None,
    by: Annotated[str, typer.Option(
        "--by", help="Adaptive mode compares levels of this column: policy, scenario or a "
                     "sweep path.")] = "policy",
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar.")] = True,
):
    """Run a batch (scenarios x sweep x policies x replications) into a results folder.

    Rerunning resumes: only missing runs are computed. Exit code 1 if any run failed.
    """
    from sim.cli.suggest import existing_file

    spec = existing_file(spec, "batch spec")
    from sim.batch import run_batch

    def go():
        rule = None
        if target is not None:
            from sim.analysis.adaptive import AdaptiveReplications

            rule = AdaptiveReplications(target, kpi or [], baseline=baseline, by=by,
                                        max_replications=max_replications)
        return rule, run_batch(spec, out, workers=workers, dask=dask, dask_local=dask_local,
                               chunk_size=chunk, replications=replications,
                               progress=progress, more=rule)

    from sim.cli.text import say

    rule, results = run_guarded(go)
    for line in results.summary.lines():
        say(line)
    if rule is not None and rule.report is not None:
        for line in rule.report.lines():
            say(line)
    if results.summary.failed:
        raise typer.Exit(1)
