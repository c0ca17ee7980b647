"""``run_scenario``: replications of one scenario written to a new output folder.

Output folder layout::

    kpis.parquet     one row per (policy, replication): KPIs
    daily.parquet    daily series per (policy, replication)
    trips.parquet    one row per trip
    ledger.parquet   non-zero cost and personnel entries
    payers.parquet   cost and personnel-days per payer and day (runs under a policy)
    events.parquet   dated events (control changes, breakouts, capacity ...)
    scenario.yaml    the effective scenario (after extends and overrides)
    summary.json     KPI means with 95% CIs, model versus observed, provenance

Everything is written into a temporary sibling folder that is renamed into place at the end,
so a failed run leaves nothing half-written and never touches an existing folder (unless
``force``, in which case the old folder is replaced only after the new one is complete).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.stats import mean_ci
from sim.errors import OutputError
from sim.scenario import dump_scenario, load_scenario, scenario_digest
from sim.scenario.schema import Scenario
from sim.simulation import simulate


@dataclass
class RunSummary:
    out: Path
    scenario: Scenario
    policies: list[str | None]
    replications: int
    seed: int
    kpis: Any  # DataFrame: one row per policy x replication
    table: Any  # DataFrame: mean and CI per policy x KPI
    observed: Any  # DataFrame: model versus observed (empty if none)


def default_out(scenario: Scenario) -> Path:
    """``results/<name>-<time>``, with ``-2``, ``-3`` ... if a run of the same second exists."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("results") / f"{safe_name(scenario.metadata.name)}-{stamp}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


def safe_name(name: str) -> str:
    """A file-system-safe version of a scenario or policy name (no path separators)."""
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).strip("._")
    return keep[:80] or "scenario"


def run_scenario(path: str | Path, replications: int | None = None, seed: int | None = None,
                 out: str | Path | None = None, policies: list[str | None] | None = None,
                 force: bool = False, on_progress=None) -> RunSummary:
    """Run ``replications`` of the scenario at ``path`` under each policy and save them."""
    import pandas as pd

    scenario = load_scenario(path)
    reps = replications or scenario.metadata.replications
    root = scenario.metadata.seed if seed is None else seed
    policies = policies or [None]
    out = Path(out) if out else default_out(scenario)
    _check_target(out, force)

    frames: dict[str, list] = {"kpis": [], "daily": [], "trips": [], "ledger": [], "events": [],
                               "payers": []}
    for policy in policies:
        for rep in range(reps):
            res = simulate(scenario, policy=policy, replication=rep, seed=root)
            tag = {"policy": policy or "none", "replication": rep}
            frames["kpis"].append({**tag, "seed": root, **res.kpis})
            for name in ("daily", "trips", "ledger", "events"):
                frames[name].append(getattr(res, name).assign(**tag))
            if res.payers is not None:
                frames["payers"].append(payer_days(res).assign(**tag))
            if on_progress:
                on_progress(policy, rep)
    kpis = pd.DataFrame(frames["kpis"])
    table = summarise(kpis)
    observed = compare_observed(scenario, pd.concat(frames["daily"], ignore_index=True))
    tables = {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()
              if name != "kpis" and parts}
    tables["kpis"] = kpis
    summary = {
        "scenario": scenario.metadata.name,
        "scenario_file": str(path),
        "scenario_digest": scenario_digest(scenario),
        "policies": [p or "none" for p in policies],
        "replications": reps,
        "seed": root,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        "kpis": _records(table),
        "observed": _records(observed),
    }
    _write_atomically(out, force, tables, dump_scenario(scenario), summary)
    return RunSummary(out, scenario, policies, reps, root, kpis, table, observed)


def payer_days(res) -> Any:
    """Cost (USD) and personnel-days per payer and day under the run's policy (long format)."""
    import numpy as np
    import pandas as pd

    payers = res.payers
    cost, staff = payers.by_day("cost"), payers.by_day("personnel_days")
    T, P = cost.shape
    days = np.repeat(np.arange(T), P)
    start = res.scenario.metadata.start_date
    return pd.DataFrame({
        "day": days, "date": pd.to_datetime(start) + pd.to_timedelta(days, unit="D"),
        "payer": np.tile(np.asarray(payers.payer_ids, dtype=object), T),
        "cost": cost.ravel(), "personnel_days": staff.ravel()})


def summarise(kpis) -> Any:
    """Mean and 95% t-interval of every KPI per policy (long format)."""
    import pandas as pd

    rows = []
    skip = {"policy", "replication", "seed"}
    for policy, grp in kpis.groupby("policy", sort=False):
        for col in grp.columns:
            if col in skip:
                continue
            mean, low, high, n = mean_ci(grp[col].to_numpy(dtype=float))
            rows.append({"policy": policy, "kpi": col, "mean": mean, "ci_low": low,
                         "ci_high": high, "n": n})
    return pd.DataFrame(rows)


def compare_observed(scenario: Scenario, daily) -> Any:
    """Model (mean over replications) versus observed cumulative transfers, by date."""
    import pandas as pd

    rows = []
    if not scenario.observed or daily.empty:
        return pd.DataFrame(columns=["policy", "date", "day", "measure", "observed",
                                     "model_mean", "model_low", "model_high", "rel_error",
                                     "source"])
    for policy, grp in daily.groupby("policy", sort=False):
        for obs in scenario.observed:
            day = scenario.day(obs.date)
            column = "departed" if obs.measure == "departed" else "transferred"
            at = grp.loc[grp["day"] == min(day, scenario.metadata.horizon_days - 1), column]
            mean, low, high, _ = mean_ci(at.to_numpy(dtype=float))
            rel = (mean - obs.transferred) / obs.transferred if obs.transferred else math.nan
            rows.append({"policy": policy, "date": obs.date.isoformat(), "day": day,
                         "measure": obs.measure, "observed": obs.transferred,
                         "model_mean": mean, "model_low": low, "model_high": high,
                         "rel_error": rel, "source": obs.source})
    return pd.DataFrame(rows)


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("sim", "simpy", "numpy", "pandas", "scipy", "pyarrow", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def _records(df) -> list[dict]:
    return json.loads(df.to_json(orient="records", date_format="iso")) if len(df) else []


def write_parquet(df, path: Path) -> None:
    """Write a DataFrame to Parquet with single-threaded conversion (pyarrow's threaded
    pandas conversion has been seen to abort the interpreter at exit)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(df, preserve_index=False, nthreads=1), path)


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise OutputError(f"output folder {out} already exists (use --force to replace it, or "
                          f"choose another --out)")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {parent}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise OutputError(f"output folder {parent} is not writable")


def _write_atomically(out: Path, force: bool, tables: dict, scenario_yaml: str,
                      summary: dict) -> None:
    parent = out.resolve().parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write into {parent}: {exc.strerror}") from None
    try:
        for name, df in tables.items():
            write_parquet(df, tmp / f"{name}.parquet")
        (tmp / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n",
                                          encoding="utf-8")
        if out.exists() and force:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write results to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
