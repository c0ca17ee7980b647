"""Batch spec: which scenarios, policies, replications and sweep points to run.

A spec is a YAML file, validated like a scenario (every problem reported at once, each as
``file:line: path: message``)::

    name: policies                    # optional; default: the file name without .yaml
    scenarios:                        # files relative to this spec, or inline variants
      - ../baseline.yaml
      - {name: slow_convoys, base: ../baseline.yaml, overrides: {fleets.road_convoy.units: 4}}
    policies: all                     # or a list of names; "none" = no burden-sharing rule
    replications: 100
    seed: 2026                        # root seed; default: each scenario's metadata.seed
    sweep:                            # grid over dotted paths into the scenario
      fleets.airlift.units: [1, 2, 3]
    tables:                           # KPIs are always kept; the others on request
      daily: {every: 7}               # daily series: every N-th day and the last (true: all)
      trips: true                     # one row per trip
      ledger: true                    # non-zero cost and personnel entries
      events: true                    # dated events (control changes, breakouts ...)
      payers: true                    # cost, personnel-days, held back for funding per payer, day
    chunk_size: 10                    # replications per task (default: automatic)

Every scenario x sweep point is loaded and validated before anything runs; a problem caused
by an override or a sweep value is reported at its line in the spec.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.messages import quoted
from sim.scenario.base import Period, Replications, Seed
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import dump_scenario, load_scenario, pydantic_problems, scenario_digest
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import Locations, file_problem, locate, read_yaml
from sim.schema_words import Label, PlainName
from sim.store.parts import OPTIONAL
from sim.store.writer import StoreInfo, VariantInfo

NO_POLICY = "none"
"""Label of ``policy=None`` (costs recorded, not allocated to payers) in specs and tables."""

_DOTTED = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-:]+)*$")

MAX_RUNS = 1_000_000  # every run id is planned (~200 bytes, ~30 us) before any run starts
MAX_VARIANTS = 500  # scenarios x sweep points: each is loaded and kept (MBs) before any run


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ScenarioVariant(_Base):
    """An inline variant: a base scenario file with overrides by dotted path."""

    name: Label | None = None
    base: str = Field(min_length=1)
    """Scenario file, relative to the spec."""
    overrides: dict[str, Any] = Field(default_factory=dict)

    @field_validator("overrides")
    @classmethod
    def _paths(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not _DOTTED.match(str(key)):
                raise ValueError(f"override key {key!r} is not a dotted path (expected e.g. "
                                 f"fleets.road.units)")
        return value


class DailyTable(_Base):
    every: Period = 1
    """Keep every N-th day (and always the last day)."""


class Tables(_Base):
    kpis: Literal[True] = True
    """KPIs are always kept."""
    daily: bool | DailyTable = False
    trips: bool = False
    ledger: bool = False
    events: bool = False
    payers: bool = False

    def kept(self) -> tuple[str, ...]:
        """The tables kept besides kpis and daily, in store order."""
        return tuple(name for name in OPTIONAL if getattr(self, name))


class BatchSpec(_Base):
    """The schema of a batch spec file."""

    name: Label | None = None
    description: str = ""
    scenarios: list[str | ScenarioVariant] = Field(min_length=1)
    policies: Literal["all"] | list[PlainName] = "all"
    replications: Replications
    seed: Seed | None = None
    sweep: dict[str, list[Any]] = Field(default_factory=dict)
    tables: Tables = Field(default_factory=Tables)
    chunk_size: Replications | None = None

    @field_validator("sweep")
    @classmethod
    def _sweep(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in value.items():
            if not _DOTTED.match(str(key)):
                raise ValueError(f"sweep key {key!r} is not a dotted path (expected e.g. "
                                 f"fleets.road.units)")
            if not values:
                raise ValueError(f"sweep '{key}' has no values (expected a list of at least "
                                 f"one value)")
        return value

    @field_validator("policies")
    @classmethod
    def _policies(cls, value):
        if isinstance(value, list):
            if not value:
                raise ValueError("empty list of policies (expected 'all' or a list of names)")
            dup = sorted({p for p in value if value.count(p) > 1})
            if dup:
                raise ValueError(f"policy listed twice: {', '.join(dup)} (expected each once)")
        return value


# ----------------------------------------------------------------------------- resolved
@dataclass(frozen=True)
class Variant:
    """One scenario at one sweep point: the unit that policies and replications apply to."""

    label: str
    """``scenario`` or ``scenario[path=value, ...]``: the key of ``Results.scenarios``."""
    scenario: str
    point: dict[str, Any]
    scn: Scenario = field(repr=False, compare=False)
    digest: str
    seed: int
    policies: tuple[str, ...]

    @property
    def point_json(self) -> str:
        return point_json(self.point)

    @property
    def yaml(self) -> str:
        return dump_scenario(self.scn)


@dataclass
class ResolvedBatch:
    """A validated spec with every scenario loaded: what ``run_batch`` executes."""

    path: Path | None  # the spec file (None for the batch of a `sim run`)
    text: str
    spec: BatchSpec
    name: str
    variants: list[Variant]
    replications: int
    sweep_paths: list[str]
    daily_every: int | None
    version: str
    tables: tuple[str, ...] = ()
    """Tables kept besides kpis and daily (trips, ledger, events, payers)."""
    kind: str = "batch"
    """``"run"`` for the batch of a ``sim run`` (marked so in ``batch.json``)."""
    scenario_file: str | None = None
    """The scenario file of a ``sim run``, as given."""

    @property
    def policies(self) -> list[str]:
        seen: dict[str, None] = {}
        for v in self.variants:
            seen.update(dict.fromkeys(v.policies))
        return list(seen)

    def run_count(self, replications: int | None = None) -> int:
        reps = self.replications if replications is None else replications
        return reps * sum(len(v.policies) for v in self.variants)

    def store_info(self) -> StoreInfo:
        """What the results store records about this batch."""
        return StoreInfo(
            name=self.name, spec_text=self.text, replications=self.replications,
            variants=[VariantInfo(label=v.label, scenario=v.scenario, point=v.point,
                                  digest=v.digest, seed=v.seed, policies=v.policies,
                                  yaml=v.yaml) for v in self.variants],
            version=self.version, spec=None if self.path is None else str(self.path),
            daily_every=self.daily_every, tables=self.tables, sweep=self.sweep_paths,
            kind=self.kind, scenario_file=self.scenario_file)


def _str_keys(value: Any) -> Any:
    """``value`` with every mapping key as text, so that it sorts (YAML allows 1 and "b" as
    keys of one mapping; JSON with sorted keys does not)."""
    if isinstance(value, dict):
        return {str(k): _str_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_str_keys(v) for v in value]
    return value


def point_json(point: dict[str, Any]) -> str:
    """Canonical text of a sweep point (stable across runs)."""
    return json.dumps(_str_keys(point), sort_keys=True, separators=(",", ":"), default=str)


def run_id(digest: str, policy: str, replication: int, seed: int, version: str) -> str:
    """Content-addressed id of one run: sha256 of scenario content, policy, replication,
    root seed and package version."""
    key = json.dumps({"scenario": digest, "policy": policy, "replication": int(replication),
                      "seed": int(seed), "version": version}, sort_keys=True,
                     separators=(",", ":"))
    return hashlib.sha256(key.encode()).hexdigest()


def policy_arg(label: str) -> str | None:
    """The ``policy`` argument of ``simulate`` for a policy label."""
    return None if label == NO_POLICY else label


def scenario_policies(scn: Scenario) -> list[str]:
    """Names of the policies a scenario defines (via ``sim.policy`` once it exists)."""
    try:
        from sim.policy import policy_names
    except ImportError:
        return [str(p) for p in scn.policies]
    return [str(p) for p in policy_names(scn)]


# ----------------------------------------------------------------------------- loading
def load_spec(path: str | Path) -> ResolvedBatch:
    """Read, validate and resolve a batch spec; raise ScenarioError listing every problem."""
    from sim import __version__

    path = Path(path)
    data, locs = read_yaml(path)
    source = str(path)
    if data is None or data == {}:
        raise ScenarioError([Problem(source, 1, "", "the file has no content (expected a batch "
                                                    "spec: scenarios:, policies:, "
                                                    "replications: ...)")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(source, 1, "", "the top level is not a mapping (expected "
                                                    "scenarios:, policies:, replications: ...)")])
    try:
        spec = BatchSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(pydantic_problems(exc, data, locs, source, BatchSpec)) from None
    text = path.read_text(encoding="utf-8")
    variants, problems = _resolve(spec, path, locs)
    pairs = sum(len(v.policies) for v in variants)
    if not problems and spec.replications * pairs > MAX_RUNS:
        problems.append(Problem(*locate(locs, ("replications",), source), "replications", (
            f"{spec.replications * pairs:,} runs ({pairs} scenario x policy pairs) (expected at "
            f"most {MAX_RUNS:,} runs in a batch: all are planned before the first starts)")))
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    daily = spec.tables.daily
    every = None if daily is False else (1 if daily is True else daily.every)
    return ResolvedBatch(path=path, text=text, spec=spec, name=spec.name or path.stem,
                         variants=variants, replications=spec.replications,
                         sweep_paths=list(spec.sweep), daily_every=every, version=__version__,
                         tables=spec.tables.kept())


def _resolve(spec: BatchSpec, path: Path, locs: Locations) -> tuple[list[Variant], list[Problem]]:
    source = str(path)
    problems: list[Problem] = []
    entries: list[tuple[str, Path, dict[str, Any], int]] = []
    names: dict[str, int] = {}
    for i, entry in enumerate(spec.scenarios):
        if isinstance(entry, str):
            base, overrides, name = entry, {}, Path(entry).stem
        else:
            base, overrides = entry.base, dict(entry.overrides)
            name = entry.name or Path(entry.base).stem
        if name in names:
            problems.append(Problem(*locate(locs, ("scenarios", i), source), f"scenarios.{i}",
                                    f"duplicate scenario name {quoted(name)} (expected unique "
                                    f"names; give the variant a name:)"))
            continue
        names[name] = i
        entries.append((name, base, overrides, i))

    keys = list(spec.sweep)
    points = math.prod(len(v) for v in spec.sweep.values())
    if len(entries) * points > MAX_VARIANTS:
        where = "sweep" if spec.sweep else "scenarios"
        return [], problems + [Problem(*locate(locs, (where,), source), where, (
            f"{len(entries) * points:,} scenario variants ({len(entries)} x {points:,} sweep "
            f"points) (expected at most {MAX_VARIANTS}: each is loaded and kept in memory "
            f"before anything runs)"))]
    grid = list(itertools.product(*(range(len(v)) for v in spec.sweep.values())))
    sweep_dups = False
    for key, values in spec.sweep.items():
        texts = [json.dumps(_str_keys(v), sort_keys=True, default=str) for v in values]
        for j, t in enumerate(texts):
            if t in texts[:j]:
                sweep_dups = True
                problems.append(Problem(*locate(locs, ("sweep", key, j), source),
                                        f"sweep.{key}", f"value {values[j]!r} listed twice "
                                                        f"(expected distinct values)"))
    variants: list[Variant] = []
    digests: dict[str, str] = {}
    for name, base, overrides, i in entries:
        where = ("scenarios", i) if isinstance(spec.scenarios[i], str) else ("scenarios", i, "base")
        base_path, unfit = path.parent / base, file_problem(path.parent / base)
        if unfit:
            unfit = unfit.replace("file not found", "not found").split(" (expected")[0]
            problems.append(Problem(*locate(locs, where, source), ".".join(map(str, where)),
                                    f"scenario file {quoted(base)} {unfit} (expected a YAML "
                                    f"file, the path relative to {path.parent})"))
            continue
        try:
            base_scn = load_scenario(base_path)
        except ScenarioError as exc:  # the base itself is wrong: report it where it is
            problems.extend(exc.problems)
            continue
        for combo in grid:
            index = dict(zip(keys, combo))
            point = {k: spec.sweep[k][j] for k, j in index.items()}
            merged = {**overrides, **point}
            try:
                scn = load_scenario(base_path, overrides=merged) if merged else base_scn
            except ScenarioError as exc:
                problems.extend(_relocate(exc.problems, overrides, point, index, i, name,
                                          locs, source))
                continue
            label = name if not point else f"{name}[{_point_label(point)}]"
            digest = scenario_digest(scn)
            if digest in digests:
                if not sweep_dups:
                    problems.append(Problem(
                        *locate(locs, ("scenarios", i), source), f"scenarios.{i}",
                        f"{quoted(label)} is the same scenario as {quoted(digests[digest])} after "
                        f"overrides (expected distinct scenarios)"))
                continue
            digests[digest] = label
            available = scenario_policies(scn)
            if spec.policies == "all":
                policies = tuple(available) or (NO_POLICY,)
            else:
                policies = tuple(spec.policies)
                for j, pol in enumerate(spec.policies):
                    if pol != NO_POLICY and pol not in available:
                        known = ", ".join(available + [NO_POLICY])
                        problems.append(Problem(
                            *locate(locs, ("policies", j), source), f"policies.{j}",
                            f"scenario {quoted(name)} has no policy {quoted(pol)} (expected "
                            f"one of: {known})"))
            seed = spec.seed if spec.seed is not None else scn.metadata.seed
            variants.append(Variant(label=label, scenario=name, point=point, scn=scn,
                                    digest=digest, seed=int(seed), policies=policies))
    return variants, problems


def _point_label(point: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, default=str) if not isinstance(v, str) else v}"
                     for k, v in point.items())


def _relocate(problems: list[Problem], overrides: dict, point: dict, index: dict[str, int],
              i: int, name: str, locs: Locations, source: str) -> list[Problem]:
    """Point problems caused by an override or a sweep value at the spec line that set it."""
    out = []
    for p in problems:
        keys = list(point) + list(overrides)
        key = next((k for k in keys if _covers(k, p.path)), None)
        if key is None and len(keys) == 1:  # the base is valid, so this one change did it
            key = keys[0]
        if key is None:
            what = f"scenario '{name}'" + (f" at {_point_label(point)}" if point else "")
            out.append(Problem(p.file, p.line, p.path,
                               f"{p.message} (with the overrides of {what} from {source})"))
        elif key in point:
            file, line = locate(locs, ("sweep", key, index[key]), source)
            out.append(Problem(file, line, f"sweep.{key}",
                               f"{p.message} (scenario '{name}', {key}={point[key]!r})"))
        else:
            file, line = locate(locs, ("scenarios", i, "overrides", key), source)
            out.append(Problem(file, line, f"scenarios.{i}.overrides.{key}",
                               f"{p.message} (scenario '{name}')"))
    return out


def _covers(key: str, path: str) -> bool:
    return path == key or path.startswith(key + ".") or key.startswith(path + ".")
