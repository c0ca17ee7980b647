"""Memory over a long series of runs: freed blocks stay in the process for the next run.

A run allocates and frees a few arrays of megabytes (the daily records, the ledger, the
payers' allocation). glibc's defaults map such blocks separately and trim the heap, so they
go back to the operating system when freed, and the next run starts on fresh pages that
the kernel must map and zero: thousands of page faults a run, depending on what ran before
in the process. Fixed thresholds keep them in the heap instead (at most ``trim`` bytes of
freed memory are kept). Only the speed of a run changes, never a number. Linux with glibc
only; elsewhere nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_done: bool | None = None


def keep_freed_memory(mmap: int = 32 << 20, trim: int = 128 << 20) -> bool:
    """Serve blocks below ``mmap`` bytes from the heap and keep up to ``trim`` bytes of
    freed memory in it; return whether glibc took the settings (once per process)."""
    global _done
    if _done is None:
        _done = False
        if sys.platform.startswith("linux"):
            try:
                mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
            except (OSError, AttributeError):  # not glibc (e.g. musl): leave it
                return False
            _done = bool(mallopt(_M_MMAP_THRESHOLD, mmap)) and bool(
                mallopt(_M_TRIM_THRESHOLD, trim))
    return _done
