"""``sim validate`` and ``sim schema``: the scenario files and their format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import EXIT_INPUT, app, state


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]):
    """Check scenario files; print every problem with its file and line."""
    from sim.scenario import ScenarioError, load_scenario

    failed = []
    for f in files:
        try:
            scn = load_scenario(f)
        except ScenarioError as exc:
            if state["debug"]:
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
