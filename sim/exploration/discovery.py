"""Scenario discovery: PRIM boxes of uncertain inputs where a policy fails.

For a policy and a failure rule (a KPI bound broken in a future), PRIM (the Patient Rule
Induction Method of Friedman and Fisher 1999, as implemented by EMA Workbench, the optional
extra ``sim[ema]``) peels the futures down to a box of input ranges in which failures are
concentrated. Each box is read by its *coverage* (share of all failures that fall in the
box) and *density* (share of futures in the box that fail). The box kept is the one with
the most coverage whose density reaches the spec's ``density`` (else the densest).

``discovery.parquet``: one row per restricted input of the box (scenario, policy, rule,
n_futures, n_failures, coverage, density, mass, res_dim, parameter, kind, low, high,
categories), or one row with an empty parameter when PRIM found no box (e.g. no failure).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.exploration.spec import DiscoverySpec, Threshold

COLUMNS = ["scenario", "policy", "rule", "n_futures", "n_failures", "coverage", "density",
           "mass", "res_dim", "parameter", "kind", "low", "high", "categories", "note"]


def rule_text(fail: dict[str, Threshold]) -> str:
    return "fails when not: " + " and ".join(t.text(k) for k, t in fail.items())


def failures(outcomes: pd.DataFrame, fail: dict[str, Threshold]) -> np.ndarray:
    """Per row of ``outcomes`` (one policy): does any bound of ``fail`` break?"""
    ok = np.ones(len(outcomes), dtype=bool)
    for kpi, t in fail.items():
        ok &= t.holds(outcomes[kpi].to_numpy(float))
    return ~ok


def inputs(design: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The uncertain inputs as PRIM reads them: numbers, and text values as categories."""
    x = pd.DataFrame(index=design.index)
    for n in names:
        col = design[n]
        if pd.api.types.is_numeric_dtype(col):
            x[n] = col.astype(float)
        else:
            x[n] = pd.Categorical(col.astype(str))
    keep = [c for c in x.columns if x[c].nunique() > 1]
    return x[keep]


def prim_box(x: pd.DataFrame, y: np.ndarray, spec: DiscoverySpec) -> dict[str, Any] | None:
    """The PRIM box chosen for failures ``y`` over inputs ``x`` (None without failures or
    without successes). Keys: coverage, density, mass, res_dim, limits (parameter -> (kind,
    low, high, categories)), trajectory (coverage, density per peeling step)."""
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any() or x.shape[1] == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        p = prim.Prim(x.reset_index(drop=True), y, threshold=spec.density,
                      peel_alpha=spec.peel_alpha, mass_min=spec.mass_min)
        box = p.find_box()
    traj = box.peeling_trajectory
    reach = traj[traj["density"] >= spec.density]
    i = int(reach["coverage"].idxmax()) if len(reach) else int(traj["density"].idxmax())
    lims, init = box.box_lims[i], box.box_lims[0]
    limits = {}
    for col in x.columns:
        lo, hi = lims[col].iloc[0], lims[col].iloc[1]
        if isinstance(lo, set):
            if set(lo) != set(init[col].iloc[0]):
                limits[col] = ("categorical", np.nan, np.nan, sorted(map(str, lo)))
        elif lo != init[col].iloc[0] or hi != init[col].iloc[1]:
            limits[col] = ("numeric", float(lo), float(hi), None)
    row = traj.loc[i]
    return {"coverage": float(row["coverage"]), "density": float(row["density"]),
            "mass": float(row["mass"]), "res_dim": int(row["res_dim"]), "limits": limits,
            "trajectory": traj[["coverage", "density", "mass", "res_dim"]].reset_index(
                drop=True)}


def discover(outcomes: pd.DataFrame, design: pd.DataFrame, names: dict[str, list[str]],
             spec: DiscoverySpec, thresholds: dict[str, Threshold],
             policies: list[str]) -> pd.DataFrame:
    """``discovery.parquet`` for every scenario and chosen policy (``outcomes``: one row per
    future and policy; ``design``: the futures design table; ``names``: the varied
    uncertainties per scenario)."""
    fail = spec.fail or thresholds
    chosen = policies if spec.policies == "all" else list(spec.policies)
    rows: list[dict[str, Any]] = []
    for scenario, part in outcomes.groupby("scenario", sort=False):
        d = design[design["scenario"] == scenario].set_index("row").sort_index()
        x = inputs(d, names[scenario])
        for pol in chosen:
            o = part[part["policy"] == pol].set_index("row").reindex(d.index)
            if o.empty or o["policy"].isna().all():
                continue
            y = failures(o, fail)
            base = {"scenario": scenario, "policy": pol, "rule": rule_text(fail),
                    "n_futures": int(len(y)), "n_failures": int(y.sum())}
            box = prim_box(x, y, spec)
            if box is None or not box["limits"]:
                note = ("fails in no future" if not y.any() else "fails in every future"
                        if y.all() else "no box found")
                rows.append({**base, "parameter": "", "note": note})
                continue
            for name, (kind, lo, hi, cats) in box["limits"].items():
                rows.append({**base, **{k: box[k] for k in ("coverage", "density", "mass",
                                                            "res_dim")},
                             "parameter": name, "kind": kind, "low": lo, "high": hi,
                             "categories": None if cats is None else json.dumps(cats),
                             "note": ""})
    return pd.DataFrame(rows, columns=COLUMNS)


def box_lines(disc: pd.DataFrame, scenario: str, policy: str,
              design: pd.DataFrame | None = None) -> list[str]:
    """A PRIM box in words: the rule, coverage and density, and each restricted range."""
    part = disc[(disc["scenario"] == scenario) & (disc["policy"] == policy)]
    if part.empty:
        return []
    first = part.iloc[0]
    head = (f"{policy} in {scenario}: {first['rule']}; fails in {first['n_failures']} of "
            f"{first['n_futures']} futures")
    if not first["parameter"]:
        return [f"{head}: {first['note']}"]
    lines = [f"{head}; box: coverage {first['coverage']:.0%}, density "
             f"{first['density']:.0%} ({int(first['res_dim'])} inputs restricted)"]
    for _, r in part.iterrows():
        if r["kind"] == "categorical":
            lines.append(f"  {r['parameter']} in {', '.join(json.loads(r['categories']))}")
        else:
            lines.append(f"  {r['parameter']} between {_g(r['low'])} and {_g(r['high'])}")
    return lines


def _g(x: float) -> str:
    return f"{x:.4g}"
