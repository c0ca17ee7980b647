"""``sim run``: replications of one scenario under its policies, and a table of its KPIs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, fail, run_guarded, state


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, max=100_000,  # the schema's bounds (sim.scenario.base)
        help="Replications (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, max=2**63 - 1, help="Root seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option(help="New output folder.")] = None,
    policy: Annotated[str | None, typer.Option(
        help="A policy of the scenario's policies:, 'all' (the default when it defines "
             "any) or 'none' (costs recorded, not shared out).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Local worker processes (default: 0 = in this process; as "
                          "`sim batch`).")] = None,
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help="Show a progress bar (default: when the output "
                                         "is a terminal).", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        help="Replace an existing `sim run` output folder.")] = False,
    plots: Annotated[bool, typer.Option(help="Also draw the figures.")] = True,
    fmt: Annotated[str, typer.Option(
        "--format", help="KPI table: text (fits the terminal), csv, json or markdown.")
    ] = "text",
):
    """Run one scenario (every policy it defines, unless --policy): replications into a
    results folder, and a KPI table."""
    from sim.cli.suggest import existing_file

    scenario = existing_file(scenario, "scenario file")
    from sim.batch.run import RunFailed
    from sim.cli.tables import check_format

    fmt = check_format(fmt)
    shown = progress if progress is not None else sys.stderr.isatty()

    def go():
        from sim.batch.run import run_scenario
        from sim.scenario import load_scenario

        policies, how = _policies(load_scenario(scenario), policy)
        return how, run_scenario(scenario, replications, seed, out, policies, force,
                                 progress=shown, workers=workers or 0)

    try:
        how, output = run_guarded(go)
    except RunFailed as exc:
        if state["debug"]:
            typer.echo(exc.traceback, err=True)
        fail(str(exc), code=1)
    from sim.cli.summary import kpi_table, observed_table
    from sim.cli.tables import emit, records
    from sim.cli.text import say

    results = output.results
    kpis, observed = kpi_table(output, how), observed_table(output)
    if fmt == "json":  # one document: the KPIs and, when the scenario has them, observations
        import json

        doc = {"kpis": records(kpis), "observed": records(observed) if observed else []}
        typer.echo(json.dumps(doc, indent=1, default=str))
    else:
        emit(kpis, fmt)
    if observed is not None and fmt in ("text", "markdown"):
        typer.echo("")
        emit(observed, fmt)
    if observed is not None and fmt == "csv":
        say("the model against observed counts: --format json or sim validate-history",
            err=True)
    if fmt == "text":
        say(f"results written to {output.out}")
    else:
        say(f"results written to {output.out}", err=True)
    if (output.scenario.parameters is not None and list(output.policies) == [None]
            and fmt == "text"):
        from sim.cli.calibrate import print_forecast

        run_guarded(lambda: print_forecast(output))
    if plots:
        run_guarded(lambda: _draw(results, quiet=fmt != "text"))


def _policies(scn, policy: str | None) -> tuple[list[str | None], str]:
    """The policies to run and how they were chosen (for the header)."""
    from sim.cli.suggest import did_you_mean
    from sim.policy import policy_names

    names = list(policy_names(scn))
    if policy is None:
        if not names:
            return [None], "no burden-sharing policy (the scenario defines none)"
        return list(names), (f"every policy of the scenario ({len(names)}; --policy NAME "
                             f"for one)")
    if policy == "all":
        return (list(names) or [None]), f"every policy of the scenario ({len(names)})"
    if policy == "none":
        return [None], "no burden-sharing policy (--policy none)"
    if policy in names:
        return [policy], f"policy {policy}"
    fail(f"unknown policy '{policy}' (expected 'all', 'none' or one of: "
         f"{', '.join(names) or 'none defined'}){did_you_mean(policy, names)}")
    raise AssertionError  # fail() exits


def _draw(results, quiet: bool = False) -> None:
    try:
        from sim.plots.files import plot_folder
    except ImportError:  # plotting not installed in this build
        return
    from sim.cli.text import say

    written = plot_folder(results.path)
    if written:
        say(f"{len(written)} figures written to {results.path / 'figures'}", err=quiet)
