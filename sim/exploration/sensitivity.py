"""Global sensitivity indices with SALib, for any output over a design.

:func:`indices` is the one code path: the explore analysis calls it with the mean KPI at
each design point, and the verification check (:func:`ishigami_check`) with the Ishigami
function, whose indices are known in closed form.

- ``sobol`` designs: Sobol' first-order (S1) and total-order (ST) indices with bootstrap
  confidence intervals (Saltelli 2010 / Jansen estimators as in SALib);
- ``morris`` designs: mu* (mean absolute elementary effect, with its confidence interval)
  and sigma, in units of the output per whole range of the input;
- ``lhs`` designs: first-order indices by RBD-FAST (``rbd_fast``), which needs no special
  design; there is no total-order index from a Latin hypercube.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.exploration.design import Design

COLUMNS = ["parameter", "method", "S1", "S1_conf", "ST", "ST_conf", "mu_star",
           "mu_star_conf", "sigma"]
CONF = 0.95


def method_of(design: Design) -> str | None:
    return {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast"}.get(design.spec.method)


def indices(design: Design, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of output ``y`` (one value per design point, in design order);
    one row per uncertainty (or group). An output that is constant or has a missing value
    gets NaN indices (nothing to apportion)."""
    method = method_of(design)
    y = np.asarray(y, dtype=float)
    names = _names(design)
    frame = pd.DataFrame({"parameter": names, "method": method})
    for c in COLUMNS[2:]:
        frame[c] = np.nan
    if method is None or len(y) != len(design.unit) or not np.all(np.isfinite(y)) or \
            float(np.ptp(y)) == 0.0:
        return frame
    problem = design.problem
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=False, conf_level=CONF, seed=seed)
        cols = {"S1": "S1", "S1_conf": "S1_conf", "ST": "ST", "ST_conf": "ST_conf"}
    elif method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, design.unit, y, num_levels=design.spec.levels,
                             conf_level=CONF, seed=seed)
        cols = {"mu_star": "mu_star", "mu_star_conf": "mu_star_conf", "sigma": "sigma"}
    else:
        from SALib.analyze import rbd_fast

        res = rbd_fast.analyze(problem, design.unit, y, M=_harmonics(len(y)),
                               conf_level=CONF, seed=seed)
        cols = {"S1": "S1", "S1_conf": "S1_conf"}
    for ours, theirs in cols.items():
        frame[ours] = np.asarray(res[theirs], dtype=float)
    return frame


def _names(design: Design) -> list[str]:
    if design.groups is None:
        return list(design.names)
    return list(dict.fromkeys(design.groups))


def _harmonics(n: int) -> int:
    """RBD-FAST interference factor: SALib's default 10, fewer for small designs."""
    return max(1, min(10, (n - 1) // 4))


def ranking(frame: pd.DataFrame) -> pd.Series:
    """One importance per row: ST, else S1, else mu* (scaled to the largest)."""
    for col in ("ST", "S1", "mu_star"):
        if col in frame and frame[col].notna().any():
            v = frame[col].astype(float)
            return v / v.abs().max() if col == "mu_star" and v.abs().max() > 0 else v
    return pd.Series(np.nan, index=frame.index)


# ----------------------------------------------------------------------------- verification
ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x: np.ndarray, a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> np.ndarray:
    """The Ishigami function on x in [-pi, pi]^3."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, np.ndarray]:
    """Closed-form S1 and ST of the Ishigami function (Ishigami and Homma 1990)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi ** 8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {"S1": np.array([v1, v2, 0.0]) / var,
            "ST": np.array([v1 + v13, v2, v13]) / var}


def ishigami_check(n: int = 1024, seed: int = 1, tol: float = 0.05) -> dict[str, Any]:
    """Sobol' indices of the Ishigami function through :func:`indices`, against the closed
    form: ``{"ok": bool, "S1": ..., "ST": ..., "expected": ...}``. The inputs are
    uncertainties (uniform on [-pi, pi]) of the scenario schema, sampled by the explore
    design code."""
    from sim.exploration.design import sample
    from sim.exploration.spec import DesignSpec
    from sim.scenario.uncertainties import Uncertainty

    section = {f"x{i}": Uncertainty(path=f"x{i}", dist="uniform", low=-math.pi, high=math.pi,
                                    source="[S0]") for i in (1, 2, 3)}
    design = sample(DesignSpec(method="sobol", n=n), list(section), section, seed)
    x = np.array([[section[k].value(u) for k, u in zip(design.names, row)]
                  for row in design.unit])
    got = indices(design, ishigami(x), seed=seed)
    want = ishigami_indices()
    ok = bool(np.all(np.abs(got["S1"].to_numpy() - want["S1"]) < tol)
              and np.all(np.abs(got["ST"].to_numpy() - want["ST"]) < tol))
    return {"ok": ok, "S1": got["S1"].to_numpy(), "ST": got["ST"].to_numpy(),
            "expected": want}


def top_lines(sens: pd.DataFrame, scenario: str, n: int = 5, width: int = 80) -> list[str]:
    """For every KPI, the ``n`` inputs with the largest index (ST, else S1, else mu*),
    averaged over the policies, in plain text of at most ``width`` columns."""
    import textwrap

    part = sens[sens["scenario"] == scenario]
    if part.empty:
        return []
    col = next((c for c in ("ST", "S1", "mu_star") if part[c].notna().any()), None)
    if col is None:
        return [f"sensitivity: no indices for {scenario} (design without an index)"]
    method = part["method"].iloc[0]
    name = {"ST": "total-order", "S1": "first-order", "mu_star": "Morris mu*"}[col]
    lines = [f"largest {name} indices ({method}, mean over policies):"]
    for kpi, g in part.groupby("kpi", sort=False):
        mean = g.groupby("parameter", sort=False)[col].mean().dropna()
        if mean.empty:
            lines.append(f"  {kpi}: constant in every future")
            continue
        conf = g.groupby("parameter", sort=False)[f"{col}_conf"].mean() \
            if f"{col}_conf" in g else None
        top = mean.sort_values(ascending=False).head(n)
        items = [f"{p} {v:.2f}" + (f"±{conf[p]:.2f}" if conf is not None and
                                   pd.notna(conf.get(p)) else "") for p, v in top.items()]
        lines += textwrap.wrap(f"  {kpi}: " + ", ".join(items), width,
                               subsequent_indent="      ")
    return lines
