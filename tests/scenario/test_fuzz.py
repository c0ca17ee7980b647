"""Fuzzing the input side: whatever a user writes, loading either succeeds or raises one
ScenarioError whose every problem has a file and a message. Never another exception."""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.loader import apply_overrides, validate_scenario
from sim.scenario.schema import Scenario as _Schema
from sim.scenario.yamlio import parse_yaml, read_yaml
from tests.fuzzing import get as _get
from tests.fuzzing import mutated_yaml
from tests.fuzzing import paths as _paths
from tests.scenario.test_loader import RICH

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
TINY_TEXT = TINY.read_bytes()
TINY_DATA, TINY_LOCS = read_yaml(TINY)
# tiny.yaml plus every optional section (dates, timeline, distributions ...): more to break
RICH_DATA = apply_overrides(TINY_DATA, RICH, "tiny.yaml")
DATE_KEYS = {"start", "end", "start_date", "date"}
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _field_names(model, seen=None) -> set[str]:
    """Every field name in the schema (renames to these produce near-valid documents)."""
    import typing

    from pydantic import BaseModel

    seen = set() if seen is None else seen
    names: set[str] = set()
    stack = [model]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                continue
            seen.add(tp)
            for name, f in tp.model_fields.items():
                names.add(f.alias or name)
                stack.append(f.annotation)
        else:
            stack.extend(typing.get_args(tp))
    return names


VOCAB = sorted(_field_names(_Schema) | {
    "camp", "centre", "road", "rabia", "SDF", "IRQ", "SYR", "adult", "child", "high", "low",
    "medium", "fixed", "uniform", "lognormal", "weibull", "transfer", "release", "stay", "*",
    "control_change", "ceasefire", "fighting", "prison", "rehabilitation", "air", "extends"})

scalars = (st.none() | st.booleans() | st.integers(-(10**6), 10**6)
           | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=12) | st.sampled_from(VOCAB) | st.dates()
           | st.sampled_from([-1, 0, 1, -0.5, 1e300, "2026-13-40", "2026-1-4", "", " "]))
keys = st.sampled_from(VOCAB) | st.text(max_size=8) | st.integers(-3, 3) | st.none() | st.booleans()
values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(keys, kids, max_size=4),
    max_leaves=8,
)


@st.composite
def mutated_documents(draw):
    data = copy.deepcopy(draw(st.sampled_from([TINY_DATA, RICH_DATA])))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))
        dated = [p for p in paths if p and p[-1] in DATE_KEYS]
        op = draw(st.sampled_from(["delete", "replace", "rename", "duplicate", "date", "insert",
                                   "negate"]))
        path = draw(st.sampled_from(dated if op == "date" and dated else paths))
        note(f"{op} at {path}")
        if not path:
            if op == "replace":
                data = draw(values)
            continue
        parent, key = _get(data, path[:-1]), path[-1]
        if op == "delete":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(values)
        elif op == "negate":
            v = parent[key]
            parent[key] = -v if isinstance(v, (int, float)) and not isinstance(v, bool) else -1
        elif op == "date":
            parent[key] = draw(st.dates() | st.integers(-5, 5000) | st.sampled_from(
                ["2026-02-30", "2026-13-01", "01/02/2026", dt.date(2026, 1, 1), 99999,
                 dt.date.min, dt.date.max, dt.date(9999, 1, 1), dt.datetime(2026, 1, 2, 3)]))
        elif op == "rename" and isinstance(parent, dict):
            new = draw(keys)
            parent[new] = parent.pop(key)
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "insert":
            target = parent[key]
            if isinstance(target, dict):
                target[draw(keys)] = draw(values)
            elif isinstance(target, list):
                target.insert(draw(st.integers(0, len(target))), draw(values))
    return data


def _check_outcome(fn, *args):
    try:
        result = fn(*args)
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError without problems"
        for p in exc.problems:
            assert isinstance(p.file, str) and p.file, p
            assert isinstance(p.message, str) and p.message.strip(), p
            assert p.line is None or (isinstance(p.line, int) and p.line >= 1), p
            assert isinstance(p.path, str), p
            assert str(p)
        assert str(exc)
        return None
    assert isinstance(result, Scenario)
    return result


def _with(base: dict, **changes) -> dict:
    return apply_overrides(base, {k.replace("__", "."): v for k, v in changes.items()}, "x")


@SETTINGS
@given(mutated_documents())
@example(TINY_DATA)
@example(RICH_DATA)
@example(_with(TINY_DATA, metadata__start_date=dt.date(9999, 12, 1),
               sites__camp__controller__0__start=dt.date(2026, 1, 1)))
@example(_with(RICH_DATA, sites__camp__closures__0__end=dt.date(2025, 1, 1)))
@example(_with(TINY_DATA, policies={"p": {}}))
@example(_with(TINY_DATA, sites__camp__population={None: {1: 2}}))
@example(_with(TINY_DATA, conflict__effects={"war": {}}, fleets__road__escorts_per_trip={True: 1}))
@example(_with(RICH_DATA, conflict__timeline__0__kind=["x"], dispositions__0__sites="camp"))
def test_mutated_documents_fail_cleanly(data):
    _check_outcome(validate_scenario, data, TINY_LOCS, "tiny.yaml")


# ----------------------------------------------------------------------------- raw text
def mutated_texts():
    return mutated_yaml(TINY_TEXT)


_TMP = tempfile.TemporaryDirectory(prefix="sim-fuzz-")


@settings(SETTINGS, max_examples=300)
@given(mutated_texts())
def test_mutated_text_fails_cleanly(raw):
    path = Path(_TMP.name) / "tiny.yaml"
    path.write_bytes(raw)
    _check_outcome(load_scenario, path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        data, locs = parse_yaml(text, "tiny.yaml")
    except ScenarioError as exc:
        assert all(p.message and p.file for p in exc.problems)
        return
    if isinstance(data, dict):
        data.pop("extends", None)
    _check_outcome(validate_scenario, data, locs, "tiny.yaml")


def test_unmutated_tiny_is_valid():
    assert _check_outcome(validate_scenario, copy.deepcopy(TINY_DATA), TINY_LOCS, "tiny.yaml")
