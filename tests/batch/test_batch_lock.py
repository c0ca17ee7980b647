"""The batch lock is atomic: of many processes that take it at the same moment (over a stale
lock left by a dead process), exactly one holds it at a time."""

from __future__ import annotations

import json
import multiprocessing as mp
import socket
import subprocess
import sys
import time

from sim.errors import OutputError
from sim.store.lock import BatchLock

TRIALS = 12
CONTENDERS = 8


def _contend(folder, barrier, holders, most, taken) -> None:
    lock = BatchLock(folder)
    barrier.wait()
    try:
        lock.acquire()
    except OutputError:
        return
    with holders.get_lock():
        holders.value += 1
        most.value = max(most.value, holders.value)
        taken.value += 1
    time.sleep(0.05)  # hold it a while: another holder would overlap
    with holders.get_lock():
        holders.value -= 1
    lock.release()


def _stale_lock(folder) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder.mkdir()
    (folder / ".lock").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(),
                                              "started": "earlier"}))


def test_concurrent_acquirers_never_hold_the_lock_together(tmp_path):
    ctx = mp.get_context("fork")
    for trial in range(TRIALS):
        folder = tmp_path / f"t{trial}"
        _stale_lock(folder)
        barrier = ctx.Barrier(CONTENDERS)
        holders, most, taken = ctx.Value("i", 0), ctx.Value("i", 0), ctx.Value("i", 0)
        procs = [ctx.Process(target=_contend, args=(folder, barrier, holders, most, taken))
                 for _ in range(CONTENDERS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=60)
            assert p.exitcode == 0
        assert taken.value >= 1, f"trial {trial}: nobody took the lock"
        assert most.value == 1, f"trial {trial}: {most.value} processes held the lock at once"


def test_a_held_lock_is_refused_and_freed_when_its_process_dies(tmp_path):
    code = ("import sys, time; from sim.store.lock import BatchLock; "
            "BatchLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = BatchLock(tmp_path)
        try:
            lock.acquire()
        except OutputError as exc:
            assert f"pid {holder.pid}" in str(exc)
        else:
            raise AssertionError("a held lock was taken")
    finally:
        holder.kill()
        holder.wait()
    with BatchLock(tmp_path) as lock:  # the kernel released it with the process
        assert lock.held
