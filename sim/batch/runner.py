"""``run_batch``: run a batch spec into a results folder, resumably, on any executor.

The spec and the scenario schema (pydantic, scipy) are imported inside ``run_batch``, after
the worker processes' fork server has been started: it imports the model while the driver
reads the spec.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.batch.executors import ExecutorInfo, open_executor, prestart, process_pool
from sim.batch.worker import Task, run_chunk
from sim.errors import OutputError
from sim.store.files import safe_name
from sim.store.parts import ChunkResult
from sim.store.reader import Results, open_results
from sim.store.writer import StoreWriter

if TYPE_CHECKING:
    from sim.batch.spec import ResolvedBatch

MAX_CHUNK = 25


@dataclass
class BatchSummary:
    """What one ``run_batch`` call did."""

    name: str
    out: Path
    total: int  # runs the batch asks for
    reused: int  # already in the folder
    computed: int  # computed now, successfully
    failed: int  # raised now (recorded)
    seconds: float
    sim_seconds: float  # time inside simulate(), summed over workers
    executor: str
    replications: int
    chunks: int = 0
    store_seconds: float = 0.0  # driver time writing parts and the manifest
    worker_seconds: float = 0.0  # time in workers, simulate() included
    failures: list[dict[str, Any]] = field(default_factory=list)  # first few, for the CLI

    @property
    def missing(self) -> int:
        return self.total - self.reused - self.computed

    def merged(self, later: BatchSummary) -> BatchSummary:
        """This call's summary after a further round ``later`` (e.g. more replications)."""
        return BatchSummary(
            name=self.name, out=self.out, total=later.total, reused=self.reused,
            computed=self.computed + later.computed, failed=self.failed + later.failed,
            seconds=self.seconds + later.seconds,
            sim_seconds=self.sim_seconds + later.sim_seconds, executor=later.executor,
            replications=later.replications, chunks=self.chunks + later.chunks,
            store_seconds=self.store_seconds + later.store_seconds,
            worker_seconds=self.worker_seconds + later.worker_seconds,
            failures=(self.failures + later.failures)[:5])

    def lines(self) -> list[str]:
        rate = self.computed / self.seconds if self.seconds > 0 else float("nan")
        out = [f"batch {self.name}: {self.total:,} runs ({self.replications:,} replications): "
               f"{self.computed:,} computed, {self.reused:,} reused, {self.failed:,} failed "
               f"in {self.seconds:.1f} s ({rate:.1f} runs/s, {self.executor}) -> {self.out}"]
        for f in self.failures[:5]:
            out.append(f"  failed: {f['variant']} / {f['policy']} / replication "
                       f"{f['replication']} (seed {f['seed']}): {f['error']}")
        if self.failed > 5:
            out.append(f"  ... and {self.failed - 5} more")
        if self.failed:
            out.append(f"  tracebacks: sim.open_results('{self.out}').failures")
        return out


# ----------------------------------------------------------------------------- tasks
def plan_tasks(batch: ResolvedBatch, replications: int, done: set[str],
               chunk_size: int | None, workers: int) -> list[Task]:
    """Tasks for the runs not yet done: chunks of replications of one variant and policy,
    taken from each (variant, policy) in turn so that every policy advances together.

    Without a fixed ``chunk_size`` the size is guided: ``remaining / (2 x workers)`` runs
    (at most 25), so chunks start large (each chunk's Parquet parts cost a few
    milliseconds) and shrink to single runs towards the end (no worker waits long for the
    last one)."""
    from sim.batch.spec import point_json, run_id

    groups = []
    for v in batch.variants:
        for policy in v.policies:
            missing = []
            for r in range(replications):
                rid = run_id(v.digest, policy, r, v.seed, batch.version)
                if rid not in done:
                    missing.append((r, rid))
            if missing:
                groups.append([v, policy, missing])
    fixed = chunk_size or batch.spec.chunk_size
    remaining = sum(len(g[2]) for g in groups)
    tasks = []
    while groups:
        for g in list(groups):
            v, policy, missing = g
            size = fixed or max(1, min(MAX_CHUNK, math.ceil(remaining / (2 * max(workers, 1)))))
            runs, g[2] = missing[:size], missing[size:]
            remaining -= len(runs)
            tasks.append(Task(variant=v.label, scenario=v.scenario, point=point_json(v.point),
                              digest=v.digest, seed=v.seed, policy=policy,
                              version=batch.version, scn=v.scn, runs=runs,
                              daily_every=batch.daily_every, tables=batch.tables))
            if not g[2]:
                groups.remove(g)
    return tasks


