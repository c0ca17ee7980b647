"""Runs one after another reuse the memory of the last one (sim.memory)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

_RUNS = """
import json, resource, sys
import sim.memory
if sys.argv[1] == "off":
    sim.memory._done = False  # as if glibc had refused the settings
import sim
scn = sim.load_scenario("scenarios/baseline.yaml")
for r in range(2):
    sim.simulate(scn, replication=r).kpis
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for r in range(2, 5):
    sim.simulate(scn, replication=r).kpis
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(json.dumps({"faults": (after - before) / 3, "kept": sim.memory.keep_freed_memory()}))
"""


def _faults(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _RUNS, mode], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_runs_reuse_freed_memory_instead_of_fresh_pages():
    kept, fresh = _faults("on"), _faults("off")
    assert kept["kept"] and not fresh["kept"]
    # each run allocates megabytes of records: fresh pages cost thousands of page faults a
    # run; kept in the heap, the next run reuses them
    assert fresh["faults"] > 1000
    assert kept["faults"] < fresh["faults"] / 4
