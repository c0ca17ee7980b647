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
    from sim.cli.suggest import closest
    from sim.cli.text import say
    from sim.scenario import ScenarioError, load_scenario

    failed = []
    for f in files:
        if not f.is_file() and f.parent.is_dir():
            near = closest(f.name, [p.name for p in f.parent.glob("*.y*ml")])
            if near:
                say(f"{f}: no such file; did you mean '{f.parent / near}'?", err=True)
                failed.append(f)
                continue
        try:
            scn = load_scenario(f)
        except ScenarioError as exc:
            if state["debug"]:
                raise
            say(str(exc), err=True)
            failed.append(f)
        else:
            say(f"{f}: ok ({scn.metadata.name}: {scn.total_population:,} people, "
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
