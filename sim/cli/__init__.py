"""The ``sim`` command line: thin over the Python API (parse, call, print).

One module per command (or pair of related commands); each registers itself on
:data:`sim.cli.app.app`. See docs/architecture.md for where to add a command.
"""

from __future__ import annotations

import sys

from sim.cli import (  # noqa: F401
    batch,
    calibrate,
    compare,
    explore,
    figures,
    history,
    inputs,
    run,
)
from sim.cli.app import app


def main() -> None:  # console script entry point
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
