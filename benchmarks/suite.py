"""``python -m benchmarks``: every measure of docs/performance.md, the table, and exit status 0
only when every budget holds (1 otherwise).

Options: ``--quick`` (fewer samples, smaller batches; what the tests use), ``--only KEY ...``
(some measures), ``--write-docs`` (the table into the generated section of
docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from benchmarks import model_measures, process_measures
from benchmarks.harness import Measure, Settings, exit_code, render_text, run_measures

MEASURES = (
    Measure("transfers", "person-transfers/s and policies",
            model_measures.transfers_and_policies),
    Measure("scaling", "cohort scaling", model_measures.cohort_scaling),
    Measure("horizon", "horizon", model_measures.horizon),
    Measure("batch", "batch efficiency", process_measures.batch_efficiency),
    Measure("help", "sim --help", process_measures.help_time),
    Measure("memory", "driver memory", process_measures.driver_memory),
)


def main(argv: Sequence[str] | None = None, measures: Sequence[Measure] = MEASURES) -> int:
    """Run the measures, print the table, optionally write the docs; return the exit code."""
    keys = [m.key for m in measures]
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="fewer samples and smaller batches (a quick look; what tests use)")
    ap.add_argument("--only", nargs="+", choices=keys, metavar="KEY",
                    help=f"run only these measures ({', '.join(keys)})")
    ap.add_argument("--write-docs", action="store_true",
                    help="write the table into the generated section of docs/performance.md")
    args = ap.parse_args(argv)
    chosen = [m for m in measures if not args.only or m.key in args.only]
    settings = Settings.make(args.quick)
    start_load = os.getloadavg()
    print(f"benchmarks{' (quick)' if args.quick else ''}: {os.cpu_count()} CPU cores, Python "
          f"{sys.version.split()[0]}, load average {' '.join(f'{x:.2f}' for x in start_load)}")
    t0 = time.perf_counter()
    rows = run_measures(chosen, settings)
    seconds = time.perf_counter() - t0
    print()
    print(render_text(rows))
    code = exit_code(rows)
    print(f"\n{len(rows)} figures in {seconds:.0f} s: "
          f"{'every budget holds' if code == 0 else 'a budget does not hold'}")
    if args.write_docs:
        from benchmarks import docs

        body = docs.section(rows, quick=args.quick, seconds=seconds,
                            loads=(start_load, os.getloadavg()))
        changed = docs.write_docs(body, docs.DOC)
        print(f"{docs.DOC} {'updated' if changed else 'unchanged'}")
    return code
