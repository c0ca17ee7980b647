"""`sim --help` answers quickly: heavy libraries load lazily (a regression bound of 0.5 s;
the benchmark budget is 0.3 s, docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
import time


def test_help_is_fast_and_imports_nothing_heavy():
    code = ("import sys, sim.cli; "
            "heavy = [m for m in ('pandas', 'matplotlib', 'dask', 'scipy', 'pydantic', 'simpy') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"
    best = min(_time_help() for _ in range(3))
    assert best < 0.5, f"sim --help took {best:.2f} s"


def _time_help() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True, check=True)
    return time.perf_counter() - t
