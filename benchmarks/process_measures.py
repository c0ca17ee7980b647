"""Measures that start processes (5-7 of docs/performance.md): batch efficiency on two
workers, ``sim --help`` latency, and the driver's memory for a small and a large batch.

Every process is started fresh from this interpreter, with the repository first on its path,
and timed by this process from start to exit.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Row, Settings, at_least, at_most, load1
from benchmarks.variants import BASELINE, POLICIES_BATCH, ROOT, TINY, PremiseError

EFFICIENCY_BUDGET = 0.9  # batch runs/s on 2 workers over 2 bare processes' runs/s
HELP_BUDGET_S = 0.3
MEMORY_BUDGET = 1.2  # driver peak RSS, 2,000 over 200 replications

_BATCH = """
import json, sys
from sim.batch import run_batch
res = run_batch(sys.argv[1], sys.argv[2], workers=2, replications=int(sys.argv[3]),
                progress=False)
print(json.dumps({"computed": res.summary.computed, "failed": res.summary.failed}))
"""

_BARE = """
import json, sys
import sim
scn = sim.load_scenario(sys.argv[1])
done = 0
for policy, replication, seed in json.loads(sys.argv[2]):
    sim.simulate(scn, policy=policy, replication=replication, seed=seed).kpis
    done += 1
print(done)
"""

_MEMORY = """
import json, resource, sys

def status(key):  # kiB; Linux. ru_maxrss instead elsewhere (it may count the parent's pages)
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from sim.batch import run_batch
import sim.batch.spec  # imported by run_batch once its workers start: an import, not growth
before = status("VmRSS")
res = run_batch(sys.argv[1], sys.argv[2], workers=2, progress=False)
print(json.dumps({"computed": res.summary.computed, "before_kib": before,
                  "peak_kib": status("VmHWM")}))
"""


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def _start(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)


def _finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark process failed ({proc.returncode}):\n{err}")
    return out.strip().splitlines()[-1]


def batch_efficiency(s: Settings) -> list[Row]:
    """(5) Runs/s of the policies batch on 2 local worker processes (a fresh driver process,
    end to end) over the runs/s of 2 bare processes sharing the same runs in a plain loop
    (``sim.simulate`` and KPIs, nothing stored), taken in turn."""
    import sim
    from sim.batch.spec import load_spec, policy_arg
    from sim.scenario.loader import scenario_digest

    batch = load_spec(POLICIES_BATCH)
    variant = batch.variants[0]
    if len(batch.variants) != 1 or variant.digest != scenario_digest(
            sim.load_scenario(BASELINE)):
        raise PremiseError("the policies batch is no longer the baseline alone")
    runs = [(policy_arg(p), r, variant.seed) for p in variant.policies
            for r in range(s.batch_replications)]
    batch_rate, bare_rate, loads = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for i in range(s.batch_rounds):
            t0 = time.perf_counter()
            got = json.loads(_finish(_start(_BATCH, str(POLICIES_BATCH), f"{tmp}/b{i}",
                                            str(s.batch_replications))))
            wall = time.perf_counter() - t0
            if got != {"computed": len(runs), "failed": 0}:
                raise PremiseError(f"the batch ran {got}, expected {len(runs)} runs")
            batch_rate.append(len(runs) / wall)
            t0 = time.perf_counter()
            procs = [_start(_BARE, str(BASELINE), json.dumps(runs[k::2])) for k in (0, 1)]
            done = sum(int(_finish(p)) for p in procs)
            bare_rate.append(done / (time.perf_counter() - t0))
            loads.append(load1())
    b, r = statistics.median(batch_rate), statistics.median(bare_rate)
    return [Row("batch runs/s on 2 workers / 2 bare processes", b / r,
                budget=at_least(EFFICIENCY_BUDGET), load=statistics.median(loads),
                note=f"batch {b:.2f} runs/s, bare {r:.2f} runs/s: {len(runs)} runs of the "
                     f"policies batch each time ({s.batch_replications} replications x "
                     f"{len(runs) // s.batch_replications} policies), median of "
                     f"{s.batch_rounds}; process start and imports included on both sides")]


def _help_command() -> list[str]:
    script = Path(sys.executable).with_name("sim")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sim"]


def help_time(s: Settings) -> list[Row]:
    """(6) Wall time of ``sim --help`` in a fresh process (median; after one warm-up)."""
    cmd = _help_command()
    times, loads = [], []
    for i in range(s.help_runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd + ["--help"], capture_output=True, check=True, env=_env(), cwd=ROOT)
        if i:  # the first run warms the file cache
            times.append(time.perf_counter() - t0)
            loads.append(load1())
    return [Row("sim --help wall time", statistics.median(times), unit="s",
                budget=at_most(HELP_BUDGET_S, unit="s"), load=statistics.median(loads),
                note=f"median of {s.help_runs} ({' '.join(Path(c).name for c in cmd)} --help); "
                     f"fastest {min(times):.3f} s")]


def _memory_spec(folder: Path, replications: int) -> Path:
    import yaml

    path = folder / f"memory-{replications}.yaml"
    path.write_text(yaml.safe_dump({
        "name": f"memory-{replications}",
        "scenarios": [{"name": "tiny", "base": str(TINY), "overrides": {
            "escapes.base_hazard_per_day.camp": 0.01,
            "routes.0.travel_time": {"dist": "lognormal", "mean": 2.0, "sd": 1.0}}}],
        "replications": replications, "tables": {"daily": {"every": 7}}}))
    return path


def driver_memory(s: Settings) -> list[Row]:
    """(7) Peak resident memory of the batch driver process (VmHWM, its high-water mark; a
    fresh process for each size) at ``memory_large`` over ``memory_small`` replications of
    a small stochastic scenario (daily series kept), on 2 workers."""
    got, loads = {}, []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for n in (s.memory_small, s.memory_large):
            got[n] = json.loads(_finish(_start(_MEMORY, str(_memory_spec(Path(tmp), n)),
                                               f"{tmp}/out{n}")))
            if got[n]["computed"] != n:
                raise PremiseError(f"the memory batch computed {got[n]['computed']} of {n} runs")
            loads.append(load1())
    small, large = (got[n]["peak_kib"] / 1024 for n in (s.memory_small, s.memory_large))
    grew = [(got[n]["peak_kib"] - got[n]["before_kib"]) / 1024
            for n in (s.memory_small, s.memory_large)]
    return [Row(f"driver peak RSS {s.memory_large:,} / {s.memory_small:,} replications",
                large / small, budget=at_most(MEMORY_BUDGET), load=statistics.median(loads),
                note=f"peak resident memory of the driver process (VmHWM; workers not "
                     f"included): {large:.0f} MiB against {small:.0f} MiB; growth during the "
                     f"batch (peak - resident after imports) {grew[1]:.1f} MiB against "
                     f"{grew[0]:.1f} MiB")]
