"""Read an explore folder and write its sensitivity, robustness and discovery tables.

:func:`outcomes` is the table every analysis starts from: one row per design point and
policy with the mean of each KPI over the replications (a run that did not complete within
the horizon counts as completing on the last day, so that ``completion_day`` has a value in
every future; thresholds on it still fail).
"""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import OutputError
from sim.exploration.design import Design
from sim.exploration.spec import DesignSpec, DiscoverySpec, Threshold
from sim.store.files import atomic_write
from sim.store.reader import Results, open_results

SENSITIVITY = "sensitivity.parquet"
ROBUSTNESS = "robustness.parquet"
DISCOVERY = "discovery.parquet"
CENSORED = ("completion_day",)
"""KPIs whose missing value means "not within the horizon" (set to the horizon)."""


@dataclass
class ExploreFolder:
    """An explore folder: its store, metadata, design table and outcomes."""

    path: Path
    meta: dict
    design: pd.DataFrame
    results: Results

    @property
    def kpis(self) -> list[str]:
        return list(self.meta["kpis"])

    @property
    def thresholds(self) -> dict[str, Threshold]:
        return {k: Threshold(**v) for k, v in self.meta.get("thresholds", {}).items()}

    @property
    def discovery(self) -> DiscoverySpec | None:
        d = self.meta.get("discovery")
        return None if d is None else DiscoverySpec(**d)

    @property
    def policies(self) -> list[str]:
        return list(self.results.policies)

    def designs(self) -> list[tuple[str, Design]]:
        """(scenario, design) as run, with the unit coordinates from the design table."""
        out = []
        for d in self.meta["designs"]:
            spec = DesignSpec(**{k: d[k] for k in DesignSpec.model_fields if k in d})
            rows = self.design[(self.design["scenario"] == d["scenario"]) &
                               (self.design["design"] == d["kind"])].sort_values("row")
            unit = rows[[f"u:{n}" for n in d["names"]]].to_numpy(float)
            out.append((d["scenario"], Design(d["kind"], spec, list(d["names"]), unit,
                                              d.get("group_of"))))
        return out

    def outcomes(self) -> pd.DataFrame:
        """One row per design point and policy: scenario, design, row, policy, the mean of
        every KPI over the replications, and ``replications`` (how many)."""
        kp = self.results.kpis.copy()
        kpis = [k for k in self.kpis if k in kp.columns]
        extra = [k for k in self.thresholds if k in kp.columns and k not in kpis]
        if self.discovery is not None and self.discovery.fail:
            extra += [k for k in self.discovery.fail if k in kp.columns and k not in kpis]
        cols = list(dict.fromkeys(kpis + extra))
        for k in CENSORED:
            if k in kp.columns:
                horizon = kp["scenario"].map(self.meta.get("horizon", {}))
                kp[k] = kp[k].fillna(horizon)
        kp = kp.rename(columns={"design": "run_design", "row": "run_row"})
        means = kp.groupby(["scenario", "run_design", "run_row", "policy"], sort=False)[
            cols].mean()
        means["replications"] = kp.groupby(["scenario", "run_design", "run_row", "policy"],
                                           sort=False).size()
        means = means.reset_index()
        keys = self.design[["scenario", "design", "row", "variant", "run_design", "run_row"]]
        out = keys.merge(means, on=["scenario", "run_design", "run_row"], how="inner")
        return out.sort_values(["scenario", "design", "policy", "row"]).reset_index(drop=True)


def open_explore(folder: str | Path) -> ExploreFolder:
    """The explore folder at ``folder`` (OutputError when it is not one)."""
    path = Path(folder)
    try:
        meta = json.loads((path / "explore.json").read_text(encoding="utf-8"))
        design = pd.read_parquet(path / "design.parquet")
    except FileNotFoundError:
        raise OutputError(f"{path} is not an explore folder (no explore.json or "
                          f"design.parquet; expected a folder written by `sim explore`)"
                          ) from None
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: explore.json or design.parquet cannot be read ({exc})"
                          ) from None
    return ExploreFolder(path, meta, design, open_results(path))


def is_explore(folder: str | Path) -> bool:
    return (Path(folder) / "explore.json").is_file()


@dataclass
class Analysis:
    sensitivity: pd.DataFrame
    robustness: pd.DataFrame
    discovery: pd.DataFrame | None


def sensitivity_table(ef: ExploreFolder, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Indices for every scenario, policy and KPI, from the sensitivity design when there is
    one, else from the futures design."""
    from sim.exploration.sensitivity import COLUMNS, indices

    designs = dict(((s, d.kind), d) for s, d in ef.designs())
    frames = []
    for scenario in dict.fromkeys(s for s, _ in designs):
        design = designs.get((scenario, "sensitivity")) or designs[(scenario, "futures")]
        part = outcomes[(outcomes["scenario"] == scenario) &
                        (outcomes["design"] == design.kind)]
        for pol in [p for p in ef.policies if p in set(part["policy"])]:
            rows = part[part["policy"] == pol].set_index("row").reindex(
                range(len(design.unit)))
            for kpi in ef.kpis:
                if kpi not in rows:
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f = indices(design, rows[kpi].to_numpy(float))
                frames.append(f.assign(scenario=scenario, policy=pol, kpi=kpi,
                                       design=design.kind))
    cols = ["scenario", "policy", "kpi", "design", *COLUMNS]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(
        columns=cols)


def analyse(folder: str | Path) -> Analysis:
    """Compute and write ``sensitivity.parquet``, ``robustness.parquet`` and (when the spec
    asks for discovery and EMA Workbench is installed) ``discovery.parquet``."""
    from sim.exploration.robustness import robustness

    ef = open_explore(folder)
    out = ef.outcomes()
    sens = sensitivity_table(ef, out)
    futures = out[out["design"] == "futures"]
    rob = robustness(futures, ef.kpis, ef.thresholds, ef.policies)
    disc = None
    if ef.discovery is not None:
        disc = discovery_table(ef, futures)
    _write(ef.path / SENSITIVITY, sens)
    _write(ef.path / ROBUSTNESS, rob)
    if disc is not None:
        _write(ef.path / DISCOVERY, disc)
    return Analysis(sens, rob, disc)


def discovery_table(ef: ExploreFolder, futures: pd.DataFrame) -> pd.DataFrame | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import ema_workbench  # noqa: F401
    except ImportError:
        warnings.warn("scenario discovery needs EMA Workbench: pip install 'sim[ema]' "
                      "(discovery.parquet not written)", stacklevel=2)
        return None
    from sim.exploration.discovery import discover

    design = ef.design[ef.design["design"] == "futures"]
    names = {d["scenario"]: d["names"] for d in ef.meta["designs"] if d["kind"] == "futures"}
    return discover(futures, design, names, ef.discovery, ef.thresholds, ef.policies)


def _write(path: Path, frame: pd.DataFrame) -> None:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    atomic_write(path, buf.getvalue())


def read_tables(folder: str | Path) -> Analysis:
    """The analysis tables written in an explore folder."""
    path = Path(folder)
    disc = path / DISCOVERY
    return Analysis(pd.read_parquet(path / SENSITIVITY), pd.read_parquet(path / ROBUSTNESS),
                    pd.read_parquet(disc) if disc.is_file() else None)
