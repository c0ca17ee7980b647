"""A calibration's folder: written all at once (a temporary sibling renamed into place), read
back by :func:`read_calibration`.

- ``posterior.parquet``: the last generation, one row per particle: ``u:NAME`` (unit
  coordinates), the values, ``weight`` (sums to 1), ``distance``, ``run``;
- ``particles.parquet``: every generation's particles (``generation``; 0 = the prior);
- ``generations.parquet``: per generation epsilon, proposals run, acceptance rate, effective
  sample size, median distance, weight of exact matches;
- ``intervals.parquet``: prior and posterior median and 90% interval of each fitted input;
- ``posterior.csv``: equally weighted resampled posterior, a sample file for a scenario's
  ``parameters: {draw: posterior, samples: ...}``;
- ``calibration.json``: scenario, seed, settings, fitted inputs and their priors, the
  observations used, timings and package versions.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import OutputError
from sim.store.files import atomic_write, move_into_place, package_versions

Calibration = Any  # sim.calibration.run.Calibration (which imports this module)

META = "calibration.json"
SAMPLES = "posterior.csv"
TABLES = ("posterior", "particles", "generations", "intervals")


def check_target(out: Path, force: bool) -> None:
    """OutputError unless ``out`` may be written: new, or (with ``force``) a calibration
    folder."""
    if out.exists() and not force:
        raise OutputError(f"output folder {out} already exists (use --force to replace it, or "
                          f"choose another --out)")
    if out.exists() and not (out / META).is_file():
        raise OutputError(f"{out} is not a calibration folder (no {META}); --force replaces "
                          f"only a calibration folder")


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def meta_of(cal: Calibration) -> dict[str, Any]:
    from sim.scenario.loader import scenario_digest

    return {
        "scenario": cal.source, "name": cal.scenario.metadata.name,
        "digest": scenario_digest(cal.scenario), "seed": cal.seed,
        "settings": asdict(cal.settings), "method": "ABC-SMC (sim.calibration.abc)",
        "fitted": {n: {"prior": cal.section[n].range_text(), "source": cal.section[n].source,
                       "paths": list(cal.section[n].paths)} for n in cal.names},
        "observed": [o.model_dump(mode="json") for o in cal.observed],
        "generations": len(cal.generations), "runs": cal.runs, "failed_runs": cal.failed,
        "seconds": round(cal.seconds, 1), "seconds_per_run": cal.seconds_per_run,
        "executor": cal.workers, "versions": package_versions()}


def write_calibration(cal: Calibration, out: Path, force: bool = False) -> Path:
    """Write ``cal`` to the folder ``out`` (nothing half-written; an existing calibration
    folder is replaced only with ``force``, once the new one is complete)."""
    from sim.scenario.draws import write_samples

    check_target(out, force)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write into {parent}: {exc.strerror or exc}") from None
    try:
        frames = {"posterior": cal.posterior(), "particles": cal.particles(),
                  "generations": cal.history(), "intervals": cal.intervals()}
        for name, frame in frames.items():
            atomic_write(tmp / f"{name}.parquet", _parquet(frame), sync_dir=False)
        atomic_write(tmp / SAMPLES, write_samples(cal.sample_rows(), cal.names).encode(),
                     sync_dir=False)
        atomic_write(tmp / META, json.dumps(meta_of(cal), indent=1, default=str).encode())
        move_into_place(tmp, out, replace=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    cal.out = out
    return out


def read_calibration(folder: str | Path) -> dict[str, Any]:
    """A calibration folder's tables (by name) and ``meta`` (calibration.json)."""
    folder = Path(folder)
    if not (folder / META).is_file():
        raise OutputError(f"{folder} is not a calibration folder (expected {META}, written "
                          f"by sim calibrate)")
    out: dict[str, Any] = {"meta": json.loads((folder / META).read_text(encoding="utf-8"))}
    for name in TABLES:
        out[name] = pd.read_parquet(folder / f"{name}.parquet")
    return out
