"""Explore spec: scenarios, policies, which uncertainties vary, the design and the questions.

A spec is a YAML file, validated like a batch spec (every problem at once, each as
``file:line: path: message``)::

    name: baseline_lhs                 # optional; default: the file name
    scenarios: [../baseline.yaml]      # files relative to this spec
    policies: all                      # or a list of names ("none": no burden-sharing rule)
    vary: all                          # or a list of uncertainty names (the others stay put)
    design: {method: lhs, n: 200}      # lhs n | sobol n (Saltelli) | morris trajectories,
                                       # levels | factorial (categorical and integer ones)
    sensitivity: {method: sobol, n: 16, groups: tag}   # optional second design for indices
    replications: 1                    # per design point and policy
    seed: 20260121                     # the same replication seeds at every design point
    kpis: [transferred, escaped]       # default: the headline KPIs
    thresholds:                        # satisficing: futures where all of these hold
      escaped: {max: 300}
      share_iraq: {max: 0.5}
      completion_day: {max: 180}
    discovery: {policies: all, density: 0.8}   # PRIM on "not every threshold holds"
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    model_validator,
)

from sim.batch.spec import NO_POLICY, scenario_policies
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_scenario, pydantic_problems
from sim.scenario.schema import Scenario
from sim.scenario.uncertainties import Uncertainty, active
from sim.scenario.yamlio import Locations, locate, read_yaml


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DesignSpec(_Base):
    """An experiment design (sampled by SALib in the unit hypercube)."""

    method: Literal["lhs", "sobol", "morris", "factorial"]
    n: PositiveInt | None = None
    """lhs: design points; sobol: base samples (a power of 2; N x (k + 2) points)."""
    trajectories: PositiveInt | None = None
    """morris: trajectories (r x (k + 1) points)."""
    levels: PositiveInt = 4
    """morris: grid levels (even)."""
    groups: Literal["none", "tag"] = "none"
    """sobol and morris: indices per uncertainty, or per assumption tag (first tag)."""

    @model_validator(mode="after")
    def _sizes(self) -> DesignSpec:
        if self.method in ("lhs", "sobol") and self.n is None:
            raise ValueError(f"{self.method} needs n (expected e.g. n: 200)")
        if self.method == "sobol" and self.n is not None and (self.n & (self.n - 1)):
            raise ValueError(f"sobol n = {self.n} is not a power of 2 (expected e.g. "
                             f"{2 ** round(math.log2(self.n))})")
        if self.method == "morris":
            if self.trajectories is None:
                raise ValueError("morris needs trajectories (expected e.g. trajectories: 10)")
            if self.levels < 2 or self.levels % 2:
                raise ValueError(f"morris levels = {self.levels} (expected an even number, "
                                 f"at least 2)")
        if self.groups != "none" and self.method not in ("sobol", "morris"):
            raise ValueError("groups apply to sobol and morris designs only")
        return self


class Threshold(_Base):
    """A KPI bound that must hold: ``max`` (at most) and/or ``min`` (at least)."""

    max: float | None = None
    min: float | None = None

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        if self.max is None and self.min is None:
            raise ValueError("empty threshold (expected max:, min: or both)")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) above max ({self.max})")
        return self

    def holds(self, value: Any):
        """Element-wise: the value is known and within the bound(s) (NaN fails)."""
        import numpy as np

        v = np.asarray(value, dtype=float)
        ok = ~np.isnan(v)
        if self.max is not None:
            ok &= np.nan_to_num(v, nan=np.inf) <= self.max
        if self.min is not None:
            ok &= np.nan_to_num(v, nan=-np.inf) >= self.min
        return ok

    def text(self, kpi: str) -> str:
        parts = ([f"{kpi} <= {self.max:g}"] if self.max is not None else []) + (
            [f"{kpi} >= {self.min:g}"] if self.min is not None else [])
        return " and ".join(parts)


class DiscoverySpec(_Base):
    policies: Literal["all"] | list[str] = "all"
    fail: dict[str, Threshold] | None = None
    """Failure = one of these bounds broken (default: one of ``thresholds`` broken)."""
    density: float = Field(default=0.8, gt=0, le=1)
    """PRIM: the box chosen is the one with most coverage whose density reaches this."""
    peel_alpha: float = Field(default=0.05, gt=0, lt=0.5)
    mass_min: float = Field(default=0.05, gt=0, lt=1)


class ExploreSpec(_Base):
    name: str | None = Field(default=None, min_length=1)
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    policies: Literal["all"] | list[str] = "all"
    vary: Literal["all"] | list[str] = "all"
    design: DesignSpec
    sensitivity: DesignSpec | None = None
    replications: PositiveInt = 1
    seed: NonNegativeInt | None = None
    kpis: list[str] | None = None
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    discovery: DiscoverySpec | None = None
    chunk_size: PositiveInt | None = None


@dataclass
class ExploreScenario:
    """A scenario of the spec: its uncertainties and the names that vary."""

    name: str
    file: Path
    scenario: Scenario = field(repr=False)
    uncertainties: dict[str, Uncertainty]
    vary: list[str]
    policies: tuple[str, ...]
    seed: int


@dataclass
class ResolvedExplore:
    path: Path | None
    text: str
    spec: ExploreSpec
    name: str
    scenarios: list[ExploreScenario]
    kpis: list[str]

    @property
    def policies(self) -> list[str]:
        return list(dict.fromkeys(p for s in self.scenarios for p in s.policies))


def located_problems(path: Path) -> list[Problem]:
    """The strict checks of a scenario file's uncertainties (unknown paths, range ends that
    make it invalid), each at its line in the file that wrote it."""
    from sim.scenario.checks import check_references
    from sim.scenario.loader import _read_with_extends, validate_scenario
    from sim.scenario.uncertainties import check_uncertainties
    from sim.scenario.yamlio import dotted

    data, locs = _read_with_extends(Path(path), stack=())
    scn = validate_scenario(data, locs, str(path))
    return [Problem(*locate(locs, where, str(path)), dotted(where), message)
            for where, message in check_uncertainties(scn, check_references, strict=True)]


def load_explore_spec(path: str | Path) -> ResolvedExplore:
    """Read, validate and resolve an explore spec; raise ScenarioError listing every
    problem."""
    path = Path(path)
    data, locs = read_yaml(path)
    source = str(path)
    if not isinstance(data, dict) or not data:
        raise ScenarioError([Problem(source, 1, "", "the file has no mapping (expected an "
                                                    "explore spec: scenarios:, design: ...)")])
    try:
        spec = ExploreSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(pydantic_problems(exc, data, locs, source, ExploreSpec)) from None
    return resolve(spec, path, locs, path.read_text(encoding="utf-8"))


def resolve(spec: ExploreSpec, path: Path, locs: Locations, text: str) -> ResolvedExplore:
    """Load the spec's scenarios and check names against them."""
    from sim.kpis import headline, parse_key

    source = str(path)
    problems: list[Problem] = []

    def bad(where: tuple, message: str) -> None:
        problems.append(Problem(*locate(locs, where, source), ".".join(map(str, where)),
                                message))

    kpis = list(spec.kpis or headline())
    for j, k in enumerate(spec.kpis or []):
        if parse_key(k) is None:
            bad(("kpis", j), f"unknown KPI '{k}' (expected one of: {', '.join(headline())})")
    for section in ("thresholds",):
        for k in getattr(spec, section):
            if parse_key(k) is None:
                bad((section, k), f"unknown KPI '{k}' (expected e.g. {', '.join(headline())})")
    if spec.discovery and spec.discovery.fail is None and not spec.thresholds:
        bad(("discovery",), "no failure rule (expected discovery.fail: or thresholds:)")
    scenarios: list[ExploreScenario] = []
    names: set[str] = set()
    for i, file in enumerate(spec.scenarios):
        full = path.parent / file
        name = Path(file).stem
        if name in names:
            bad(("scenarios", i), f"scenario '{name}' listed twice (expected each once)")
            continue
        names.add(name)
        if not full.is_file():
            bad(("scenarios", i), f"scenario file '{file}' not found (expected a path "
                                  f"relative to {path.parent})")
            continue
        try:
            scn = load_scenario(full)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        found = located_problems(full)
        if found:
            problems.extend(found)
            continue
        section = active(scn.uncertainties)
        if not section:
            bad(("scenarios", i), f"scenario '{name}' has no uncertainties: section (expected "
                                  f"ranged inputs to explore; see docs/uncertainty.md)")
            continue
        vary = list(section) if spec.vary == "all" else list(spec.vary)
        for j, v in enumerate(vary if spec.vary != "all" else []):
            if v not in section:
                bad(("vary", j), f"scenario '{name}' has no uncertainty '{v}' (expected one "
                                 f"of: {', '.join(sorted(section))})")
        available = scenario_policies(scn)
        if spec.policies == "all":
            pols = tuple(available) or (NO_POLICY,)
        else:
            pols = tuple(spec.policies)
            for j, p in enumerate(pols):
                if p != NO_POLICY and p not in available:
                    bad(("policies", j), f"scenario '{name}' has no policy '{p}' (expected "
                                         f"one of: {', '.join(available + [NO_POLICY])})")
        seed = spec.seed if spec.seed is not None else scn.metadata.seed
        scenarios.append(ExploreScenario(name, full, scn, section,
                                         [v for v in vary if v in section], pols, int(seed)))
    if spec.discovery and spec.discovery.policies != "all":
        every = {p for s in scenarios for p in s.policies}
        for j, p in enumerate(spec.discovery.policies):
            if p not in every:
                bad(("discovery", "policies", j), f"policy '{p}' is not explored (expected "
                                                  f"one of: {', '.join(sorted(every))})")
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return ResolvedExplore(path, text, spec, spec.name or path.stem, scenarios, kpis)
