"""The ``sim`` command line's application and the way every command reports problems.

Input errors (:class:`sim.ScenarioError`) print one located message per problem and exit
with code 2; a traceback is shown only with ``--debug``. Heavy libraries load lazily so that
``sim --help`` answers quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.text import EXIT_INPUT, fail  # noqa: F401  (re-exported for the commands)

# rich_markup_mode=None: click's own help, which fits the terminal and shows flags as flags
# (``--debug``, not ``--debug <bool>``)
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="Simulate transfers of detainees and camp residents from north-east "
                       "Syria to Iraq, and who bears the cost.")
state = {"debug": False}



@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False):
    state["debug"] = debug


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
                    from sim.cli.text import say

                    say(f"warning: {text}", err=True)


def open_folder(folder: Path, quiet: bool = False):
    """The results in ``folder`` (at least one run), after saying how many of the runs its
    spec asks for are used (on stderr when ``quiet``: the output is for a machine), and
    warning when that is not all."""
    from sim.cli.text import say
    from sim.store import open_results

    res = run_guarded(lambda: open_results(folder).require_runs())
    coverage = res.coverage
    say(coverage.line(), err=quiet)
    for line in coverage.warnings():
        say(f"warning: {line}", err=True)
    return res