def _failed_chunk(task: Task, exc: BaseException) -> ChunkResult:
    error = f"{type(exc).__name__}: {exc}"
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return ChunkResult(parts={}, ok=[], failures=[{
        "run_id": rid, "scenario": task.scenario, "variant": task.variant, "point": task.point,
        "policy": task.policy, "replication": r, "seed": task.seed, "digest": task.digest,
        "error": error, "traceback": tb} for r, rid in task.runs],
        sim_seconds=0.0, seconds=0.0, pid=0)


# ----------------------------------------------------------------------------- progress
class _Progress:
    def __init__(self, enabled: bool, name: str, total: int):
        self.enabled = enabled and total > 0
        self.failed = 0
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TextColumn("runs"),
                            TextColumn("{task.fields[failed]}"), TimeElapsedColumn(),
                            TextColumn("ETA"), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False)
        self.task = self.bar.add_task(name, total=total, failed="")
        self.bar.start()

    def advance(self, ok: int, failed: int) -> None:
        self.failed += failed
        if self.enabled:
            self.bar.update(self.task, advance=ok + failed,
                            failed=f"[red]{self.failed} failed" if self.failed else "")

    def close(self) -> None:
        if self.enabled:
            self.bar.stop()


# ----------------------------------------------------------------------------- execution
def _execute(batch: ResolvedBatch, store: StoreWriter, replications: int, info: ExecutorInfo,
             done: set[str], chunk_size: int | None, progress: bool) -> BatchSummary:
    from sim.batch.spec import run_id

    t0 = time.perf_counter()
    total = batch.run_count(replications)
    expected = {run_id(v.digest, p, r, v.seed, batch.version)
                for v in batch.variants for p in v.policies for r in range(replications)}
    reused = len(expected & done)
    del expected
    tasks = plan_tasks(batch, replications, done, chunk_size, info.workers)
    summary = BatchSummary(name=batch.name, out=store.path, total=total, reused=reused,
                           computed=0, failed=0, seconds=0.0, sim_seconds=0.0,
                           executor=info.description, replications=replications)
    bar = _Progress(progress, f"batch {batch.name}", total - reused)
    queue = iter(tasks)
    pending: dict[cf.Future, tuple[Task, bool]] = {}  # future -> (task, running alone)
    suspects: deque[Task] = deque()  # single runs of chunks lost with a dead worker process
    unsent: deque[Task] = deque()  # refused by a pool that had just broken
    broken = [False]
    window = 2 * info.workers + 1

    def submit(task: Task, alone: bool) -> bool:
        try:
            pending[info.executor.submit(run_chunk, task)] = (task, alone)
        except BrokenProcessPool:
            broken[0] = True
            (suspects if alone else unsent).appendleft(task)
            return False
        return True

    def fill() -> None:
        if broken[0]:
            return
        if suspects:  # one at a time, so that a run that kills its worker is found
            if not pending:
                submit(suspects.popleft(), True)
            return
        while len(pending) < window:
            task = unsent.popleft() if unsent else next(queue, None)
            if task is None or not submit(task, False):
                return

    def record(task: Task, result: ChunkResult) -> None:
        t_store = time.perf_counter()
        store.write_chunk({"variant": task.variant, "policy": task.policy}, result)
        summary.store_seconds += time.perf_counter() - t_store
        summary.worker_seconds += result.seconds
        done.update(result.ok)
        summary.chunks += 1
        summary.computed += len(result.ok)
        summary.failed += len(result.failures)
        summary.sim_seconds += result.sim_seconds
        if len(summary.failures) < 5:
            summary.failures.extend(result.failures[:5 - len(summary.failures)])
        bar.advance(len(result.ok), len(result.failures))

    def suspect(task: Task) -> None:
        suspects.extend(replace(task, runs=[run]) for run in task.runs)

    try:
        fill()
        while pending or broken[0]:
            finished = cf.wait(pending, return_when=cf.FIRST_COMPLETED)[0] if pending else ()
            for fut in finished:
                task, alone = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    broken[0] = True
                    if not alone:  # which run of which chunk did it? retry them one by one
                        suspect(task)
                        continue
                    result = _failed_chunk(task, RuntimeError(
                        f"the worker process died while running this run ({exc})"))
                except Exception as exc:  # e.g. a Dask worker lost: the chunk is recorded
                    result = _failed_chunk(task, exc)
                record(task, result)
            if broken[0] and info.kind == "processes":
                for fut, (task, _alone) in list(pending.items()):  # lost with the pool
                    pending.pop(fut)
                    fut.cancel()
                    suspect(task)
                info.executor.shutdown(wait=False, cancel_futures=True)
                info.executor = process_pool(info.workers)
                broken[0] = False
            fill()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    finally:
        bar.close()
    summary.seconds = time.perf_counter() - t0
    return summary


