"""Figures of a results folder: ``plot_folder(DIR)`` and the folder reader shared with the
report.

Two kinds of folders are recognised:

- a batch store written by ``sim batch`` (``batch.json``; see :mod:`sim.store`);
- a single-scenario folder written by ``sim run`` (``summary.json``; see :mod:`sim.runner`).

``plot_folder`` writes every figure the stored tables support into ``DIR/figures/`` and
returns the paths written. Daily figures need daily series (always in ``sim run`` folders;
in a batch only when its spec keeps them, ``tables: {daily: {every: N}}``).
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import OutputError
from sim.plots.style import Provenance

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


@dataclass
class Folder:
    """A results folder read for plotting and reporting."""

    path: Path
    kind: str  # "batch" or "run"
    name: str
    kpis: pd.DataFrame
    views: list[View]
    provenance: Provenance
    policies: list[str]
    sweep_columns: list[str] = field(default_factory=list)
    results: Any = None  # sim.store.Results for a batch
    summary: dict = field(default_factory=dict)  # summary.json of a `sim run` folder
    meta: dict = field(default_factory=dict)

    @cached_property
    def compare(self) -> pd.DataFrame | None:
        """Paired comparison of the policies (None with fewer than 2 policies or 2 runs)."""
        if len(self.policies) < 2 or self.kpis.groupby("policy").size().max() < 2:
            return None
        import sim

        if self.kind == "batch":
            saved = _saved_compare(self.path)
            if saved is not None and saved.attrs["by"] == "policy":
                if saved.attrs.get("fresh"):
                    return saved
                # the batch grew since `sim compare`: compare again, same baseline
                return sim.compare(self.results, baseline=saved.attrs["baseline"])
            return sim.compare(self.results)
        df = self.kpis.copy()
        df["scenario"] = self.name
        df.attrs["id_columns"] = ["scenario", "policy", "replication", "seed"]
        return sim.compare(df)

    @property
    def baseline(self) -> str | None:
        c = self.compare
        return None if c is None else c.attrs.get("baseline")

    def baseline_policy(self) -> str:
        """The policy others are compared with (without computing the comparison: the saved
        one's, else iraq_alone if present, else the first)."""
        saved = _saved_compare(self.path) if self.kind == "batch" else None
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
def detect(folder: str | Path) -> str:
    """``"batch"`` or ``"run"`` (OutputError if neither)."""
    path = Path(folder)
    if not path.is_dir():
        raise OutputError(f"{path} is not a folder (expected a results folder written by "
                          f"`sim batch` or `sim run`)")
    if (path / "batch.json").is_file():
        return "batch"
    if (path / "summary.json").is_file():
        return "run"
    raise OutputError(f"{path} is not a results folder (no batch.json from `sim batch` and no "
                      f"summary.json from `sim run`)")


def load_folder(folder: str | Path) -> Folder:
    """Read a batch store or a ``sim run`` folder (OutputError if it is neither)."""
    kind = detect(folder)
    return _load_batch(Path(folder)) if kind == "batch" else _load_run(Path(folder))


def _scenario(path: Path):
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except (ScenarioError, OSError) as exc:
        warnings.warn(f"cannot read the stored scenario {path}: {exc}", stacklevel=3)
        return None


def batch_provenance(results, scenario: str | None = None, seed: Any = None) -> Provenance:
    """Footnote of a figure made from a batch (one variant, or the whole batch)."""
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
    reps = _reps(kpis)
    return Provenance(scenario=scenario, replications=reps, seed=seed,
                      version=results.info.get("version"), source=f"batch '{results.name}'")


def _reps(kpis: pd.DataFrame) -> int | str | None:
    if kpis is None or kpis.empty:
        return 0
    keys = [c for c in ("variant", "scenario", "policy") if c in kpis.columns]
    n = kpis.groupby(keys).size() if keys else pd.Series([len(kpis)])
    lo, hi = int(n.min()), int(n.max())
    return lo if lo == hi else f"{lo}-{hi}"


def _load_batch(path: Path) -> Folder:
    import sim

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        res = sim.open_results(path)
    kpis = res.kpis.copy()
    runs = res.runs
    kpis["variant"] = runs["variant"].to_numpy() if len(runs) == len(kpis) else kpis["scenario"]
    daily = res.daily
    if daily is not None and len(daily):
        daily = daily.merge(kpis[["run_id", "variant"]], on="run_id", how="left")
    views = []
    for v in res.info.get("variants", []):
        label = v["label"]
        sub = kpis[kpis["variant"] == label]
        if sub.empty:
            continue
        scn = _scenario(path / v["file"])
        d = daily[daily["variant"] == label] if daily is not None and len(daily) else None
        prov = batch_provenance(res, label, v.get("seed"))
        prov.replications = _reps(sub)
        views.append(View(label, scn, sub.reset_index(drop=True),
                          None if d is None else d.reset_index(drop=True), None, prov,
                          v.get("point") or {}))
    meta = {"spec_text": res.spec_text, "versions": res.versions, "info": res.info,
            "failures": res.failures, "manifest": res.manifest, "variants": res.variants,
            "daily_every": res.info.get("daily_every")}
    return Folder(path, "batch", res.name, kpis, views, batch_provenance(res),
                  [p for p in res.policies if p in set(kpis["policy"])] or res.policies,
                  list(res.sweep_columns), res, {}, meta)


def _load_run(path: Path) -> Folder:
    try:
        summary = json.loads((path / "summary.json").read_text())
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path / 'summary.json'} cannot be read ({exc})") from None

    def table(name: str) -> pd.DataFrame | None:
        f = path / f"{name}.parquet"
        if not f.is_file():
            return None
        try:
            return pd.read_parquet(f)
        except Exception as exc:
            raise OutputError(f"{f} cannot be read ({exc})") from None

    kpis = table("kpis")
    if kpis is None:
        raise OutputError(f"{path} has no kpis.parquet (expected a folder written by `sim run`)")
    daily, trips = table("daily"), table("trips")
    scn = _scenario(path / "scenario.yaml") if (path / "scenario.yaml").is_file() else None
    prov = Provenance(scenario=summary.get("scenario"), replications=summary.get("replications"),
                      seed=summary.get("seed"),
                      version=(summary.get("versions") or {}).get("sim"),
                      source=f"sim run output '{path.name}'")
    name = summary.get("scenario") or path.name
    view = View(name, scn, kpis, daily, trips, prov)
    policies = summary.get("policies") or list(dict.fromkeys(kpis["policy"].astype(str)))
    meta = {"versions": summary.get("versions", {}), "payers": table("payers")}
    return Folder(path, "run", name, kpis, [view], prov, [str(p) for p in policies], [],
                  None, summary, meta)


