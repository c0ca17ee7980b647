"""Spec files for the batch tests: the tiny scenario made stochastic by overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
STOCHASTIC = {
    "escapes.base_hazard_per_day.camp": 0.01,
    "routes.0.travel_time": {"dist": "lognormal", "mean": 2.0, "sd": 1.0},
}
"""Escapes while people wait, and random travel times: KPIs vary by replication."""

ROOT = Path(__file__).resolve().parents[2]


def write_spec(folder: Path, name: str = "spec.yaml", *, replications: int = 4,
               overrides: dict[str, Any] | None = None, scenarios: list | None = None,
               **fields: Any) -> Path:
    """A batch spec over the stochastic tiny scenario (plus ``overrides``)."""
    if scenarios is None:
        scenarios = [{"name": "tiny", "base": str(TINY),
                      "overrides": {**STOCHASTIC, **(overrides or {})}}]
    data = {"name": Path(name).stem, "scenarios": scenarios, "replications": replications,
            **fields}
    path = Path(folder) / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def sim_cli(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run the ``sim`` command line in a new Python process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", "from sim.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=kwargs.pop("cwd", ROOT), **kwargs)


def run_chunk_dying_on_replication_5(task):
    """A worker function that kills its process on replication 5 (as a segfault would)."""
    from sim.batch.worker import run_chunk

    if any(r == 5 for r, _ in task.runs):
        os._exit(3)
    return run_chunk(task)


def run_chunk_failing_for_13_adults(task):
    """A worker function whose runs raise when the camp holds 13 adults (no valid scenario
    makes the model fail, so the failure is injected)."""
    import sim.simulation
    from sim.batch.worker import run_chunk

    real = sim.simulation.simulate

    def simulate(scn, **kwargs):
        if scn.sites["camp"].population["IRQ"]["adult"] == 13:
            raise OverflowError("injected failure")
        return real(scn, **kwargs)

    sim.simulation.simulate = simulate
    try:
        return run_chunk(task)
    finally:
        sim.simulation.simulate = real


def worker_state() -> tuple[bool, int]:
    """In a worker process: whether pandas is imported, and how many objects are frozen
    (``gc.freeze``). Lives here, not in a test module, whose imports would load pandas."""
    import gc

    return "pandas" in sys.modules, gc.get_freeze_count()
