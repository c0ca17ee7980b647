"""The ``sim`` command line: thin over the Python API (parse, call, print).

Input errors (:class:`sim.ScenarioError`) print one located message per problem and exit
with code 2; a traceback is shown only with ``--debug``. Heavy libraries load lazily so that
``sim --help`` answers quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Simulate transfers of detainees and camp residents from north-east "
                       "Syria to Iraq, and who bears the cost.")
_state = {"debug": False}

EXIT_INPUT = 2


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False):
    _state["debug"] = debug


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guard(fn):
    """Run ``fn``; turn input and output errors into a message and exit code 2."""
    from sim.errors import OutputError
    from sim.scenario.errors import ScenarioError

    try:
        return fn()
    except (ScenarioError, OutputError) as exc:
        if _state["debug"]:
            raise
        _fail(str(exc))


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]):
    """Check scenario files; print every problem with its file and line."""
    from sim.scenario import ScenarioError, load_scenario

    failed = []
    for f in files:
        try:
            scn = load_scenario(f)
        except ScenarioError as exc:
            if _state["debug"]:
                raise
            typer.echo(str(exc), err=True)
            failed.append(f)
        else:
            typer.echo(f"{f}: ok ({scn.metadata.name}: {scn.total_population:,} people, "
                       f"{len(scn.sites)} sites, {len(scn.destinations)} destinations)")
    if failed:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="Write to this file.")] = None):
    """Print the JSON Schema of the scenario format (for editors)."""
    from sim.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        typer.echo(text)


MAIN_KPIS = ("transferred", "released", "repatriated", "escaped", "completion_day",
             "mean_wait_days", "p90_wait_days", "person_days_at_risk", "trips", "cost_total",
             "share_iraq", "largest_share", "days_blocked:funding", "personnel_days")


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, help="Replications (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")]
    = None,
    out: Annotated[Path | None, typer.Option(help="New output folder.")] = None,
    policy: Annotated[str | None, typer.Option(
        help="Policy name from the scenario's policies:, or 'all'.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing output folder.")] = False,
    plots: Annotated[bool, typer.Option(help="Also draw the figures.")] = True,
):
    """Run one scenario: replications, Parquet tables, summary and a KPI table."""

    def go():
        from sim.runner import run_scenario
        from sim.scenario import load_scenario

        policies: list[str | None] = [None]
        if policy:
            from sim.policy import policy_names

            names = policy_names(load_scenario(scenario))
            if policy == "all":
                policies = list(names)
            elif policy in names:
                policies = [policy]
            else:
                _fail(f"unknown policy '{policy}' (expected 'all' or one of: "
                      f"{', '.join(names) or 'none defined'})")
        summary = run_scenario(scenario, replications, seed, out, policies, force)
        _print_summary(summary)
        if plots:
            _draw(summary.out)

    _guard(go)


def _fmt(x: float) -> str:
    import math

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f}M"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.3g}"


def _print_summary(summary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"{summary.scenario.metadata.name}: {summary.replications} "
                        f"replications, seed {summary.seed} (mean and 95% CI)")
    table.add_column("KPI")
    policies = list(dict.fromkeys(summary.table["policy"]))
    for p in policies:
        table.add_column(p, justify="right")
    kpis = [k for k in MAIN_KPIS if k in set(summary.table["kpi"])]
    payer = sorted(k for k in set(summary.table["kpi"]) if k.startswith("share:payer:"))
    for kpi in kpis + payer:
        cells = []
        for p in policies:
            row = summary.table[(summary.table["policy"] == p) & (summary.table["kpi"] == kpi)]
            if row.empty:
                cells.append("")
                continue
            r = row.iloc[0]
            ci = "" if r["n"] < 2 or r["ci_low"] != r["ci_low"] else \
                f" [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
            nan_note = f" (n={int(r['n'])})" if r["n"] < summary.replications else ""
            cells.append(f"{_fmt(r['mean'])}{ci}{nan_note}")
        table.add_row(kpi, *cells)
    console.print(table)
    if len(summary.observed):
        obs = Table(title="Model versus observed cumulative transfers")
        for col in ("policy", "date", "observed", "model (mean [95% CI])", "relative error"):
            obs.add_column(col)
        for _, r in summary.observed.iterrows():
            obs.add_row(str(r["policy"]), r["date"], f"{r['observed']:,}",
                        f"{_fmt(r['model_mean'])} [{_fmt(r['model_low'])}, "
                        f"{_fmt(r['model_high'])}]", f"{r['rel_error']:+.0%}")
        console.print(obs)
        mean_abs = summary.observed.groupby("policy")["rel_error"].apply(
            lambda s: s.abs().mean())
        for p, v in mean_abs.items():
            console.print(f"averaged relative difference ({p}): {v:.1%}")
    console.print(f"results written to {summary.out}")


def _draw(out: Path) -> None:
    try:
        from sim.plots.files import plot_folder
    except ImportError:  # plotting not installed in this build
        return
    written = plot_folder(out)
    if written:
        typer.echo(f"{len(written)} figures written to {out / 'figures'}")


def main() -> None:  # console script entry point
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
