"""Small stored results for the figure, plot and report tests, made once per test process.

- ``batch_store()``: a batch of the baseline under two policies x 3 replications, with
  weekly daily series (``sim.run_batch`` on a spec written to a temporary folder);
- ``run_folder()``: ``sim run`` of the January 2026 replay (it has observed counts) under
  two policies x 2 replications.

The folders live in one temporary directory removed at exit; tests must not write into
them (copy first).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
REPLAY = ROOT / "scenarios" / "jan2026_replay.yaml"
POLICIES = ["iraq_alone", "eu_key"]


@functools.cache
def workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="sim-plot-tests-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def write_spec(folder: Path, name: str, **fields) -> Path:
    data = {"name": name, "scenarios": [str(BASELINE)], "policies": POLICIES,
            "replications": 3, "seed": 20260121, "tables": {"daily": {"every": 7}}}
    data.update(fields)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@functools.cache
def batch_store() -> Path:
    import sim

    out = workdir() / "batch"
    sim.run_batch(write_spec(workdir(), "plots_batch"), out=out, workers=0, progress=False)
    return out


@functools.cache
def sweep_store() -> Path:
    """Baseline shortened to 200 days, road convoys 5 or 15, one policy, 2 replications,
    KPIs only (no daily series)."""
    import sim

    out = workdir() / "sweep"
    spec = write_spec(workdir(), "plots_sweep", policies=["eu_key"], replications=2,
                      scenarios=[{"name": "short", "base": str(BASELINE),
                                  "overrides": {"metadata.horizon_days": 200}}],
                      sweep={"fleets.road_convoy.units": [5, 15]}, tables={})
    sim.run_batch(spec, out=out, workers=0, progress=False)
    return out


@functools.cache
def run_folder() -> Path:
    from sim.batch.run import run_scenario

    out = workdir() / "run"
    run_scenario(REPLAY, replications=2, out=out, policies=POLICIES)
    return out


def copy_of(folder: Path, dest: Path) -> Path:
    """A private copy of a stored folder (for tests that write into it)."""
    target = dest / folder.name
    shutil.copytree(folder, target)
    return target
