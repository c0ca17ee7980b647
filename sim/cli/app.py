"""The ``sim`` command line's application and the way every command reports problems.

Input errors (:class:`sim.ScenarioError`) print one located message per problem and exit
with code 2; a traceback is shown only with ``--debug``. Heavy libraries load lazily so that
``sim --help`` answers quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Simulate transfers of detainees and camp residents from north-east "
                       "Syria to Iraq, and who bears the cost.")
state = {"debug": False}

EXIT_INPUT = 2


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False):
    state["debug"] = debug


def fail(message: str, code: int = EXIT_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def guard(fn):
    """Run ``fn``; turn input and output errors into a message and exit code 2."""
    from sim.errors import OutputError
    from sim.scenario.errors import ScenarioError

    try:
        return fn()
    except (ScenarioError, OutputError) as exc:
        if state["debug"]:
            raise
        fail(str(exc))


def run_guarded(fn):
    """:func:`guard`, printing the warnings ``fn`` gives (e.g. a damaged part left out) as
    one ``warning: ...`` line each on stderr (raw, with their source, under ``--debug``)."""
    import warnings

    if state["debug"]:
        return guard(fn)
    with warnings.catch_warnings(record=True) as caught:
        try:
            return guard(fn)
        finally:
            seen: set[str] = set()
            for w in caught:
                text = " ".join(str(w.message).split())
                if text not in seen:
                    seen.add(text)
                    typer.echo(f"warning: {text}", err=True)


def open_folder(folder: Path):
    """The results in ``folder`` (at least one run), after saying how many of the runs its
    spec asks for are used, and warning when that is not all."""
    from sim.store import open_results

    res = run_guarded(lambda: open_results(folder).require_runs())
    coverage = res.coverage
    typer.echo(coverage.line())
    for line in coverage.warnings():
        typer.echo(f"warning: {line}", err=True)
    return res