# ----------------------------------------------------------------------------- figures
@dataclass
class FigureSpec:
    name: str
    title: str
    make: Callable[[], Any]


def figure_specs(folder: Folder) -> list[FigureSpec]:
    """Every figure the folder's tables support, not yet drawn."""
    from sim.plots import compare as cmp
    from sim.plots import costs, maps, timeseries
    from sim.plots.data import moved_from_kpis, moved_from_trips, policy_keys

    specs: list[FigureSpec] = []
    many = len(folder.views) > 1
    for view in folder.views:
        tag = f"-{_safe(view.label)}" if many else ""
        where = f" ({view.label})" if many else ""
        scn, prov, daily = view.scenario, view.provenance, view.daily
        pols = [p for p in folder.policies if p in set(view.kpis["policy"])]
        if daily is not None and len(daily):
            specs.append(FigureSpec(f"transfers{tag}", "Cumulative transfers" + where,
                                    lambda d=daily, s=scn, p=prov: timeseries.cumulative_transfers(
                                        d, scenario=s, provenance=p)))
            specs.append(FigureSpec(f"population{tag}", "People at each site" + where,
                                    lambda d=daily, s=scn, p=prov: timeseries.site_population(
                                        d, scenario=s, provenance=p)))
            specs.append(FigureSpec(f"beds{tag}", "Bed occupancy" + where,
                                    lambda d=daily, s=scn, p=prov: timeseries.bed_occupancy(
                                        d, scenario=s, provenance=p)))
            specs.append(FigureSpec(f"blocking{tag}", "Binding constraints" + where,
                                    lambda d=daily, p=prov: timeseries.blocking(
                                        d, provenance=p)))
        if any(c.startswith("cost:payer:") for c in view.kpis.columns):
            specs.append(FigureSpec(
                f"costs{tag}", "Costs by payer" + where,
                lambda k=view.kpis, s=scn, p=prov, ps=pols: costs.payer_costs(
                    k, keys=policy_keys(s, ps), provenance=p)))
        if "escaped" in view.kpis.columns:
            horizon = scn.metadata.horizon_days if scn is not None else None
            cols = [c for c in ("escaped", "completion_day") if c in view.kpis.columns]
            specs.append(FigureSpec(
                f"outcomes{tag}", "Distributions of escapes and completion" + where,
                lambda k=view.kpis, c=cols, h=horizon, p=prov: cmp.outcome_distributions(
                    k, columns=c, horizon=h, provenance=p)))
        if scn is not None:
            moved = None
            if view.trips is not None and len(view.trips):
                reps = view.kpis.groupby("policy")["replication"].nunique().to_dict()
                moved = moved_from_trips(view.trips, {str(k): v for k, v in reps.items()})
            elif any(c.startswith("moved:") for c in view.kpis.columns):
                moved = moved_from_kpis(view.kpis)
            if moved is not None:
                specs.append(FigureSpec(f"flows{tag}", "Flow map" + where,
                                        lambda s=scn, m=moved, p=prov: maps.flow_map(
                                            s, m, provenance=p)))
                if len(pols) > 1:  # one detailed, labelled map of the baseline policy
                    first = folder.baseline_policy()
                    specs.append(FigureSpec(
                        f"flows-{_safe(first)}{tag}", f"Flow map under {first}" + where,
                        lambda s=scn, m=moved, p=prov, f=first: maps.flow_map(
                            s, m, policies=f, provenance=p,
                            title=f"Where people were moved under {f}")))
    if folder.compare is not None and len(folder.compare):
        specs.append(FigureSpec("forest", "Policy comparison (paired differences)",
                                lambda: cmp.forest(folder.compare,
                                                   provenance=folder.provenance)))
    for param in folder.sweep_columns:
        for kpi in ("escaped", "completion_day", "cost_total", "transferred"):
            if kpi in folder.kpis.columns and folder.kpis[param].nunique() > 1:
                specs.append(FigureSpec(
                    f"sweep-{_safe(param)}-{kpi}", f"{kpi} against {param}",
                    lambda k=kpi, pa=param: cmp.sweep_effect(folder.kpis, pa, k,
                                                             provenance=folder.provenance)))
    return specs


