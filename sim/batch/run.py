"""``run_scenario``: replications of one scenario under chosen policies, as a results store.

``sim run`` is a batch of one scenario (no sweep), the chosen policies and replications and
one root seed, keeping every table (daily series every day), run in this process into a
temporary sibling folder that is renamed into place at the end: a failed run leaves nothing
half-written and never touches an existing folder (unless ``force`` and the folder is a
``sim run`` folder holding only what the tool writes; it is then replaced only after the new
one is complete). The folder has the layout of
:mod:`sim.store`, with ``kind: "run"`` in its ``batch.json``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from sim.batch.runner import run_batch
from sim.batch.spec import NO_POLICY, BatchSpec, ResolvedBatch, Variant
from sim.errors import OutputError
from sim.scenario import load_scenario, scenario_digest
from sim.scenario.schema import Scenario
from sim.store.files import move_into_place, safe_name
from sim.store.layout import check_run_folder
from sim.store.parts import OPTIONAL
from sim.store.reader import Results, open_results


class RunFailed(RuntimeError):
    """Runs of a ``sim run`` raised: nothing was written. ``traceback``: the first one's."""

    def __init__(self, message: str, traceback: str = ""):
        super().__init__(message)
        self.traceback = traceback


@dataclass
class RunOutput:
    """What ``run_scenario`` wrote."""

    out: Path
    scenario: Scenario
    policies: list[str | None]
    replications: int
    seed: int
    results: Results


def default_out(scenario: Scenario) -> Path:
    """``results/<name>-<time>``, with ``-2``, ``-3`` ... if a run of the same second exists."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("results") / f"{safe_name(scenario.metadata.name)}-{stamp}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


def run_batch_of(path: str | Path, scenario: Scenario, policies: list[str | None],
                 replications: int, seed: int) -> ResolvedBatch:
    """The batch of a ``sim run``: one scenario, these policies, every table kept."""
    from sim import __version__

    name = scenario.metadata.name
    labels = tuple(p or NO_POLICY for p in policies)
    data = {"name": name, "scenarios": [{"name": name, "base": str(Path(path).resolve())}],
            "policies": list(labels), "replications": replications, "seed": seed,
            "tables": {"daily": True, **dict.fromkeys(OPTIONAL, True)}}
    text = f"# sim run {path}\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    variant = Variant(label=name, scenario=name, point={}, scn=scenario,
                      digest=scenario_digest(scenario), seed=seed, policies=labels)
    return ResolvedBatch(path=None, text=text, spec=BatchSpec.model_validate(data), name=name,
                         variants=[variant], replications=replications, sweep_paths=[],
                         daily_every=1, version=__version__, tables=OPTIONAL, kind="run",
                         scenario_file=str(path))


def _check_target(out: Path, force: bool) -> Path:
    """The parent folder of ``out``, created if needed (OutputError if ``out`` may not be
    written)."""
    if out.exists() and not force:
        raise OutputError(f"output folder {out} already exists (use --force to replace it, or "
                          f"choose another --out)")
    if out.exists():
        check_run_folder(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"output folder {parent} is not writable")
    return parent


def _failed(results: Results) -> RunFailed:
    fails = results.failures
    first = fails.iloc[0]
    return RunFailed(f"{len(fails)} of {results.summary.total} runs failed, first: policy "
                     f"{first['policy']}, replication {first['replication']} (seed "
                     f"{first['seed']}): {first['error']}; nothing was written",
                     str(first["traceback"]))


def run_scenario(path: str | Path, replications: int | None = None, seed: int | None = None,
                 out: str | Path | None = None, policies: list[str | None] | None = None,
                 force: bool = False, progress: bool = False, workers: int = 0) -> RunOutput:
    """Run ``replications`` of the scenario at ``path`` under each policy (None: no policy)
    into the new results folder ``out`` (default ``results/<name>-<time>``).

    ``workers``: local worker processes, as for batches (0 = in this process; the executors
    of :func:`sim.batch.run_batch`, so results are bit-identical whatever the number).
    ``progress``: show the batch runner's progress bar (on stderr).

    Raises ScenarioError for a wrong scenario, OutputError when ``out`` cannot be written
    (or exists, without ``force``), RunFailed when a run raises (nothing is written)."""
    scenario = load_scenario(path)
    reps = replications or scenario.metadata.replications
    root = scenario.metadata.seed if seed is None else seed
    policies = policies or [None]
    out = Path(out) if out else default_out(scenario)
    parent = _check_target(out, force)
    batch = run_batch_of(path, scenario, policies, reps, root)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write into {parent}: {exc.strerror}") from None
    try:
        done = run_batch(batch, tmp, workers=workers, progress=progress)
        if done.summary.failed:
            raise _failed(done)
        if force and out.exists():
            check_run_folder(out)  # still ours after the runs
        move_into_place(tmp, out, replace=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return RunOutput(out, scenario, policies, reps, root, open_results(out))
