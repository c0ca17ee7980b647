"""Figures of a results folder: ``plot_folder(DIR)`` and the folder view shared with the
report.

A results folder is a store written by ``sim batch`` or ``sim run`` (see :mod:`sim.store`),
read through :class:`sim.store.Results` only. ``plot_folder`` writes every figure the stored
tables support into ``DIR/figures/`` and returns the paths written. Daily figures need daily
series (always in ``sim run`` folders; in a batch only when its spec keeps them,
``tables: {daily: {every: N}}``); flow maps use the trips when the folder keeps them.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import OutputError
from sim.plots.style import Provenance
from sim.store.files import atomic_write
from sim.store.reader import Results, open_results

FORMATS = ("png", "svg", "pdf")


@dataclass
class View:
    """The runs of one scenario variant (scenario x sweep point) of a folder."""

    label: str
    scenario: Any  # sim.Scenario or None when its YAML cannot be read
    kpis: pd.DataFrame
    daily: pd.DataFrame | None
    trips: pd.DataFrame | None
    provenance: Provenance
    point: dict = field(default_factory=dict)
    payers: pd.DataFrame | None = None
    """Cost per payer and day (when the folder keeps the payers table)."""


@dataclass
class Folder:
    """A results folder read for plotting and reporting."""

    path: Path
    kind: str  # "batch" (sim batch) or "run" (sim run)
    name: str
    kpis: pd.DataFrame
    views: list[View]
    provenance: Provenance
    policies: list[str]
    results: Results
    sweep_columns: list[str] = field(default_factory=list)

    @property
    def info(self) -> dict:
        """``batch.json`` of the folder."""
        return self.results.info

    @cached_property
    def compare(self) -> pd.DataFrame | None:
        """Paired comparison of the policies (None with fewer than 2 policies or 2 runs)."""
        if len(self.policies) < 2 or self.kpis.groupby("policy").size().max() < 2:
            return None
        import sim

        saved = _saved_compare(self.path)
        if saved is not None and saved.attrs["by"] == "policy":
            if saved.attrs.get("fresh"):
                return saved
            # the store grew since `sim compare`: compare again, same baseline
            return sim.compare(self.results, baseline=saved.attrs["baseline"])
        return sim.compare(self.results)

    @property
    def baseline(self) -> str | None:
        c = self.compare
        return None if c is None else c.attrs.get("baseline")

    def baseline_policy(self) -> str:
        """The policy others are compared with (without computing the comparison: the saved
        one's, else iraq_alone if present, else the first)."""
        saved = _saved_compare(self.path)
        if saved is not None and saved.attrs["by"] == "policy" and \
                saved.attrs.get("baseline") in self.policies:
            return saved.attrs["baseline"]
        return "iraq_alone" if "iraq_alone" in self.policies else self.policies[0]


def _saved_compare(path: Path) -> pd.DataFrame | None:
    """``compare.parquet`` written by ``sim compare``; attrs: baseline, fresh (newer than
    every stored part)."""
    f = path / "compare.parquet"
    if not f.is_file():
        return None
    try:
        table = pd.read_parquet(f)
    except Exception:
        return None
    if table.empty or "baseline" not in table.columns:
        return None
    table.attrs["baseline"] = table["baseline"].dropna().iloc[0] if table["baseline"].notna(
    ).any() else None
    # a comparison of policies has policies as baselines (`sim compare --by X` does not)
    by_policy = "policy" in table.columns and set(table["baseline"].dropna().astype(str)) <= set(
        table["policy"].astype(str))
    table.attrs["by"] = "policy" if by_policy else None
    table.attrs["level"] = 0.95
    manifest = path / "manifest.jsonl"
    newest = manifest.stat().st_mtime if manifest.exists() else 0.0
    table.attrs["fresh"] = f.stat().st_mtime >= newest and table.attrs["by"] == "policy"
    return table


# ----------------------------------------------------------------------------- reading
def _scenario(path: Path):
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except (ScenarioError, OSError) as exc:
        warnings.warn(f"cannot read the stored scenario {path}: {exc}", stacklevel=3)
        return None


def batch_provenance(results: Results, scenario: str | None = None,
                     seed: Any = None) -> Provenance:
    """Footnote of a figure made from a results folder (one variant, or all of them)."""
    variants = results.info.get("variants", [])
    seeds = sorted({v.get("seed") for v in variants if v.get("seed") is not None})
    if seed is None:
        seed = seeds[0] if len(seeds) == 1 else ", ".join(map(str, seeds)) or None
    if scenario is None:
        labels = [v.get("label") for v in variants]
        scenario = labels[0] if len(labels) == 1 else f"{len(labels)} variants"
    kpis = results.kpis
    if len(results.runs) == len(kpis):
        kpis = kpis.assign(variant=results.runs["variant"].to_numpy())
    source = (f"sim run output '{results.path.name}'" if results.kind == "run" else
              f"batch '{results.name}'")
    return Provenance(scenario=scenario, replications=_reps(kpis), seed=seed,
                      version=results.info.get("version"), source=source)


def _reps(kpis: pd.DataFrame) -> int | str | None:
    if kpis is None or kpis.empty:
        return 0
    keys = [c for c in ("variant", "scenario", "policy") if c in kpis.columns]
    n = kpis.groupby(keys).size() if keys else pd.Series([len(kpis)])
    lo, hi = int(n.min()), int(n.max())
    return lo if lo == hi else f"{lo}-{hi}"


def _of_variant(table: pd.DataFrame | None, variants: pd.DataFrame,
                label: str) -> pd.DataFrame | None:
    """The rows of ``table`` from runs of one variant (None if the folder has no such
    table or no rows)."""
    if table is None or not len(table):
        return None
    keep = set(variants.loc[variants["variant"] == label, "run_id"])
    return table[table["run_id"].isin(keep)].reset_index(drop=True)


def load_folder(folder: str | Path | Results) -> Folder:
    """Read a results folder (written by ``sim batch`` or ``sim run``) for figures and the
    report (OutputError if it is not one)."""
    if isinstance(folder, Results):
        res = folder
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            res = open_results(folder)
    res.require_runs()
    path = res.path
    kpis = res.kpis.copy()
    runs = res.runs
    kpis["variant"] = runs["variant"].to_numpy() if len(runs) == len(kpis) else kpis["scenario"]
    ids = kpis[["run_id", "variant"]]
    daily, trips, payers = res.daily, res.trips, res.payers
    views = []
    for v in res.info.get("variants", []):
        label = v["label"]
        sub = kpis[kpis["variant"] == label]
        if sub.empty:
            continue
        prov = batch_provenance(res, label, v.get("seed"))
        prov.replications = _reps(sub)
        views.append(View(label, _scenario(path / v["file"]), sub.reset_index(drop=True),
                          _of_variant(daily, ids, label), _of_variant(trips, ids, label), prov,
                          v.get("point") or {}, _of_variant(payers, ids, label)))
    return Folder(path, res.kind, res.name, kpis, views, batch_provenance(res),
                  [p for p in res.policies if p in set(kpis["policy"])] or res.policies,
                  res, list(res.sweep_columns))


def plot_folder(folder: str | Path | Results, formats: Iterable[str] = ("png",),
                strict: bool = False) -> list[Path]:
    """Write every figure the results in ``folder`` support into ``folder/figures/``.

    ``formats``: any of png, svg, pdf. Returns the files written. A figure that fails is
    skipped with a warning (``strict=True`` raises instead)."""
    formats = _formats(formats)
    data = load_folder(folder)
    out = data.path / "figures"
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out} ({exc.strerror or exc})") from None
    written: list[Path] = []
    from sim.plots.specs import figure_specs

    for spec in figure_specs(data):
        try:
            fig = spec.make()
        except Exception as exc:
            if strict:
                raise
            warnings.warn(f"figure {spec.name} of {data.path} was not drawn: "
                          f"{type(exc).__name__}: {exc}", stacklevel=2)
            continue
        for fmt in formats:
            written.append(write_figure(fig, out / f"{spec.name}.{fmt}", fmt))
    return written


def _formats(formats: Iterable[str] | str) -> list[str]:
    if isinstance(formats, str):
        formats = formats.split(",")
    out = []
    for f in formats:
        f = f.strip().lower().lstrip(".")
        if not f:
            continue
        if f not in FORMATS:
            from difflib import get_close_matches

            near = get_close_matches(f, FORMATS, n=1, cutoff=0.5)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise OutputError(f"unknown figure format '{f}' (expected one of: "
                              f"{', '.join(FORMATS)}){hint}")
        if f not in out:
            out.append(f)
    if not out:
        raise OutputError(f"no figure format given (expected one of: {', '.join(FORMATS)})")
    return out


def write_figure(fig, path: Path, fmt: str | None = None) -> Path:
    """Save ``fig`` to ``path`` atomically (temporary file, then rename)."""
    from sim.plots.style import save

    fmt = fmt or path.suffix.lstrip(".")
    buf = io.BytesIO()
    save(fig, buf, fmt)
    atomic_write(path, buf.getvalue())
    return path