def _safe(text: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(text))
    return keep.strip("._")[:80] or "x"


def plot_folder(folder: str | Path, formats: Iterable[str] = ("png",),
                strict: bool = False) -> list[Path]:
    """Write every figure the results in ``folder`` support into ``folder/figures/``.

    ``formats``: any of png, svg, pdf. Returns the files written. A figure that fails is
    skipped with a warning (``strict=True`` raises instead)."""
    formats = _formats(formats)
    data = load_folder(folder)
    out = Path(folder) / "figures"
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out} ({exc.strerror or exc})") from None
    written: list[Path] = []
    for spec in figure_specs(data):
        try:
            fig = spec.make()
        except Exception as exc:
            if strict:
                raise
            warnings.warn(f"figure {spec.name} of {folder} was not drawn: "
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
            raise OutputError(f"unknown figure format '{f}' (expected one of: "
                              f"{', '.join(FORMATS)})")
        if f not in out:
            out.append(f)
    if not out:
        raise OutputError(f"no figure format given (expected one of: {', '.join(FORMATS)})")
    return out


def write_figure(fig, path: Path, fmt: str | None = None) -> Path:
    """Save ``fig`` to ``path`` atomically (temporary file, then rename)."""
    from sim.plots.style import save

    fmt = fmt or path.suffix.lstrip(".")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        save(fig, tmp, fmt)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from None
    return path
