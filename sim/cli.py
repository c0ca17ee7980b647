"""The ``sim`` command line: thin over the Python API (parse, call, print).

Input errors (:class:`sim.ScenarioError`) print one located message per problem and exit
with code 2; a traceback is shown only with ``--debug``. Heavy libraries load lazily so that
``sim --help`` answers quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

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
def schema(out: Annotated[Optional[Path], typer.Option(help="Write to this file.")] = None):
    """Print the JSON Schema of the scenario format (for editors)."""
    from sim.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        typer.echo(text)


def main() -> None:  # console script entry point
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
