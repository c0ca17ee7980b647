"""Last module the fork server of the local worker pool imports (see
:data:`sim.batch.executors.PRELOAD`): freezes what the server has imported.

``gc.freeze()`` before forking is what the Python documentation advises for a process that
forks without exec: the forked workers then never scan (nor copy, by touching them) the
objects of the model, pyarrow and scipy they share with the server, and the server's own
exit, when the batch driver ends, skips collecting them (about 50 ms of every batch).
Imported anywhere else, the module does nothing: freezing would keep a program's garbage
cycles from ever being collected.
"""

from __future__ import annotations

import gc
import sys

FORK_SERVER = "from multiprocessing.forkserver import main"
"""How CPython starts its fork server (``python -c 'from multiprocessing.forkserver import
main; main(...)'``)."""


def in_fork_server() -> bool:
    """Whether this process is a ``multiprocessing`` fork server."""
    return any(FORK_SERVER in arg for arg in getattr(sys, "orig_argv", ()))


if in_fork_server():
    gc.freeze()
