"""``explore``: run an explore spec on the batch machinery and analyse it.

Every design point of every scenario becomes a batch variant (its scenario with the drawn
values); the batch runs them under every policy with the spec's replications, in the results
store ``DIR`` (local pool or Dask, resumable, content-addressed). Every variant of a scenario
has the same root seed, so replication ``r`` sees the same random numbers at every design
point and under every policy: design points differ only by their inputs, policies only by
the policy. Then ``DIR`` gets:

- ``explore.json``: the spec and the designs (names, groups, methods);
- ``design.parquet``: one row per design point (scenario, design, row, variant, the unit
  coordinates ``u:NAME`` and the values);
- ``sensitivity.parquet``, ``robustness.parquet``, ``discovery.parquet``
  (:mod:`sim.exploration.analyse`).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.batch.spec import BatchSpec, ResolvedBatch
from sim.exploration.design import Design, sample, variants
from sim.exploration.spec import ResolvedExplore, load_explore_spec
from sim.store.files import atomic_write, safe_name

EXPLORE = "explore.json"
DESIGN = "design.parquet"


@dataclass
class ExploreOutput:
    """What :func:`explore` wrote."""

    out: Path
    spec: ResolvedExplore
    summary: object  # the BatchSummary of the runs
    design: pd.DataFrame
    analysis: object  # sim.exploration.analyse.Analysis


def designs_of(rx: ResolvedExplore) -> list[tuple[str, Design]]:
    """(scenario name, design) for every scenario: the futures design, and the sensitivity
    design when the spec has one. The seed of the sampler is the scenario's root seed."""
    out = []
    for es in rx.scenarios:
        out.append((es.name, sample(rx.spec.design, es.vary, es.uncertainties, es.seed)))
        if rx.spec.sensitivity is not None:
            out.append((es.name, sample(rx.spec.sensitivity, es.vary, es.uncertainties,
                                        es.seed, kind="sensitivity")))
    return out


def plan(rx: ResolvedExplore) -> tuple[ResolvedBatch, pd.DataFrame, list[tuple[str, Design]]]:
    """The batch that runs every design point, and the design table."""
    from sim import __version__

    source = str(rx.path) if rx.path else "<explore>"
    seen: dict[str, tuple[str, str, int]] = {}
    all_variants, tables = [], []
    designs = designs_of(rx)
    by_name = {es.name: es for es in rx.scenarios}
    for name, design in designs:
        vs, table = variants(design, by_name[name], source, seen)
        all_variants.extend(vs)
        tables.append(table)
    spec = BatchSpec.model_validate({
        "name": rx.name, "scenarios": [str(es.file) for es in rx.scenarios],
        "policies": rx.spec.policies, "replications": rx.spec.replications,
        "seed": rx.spec.seed, "chunk_size": rx.spec.chunk_size})
    batch = ResolvedBatch(path=rx.path, text=rx.text, spec=spec, name=rx.name,
                          variants=all_variants, replications=rx.spec.replications,
                          sweep_paths=["design", "row"], daily_every=None,
                          version=__version__)
    return batch, pd.concat(tables, ignore_index=True), designs


def explore(spec: str | Path | ResolvedExplore, out: str | Path | None = None, *,
            workers: int | None = None, dask: str | None = None,
            dask_local: int | None = None, chunk_size: int | None = None,
            progress: bool = False) -> ExploreOutput:
    """Run the explore spec ``spec`` into the results folder ``out`` (default
    ``results/<name>``) and write the design, sensitivity, robustness and discovery tables.

    Resumes like :func:`sim.run_batch`: runs already in ``out`` are reused. Raises
    ScenarioError for a wrong spec (or a design point that gives an invalid scenario),
    OutputError when ``out`` cannot be written."""
    from sim.batch.runner import run_batch
    from sim.exploration.analyse import analyse

    rx = spec if isinstance(spec, ResolvedExplore) else load_explore_spec(spec)
    batch, table, designs = plan(rx)
    out = Path(out) if out is not None else Path("results") / safe_name(rx.name)
    results = run_batch(batch, out, workers=workers, dask=dask, dask_local=dask_local,
                        chunk_size=chunk_size, progress=progress)
    meta = {"name": rx.name, "spec": None if rx.path is None else str(rx.path),
            "spec_text": rx.text, "kpis": rx.kpis,
            "thresholds": {k: t.model_dump(exclude_none=True)
                           for k, t in rx.spec.thresholds.items()},
            "discovery": None if rx.spec.discovery is None else
            rx.spec.discovery.model_dump(mode="json"),
            "replications": rx.spec.replications,
            "designs": [{"scenario": name, "kind": d.kind, "names": d.names,
                         "group_of": d.groups, "points": int(len(d.unit)),
                         **d.spec.model_dump(mode="json")} for name, d in designs],
            "horizon": {es.name: es.scenario.metadata.horizon_days for es in rx.scenarios}}
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    atomic_write(out / DESIGN, buf.getvalue())
    atomic_write(out / EXPLORE, json.dumps(meta, indent=1, default=str).encode())
    analysis = analyse(out)
    return ExploreOutput(out, rx, results.summary, table, analysis)
