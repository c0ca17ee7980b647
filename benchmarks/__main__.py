"""``python -m benchmarks``: the core model benchmarks, then the batch benchmarks.

Exit status 1 if a figure is over its budget.
"""

from __future__ import annotations

import sys

from benchmarks import core


def main() -> int:
    ok = all(core.main([])["pass"].values())
    try:
        from benchmarks.batch_throughput import main as batch_main
    except ImportError:
        batch_main = None
    if batch_main is not None:
        print()
        ok &= batch_main([]) == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
