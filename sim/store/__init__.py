"""The results store: one folder format, written by ``sim batch`` and ``sim run``, read by
``sim compare``, ``sim plot``, ``sim report`` and notebooks through :class:`Results`.

Layout of ``DIR``::

    DIR/
      batch.json            what the folder holds now: format, kind ("batch" for `sim batch`,
                            "run" for `sim run`: the marker `sim run --force` checks), name,
                            replications, tables kept, sweep paths, variants (scenario,
                            sweep point, digest, root seed, policies), package version
      spec.yaml             the batch spec as last run (verbatim; for `sim run`, the
                            equivalent spec)
      versions.json         Python and package versions of the last run
      scenarios/<digest>.yaml   each effective scenario (after extends, overrides, sweep)
      manifest.jsonl        one JSON line per finished chunk (and per dropped part);
                            written by the driver only, with flush + fsync
      parts/<table>-<seq>-<rand>.parquet
                            one file per table of a finished chunk, each row with its
                            run_id: kpis (one row per successful run, always), daily (every
                            N-th day and the last), trips, ledger, events, payers (cost,
                            personnel-days and people held back for funding per payer and
                            day) when the spec's `tables:` keeps them (`sim run` keeps them
                            all, daily every day)
      parts/corrupt/        parts found damaged, moved aside (their runs are recomputed)
      compare.csv, compare.parquet       written by `sim compare`
      figures/, report.html              written by `sim plot` and `sim report`
      .lock                 while a `sim batch` runs: its pid, host and start time

A manifest line of a chunk lists, per table, the file, its rows, bytes and SHA-256, the run
ids that succeeded and the runs that failed (with their tracebacks).

A part is written to a temporary file, fsynced and renamed into place, and only then listed
in the manifest, so a part that is not in the manifest (the driver died in between) is an
orphan: it is ignored by readers and removed by the next ``sim batch``. A listed part whose
size, SHA-256 or row count does not match the manifest, or that pyarrow cannot read, is
dropped with a warning; its runs count as missing and are recomputed by the next
``sim batch``. A last manifest line without its newline was cut by a crash and is ignored.

Run ids are content addressed (:func:`sim.batch.spec.run_id`): the SHA-256 of the effective
scenario's digest, the policy, the replication, the root seed and the package version. A
changed scenario therefore gets new ids; :func:`open_results` shows only the runs of the
scenarios and policies the folder's last spec asks for (``all_runs=True`` shows everything).

Modules: :mod:`~sim.store.files` (atomic writes, versions, safe names), :mod:`~sim.store.lock`,
:mod:`~sim.store.manifest` (reading and verifying), :mod:`~sim.store.parts` (tables and
their encoding), :mod:`~sim.store.layout` (names, batch.json), :mod:`~sim.store.writer`,
:mod:`~sim.store.reader`, :mod:`~sim.store.frames`.
"""

from sim.lazy import lazy_names

__all__ = ["BatchLock", "Results", "StoreInfo", "StoreWriter", "VariantInfo", "atomic_write",
           "open_results", "package_versions", "read_manifest", "safe_name"]

_LAZY = {
    "BatchLock": "sim.store.lock", "Results": "sim.store.reader",
    "open_results": "sim.store.reader", "StoreInfo": "sim.store.writer",
    "StoreWriter": "sim.store.writer", "VariantInfo": "sim.store.writer",
    "atomic_write": "sim.store.files", "package_versions": "sim.store.files",
    "safe_name": "sim.store.files", "read_manifest": "sim.store.manifest",
}

__getattr__ = lazy_names(__name__, _LAZY)
