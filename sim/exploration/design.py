"""Experiment designs from SALib, and the scenario of every design point.

A design is sampled in the unit hypercube (one column per varied uncertainty) by SALib:
Latin hypercube (``latin``), Saltelli's scheme on a scrambled Sobol' sequence (``sobol``,
first and total order), Morris trajectories (``morris``); ``factorial`` crosses every value
of the categorical and integer uncertainties. Each uncertainty's inverse distribution
function (:meth:`sim.scenario.uncertainties.Uncertainty.value`) maps a column to values.
Design points that give the same scenario (e.g. two Saltelli rows that differ only in a
categorical draw landing on the same category) share one variant: the same runs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.spec import Variant
from sim.exploration.spec import DesignSpec, ExploreScenario
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import scenario_digest, scenario_from_dict
from sim.scenario.uncertainties import Uncertainty, overrides, with_values

KINDS = ("futures", "sensitivity")
"""A spec's main design (robustness, discovery) and its optional sensitivity design."""


@dataclass
class Design:
    """Points of one design in the unit hypercube, with what SALib needs to analyse them."""

    kind: str  # "futures" or "sensitivity"
    spec: DesignSpec
    names: list[str]  # varied uncertainties (columns of unit)
    unit: np.ndarray = field(repr=False)  # (points, len(names)) in [0, 1]
    groups: list[str] | None = None  # SALib groups (one per name), or None

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem (bounds of the unit hypercube)."""
        out: dict[str, Any] = {"num_vars": len(self.names), "names": list(self.names),
                               "bounds": [[0.0, 1.0]] * len(self.names)}
        if self.groups is not None:
            out["groups"] = list(self.groups)
        return out


def sample(spec: DesignSpec, names: list[str], section: dict[str, Uncertainty], seed: int,
           kind: str = "futures") -> Design:
    """The design ``spec`` over the uncertainties ``names`` (SALib samplers)."""
    groups = [section[n].tags[0].strip("[]") if section[n].tags else n for n in names] \
        if spec.groups == "tag" else None
    design = Design(kind, spec, list(names), np.zeros((0, len(names))), groups)
    problem = design.problem
    if spec.method == "lhs":
        from SALib.sample import latin

        unit = latin.sample(problem, int(spec.n), seed=seed)
    elif spec.method == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(problem, int(spec.n), calc_second_order=False, scramble=True,
                            seed=seed)
    elif spec.method == "morris":
        from SALib.sample import morris

        unit = morris.sample(problem, int(spec.trajectories), num_levels=spec.levels,
                             seed=seed)
    else:
        unit, design.names = _factorial(names, section)
    design.unit = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
    return design


def _factorial(names: list[str], section: dict[str, Uncertainty]
               ) -> tuple[np.ndarray, list[str]]:
    levels = {}
    for n in names:
        u = section[n]
        if u.dist == "categorical":
            levels[n] = len(u.values or [])
        elif u.dist == "integer":
            levels[n] = int(u.high - u.low) + 1
    if not levels:
        raise ValueError("a factorial design needs categorical or integer uncertainties")
    grid = itertools.product(*(range(k) for k in levels.values()))
    unit = [[(i + 0.5) / k for i, k in zip(point, levels.values())] for point in grid]
    return np.asarray(unit, dtype=float), list(levels)


# ----------------------------------------------------------------------------- points
def values_of(design: Design, section: dict[str, Uncertainty]) -> list[dict[str, Any]]:
    """The uncertainties' values at every design point."""
    return [{n: section[n].value(u) for n, u in zip(design.names, row)}
            for row in design.unit]


def variants(design: Design, es: ExploreScenario, source: str,
             seen: dict[str, tuple[str, str, int]]) -> tuple[list[Variant], pd.DataFrame]:
    """One batch variant per distinct scenario of the design, and the design table (one row
    per design point: scenario, design, row, variant, run_design and run_row (the sweep point
    under which its runs are stored), ``u:NAME`` (unit coordinates) and the values).

    ``seen`` maps scenario digests to (variant label, design, row) across designs: design
    points that give the same scenario share its runs."""
    base = es.scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    base.pop("uncertainties", None)
    out: list[Variant] = []
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, values in enumerate(values_of(design, es.uncertainties)):
        changes = overrides(es.uncertainties, values, base)
        try:
            scn = scenario_from_dict(with_values(base, changes), source=str(es.file))
        except ScenarioError as exc:
            first = exc.problems[0]
            shown = ", ".join(f"{k}={_text(v)}" for k, v in values.items()
                              if any(_covers(p, first.path)
                                     for p in es.uncertainties[k].paths))
            problems.append(Problem(source, None, f"design.{design.kind}",
                                    f"point {i} of scenario '{es.name}' ({shown or 'values'}) "
                                    f"gives an invalid scenario: {first.path}: "
                                    f"{first.message} (expected ranges that can be combined: "
                                    f"narrow them in {es.file.name}'s uncertainties:)"))
            continue
        digest = scenario_digest(scn)
        hit = seen.get(digest)
        if hit is None:
            hit = seen[digest] = (f"{es.name}/{design.kind}/{i:04d}", design.kind, i)
            out.append(Variant(label=hit[0], scenario=es.name,
                               point={"design": design.kind, "row": i}, scn=scn,
                               digest=digest, seed=es.seed, policies=es.policies))
        row = {"scenario": es.name, "design": design.kind, "row": i, "variant": hit[0],
               "run_design": hit[1], "run_row": hit[2]}
        row.update({f"u:{n}": float(u) for n, u in zip(design.names, design.unit[i])})
        row.update({n: _cell(v) for n, v in values.items()})
        rows.append(row)
        if len(problems) >= 5:
            break
    if problems:
        raise ScenarioError(problems)
    return out, pd.DataFrame(rows)


def _covers(path: str, problem_path: str) -> bool:
    return problem_path == path or problem_path.startswith(path + ".") or \
        path.startswith(problem_path + ".")


def _text(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _cell(v: Any) -> Any:
    """A value as a table cell: numbers as they are, anything else as its JSON text."""
    import json

    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return json.dumps(v, sort_keys=True, default=str)
