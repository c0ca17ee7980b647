"""Executors behind the ``concurrent.futures`` interface.

- ``workers=0``: in this process (debugging, or where processes cannot be started);
- ``workers=N`` (default: CPU count): a local process pool (``forkserver`` on POSIX, so
  that workers start clean and fast, and a driver with threads is never forked);
- ``dask="tcp://host:8786"``: an existing Dask scheduler (workers need ``sim`` installed);
- ``dask_local=N``: a Dask ``LocalCluster`` of N worker processes started for the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
from collections.abc import Iterator
from dataclasses import dataclass

from sim.errors import OutputError


class InlineExecutor(cf.Executor):
    """Runs each task at submit time, in this process."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            fut.set_exception(exc)
        return fut


@dataclass
class ExecutorInfo:
    executor: cf.Executor
    workers: int
    kind: str  # "inline" | "processes" | "dask"
    description: str


def default_workers() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


PRELOAD = ["sim.batch.worker", "sim.batch.spec", "sim.batch.tables", "sim.simulation",
           "pyarrow", "pyarrow.parquet", "sim.batch.preload"]
"""What the fork server imports once for every worker it forks: what a chunk of KPIs and
daily series needs (pandas only for the optional tables, imported by a worker that keeps
them), then :mod:`sim.batch.preload`, which freezes it all."""


def _mp_context():
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")


def prestart(workers: int | None, dask: str | None, dask_local: int | None) -> None:
    """Start the fork server now, so that it imports the model while the driver validates
    the spec (saves most of a second per batch)."""
    if dask is not None or dask_local is not None or workers == 0:
        return
    ctx = _mp_context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context())


@contextlib.contextmanager
def open_executor(workers: int | None = None, dask: str | None = None,
                  dask_local: int | None = None) -> Iterator[ExecutorInfo]:
    """The executor for a batch; closed (and a LocalCluster stopped) on exit."""
    if dask is not None and dask_local is not None:
        raise OutputError("give either a Dask scheduler address or --dask-local N, not both")
    if dask is not None or dask_local is not None:
        with _dask_executor(dask, dask_local) as info:
            yield info
        return
    n = default_workers() if workers is None else int(workers)
    if n < 0:
        raise OutputError(f"workers must be 0 (in this process) or more, got {n}")
    if n == 0:
        yield ExecutorInfo(InlineExecutor(), 1, "inline", "in this process")
        return
    info = ExecutorInfo(process_pool(n), n, "processes",
                        f"{n} local worker process{'es' * (n > 1)}")
    try:
        yield info
    finally:  # the runner may have replaced a broken pool: close the current one
        info.executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask_executor(address: str | None, n_local: int | None) -> Iterator[ExecutorInfo]:
    import logging

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise OutputError("Dask is not installed (expected `pip install 'sim[dask]'`)") from None
    cluster = None
    try:
        if address is not None:
            try:
                client = Client(address, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise OutputError(f"cannot reach the Dask scheduler at {address} ({exc})") \
                    from None
            desc = f"Dask scheduler {address}"
        else:
            if n_local is None or n_local < 1:
                raise OutputError(f"--dask-local needs at least 1 worker, got {n_local}")
            cluster = LocalCluster(n_workers=n_local, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
            desc = f"Dask LocalCluster of {n_local} worker processes"
        try:
            nthreads = sum(client.nthreads().values()) or 1
            yield ExecutorInfo(client.get_executor(pure=False), nthreads, "dask", desc)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
