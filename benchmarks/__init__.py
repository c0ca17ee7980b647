"""Performance benchmarks: ``python -m benchmarks`` (or ``make bench``); docs/performance.md
explains each measure and its budget."""