def run_batch(spec: str | Path | ResolvedBatch, out: str | Path | None = None, *,
              workers: int | None = None, dask: str | None = None,
              dask_local: int | None = None, chunk_size: int | None = None,
              replications: int | None = None, progress: bool = True,
              more: Callable[[Results], int] | None = None) -> Results:
    """Run the batch spec ``spec`` (a file, or a resolved batch) into the results folder
    ``out``; return its Results.

    Resumes: only runs missing from ``out`` are computed (a run id is content addressed, so
    raising ``replications`` extends the batch, and a changed scenario gets new runs). A run
    that raises is recorded (see ``Results.failures``) and the batch goes on.

    - ``workers``: local worker processes (default: CPU count; 0 = in this process).
    - ``dask``: address of a Dask scheduler; ``dask_local``: start a LocalCluster of N
      worker processes for this run.
    - ``chunk_size``: replications per task (default: the spec's, else automatic, <= 25).
    - ``replications``: instead of the spec's (e.g. a quick look, or to extend a batch).
    - ``more``: asked after each round, with the results so far (their ``summary`` says
      how many replications were run), how many replications to add; 0 stops. E.g.
      :class:`sim.analysis.adaptive.AdaptiveReplications` for a precision target.

    The returned Results has ``summary`` (a :class:`BatchSummary` of this call).
    """
    prestart(workers, dask, dask_local)
    from sim.batch.spec import MAX_RUNS, ResolvedBatch, load_spec
    from sim.scenario.base import MAX_REPLICATIONS

    batch = spec if isinstance(spec, ResolvedBatch) else load_spec(spec)
    if replications is not None:
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise OutputError(f"replications must be from 1 to {MAX_REPLICATIONS:,}, got "
                              f"{replications}")
        if batch.run_count(replications) > MAX_RUNS:
            raise OutputError(f"{batch.run_count(replications):,} runs: more than "
                              f"{MAX_RUNS:,} in one batch (every run is planned first)")
        batch.replications = int(replications)
    out = Path(out) if out is not None else Path("results") / safe_name(batch.name)
    store = StoreWriter(out)
    info = batch.store_info()
    state = store.open(info)
    try:
        done = state.done
        with open_executor(workers, dask, dask_local) as ex:
            summary = _execute(batch, store, batch.replications, ex, done, chunk_size,
                               progress)
            reps = batch.replications
            while more is not None:
                so_far = open_results(store.path)
                so_far.summary = summary
                add = int(more(so_far))
                if add <= 0:
                    break
                reps += add
                store.record_replications(info, reps)
                summary = summary.merged(_execute(batch, store, reps, ex, done, chunk_size,
                                                  progress))
    finally:
        store.close()
    results = Results(out, eager=False)  # tables are read when first used
    results.summary = summary
    return results
