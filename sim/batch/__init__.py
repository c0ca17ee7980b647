"""Batches: spec (scenarios x sweep x policies x replications), executors, Parquet store.

``run_batch(spec, out=DIR)`` runs what is missing from ``DIR``; ``open_results(DIR)`` gives
the tables. See :mod:`sim.store` for the folder layout.

Names load on first use, so that ``run_batch`` can start its worker processes before the
driver imports the scenario schema (pydantic, scipy) to read the spec.
"""

from sim.lazy import lazy_names

__all__ = [
    "NO_POLICY", "BatchSpec", "BatchSummary", "ResolvedBatch", "Results",
    "load_spec", "open_results", "run_batch", "run_id",
]

_WHERE = {"BatchSummary": "sim.batch.runner", "run_batch": "sim.batch.runner",
          "NO_POLICY": "sim.batch.spec", "BatchSpec": "sim.batch.spec",
          "ResolvedBatch": "sim.batch.spec", "load_spec": "sim.batch.spec",
          "run_id": "sim.batch.spec", "Results": "sim.store.reader",
          "open_results": "sim.store.reader"}

__getattr__ = lazy_names(__name__, _WHERE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
