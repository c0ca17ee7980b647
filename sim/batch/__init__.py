"""Batches: spec (scenarios x sweep x policies x replications), executors, Parquet store.

``run_batch(spec, out=DIR)`` runs what is missing from ``DIR``; ``open_results(DIR)`` gives
the tables. See :mod:`sim.store` for the folder layout.
"""

from sim.batch.runner import BatchSummary, run_batch
from sim.batch.spec import NO_POLICY, BatchSpec, ResolvedBatch, load_spec, run_id
from sim.store.reader import Results, open_results

__all__ = [
    "NO_POLICY", "BatchSpec", "BatchSummary", "ResolvedBatch", "Results",
    "load_spec", "open_results", "run_batch", "run_id",
]
