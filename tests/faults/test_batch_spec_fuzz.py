"""Fuzzing batch specs: whatever a user writes in a spec, loading it either succeeds or raises
one ScenarioError whose every problem has a file and a message, never another exception.
Mutations of a valid spec's data (hypothesis) and of its raw text."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from sim.batch import load_spec
from sim.batch.spec import BatchSpec
from sim.scenario import ScenarioError
from tests.fuzzing import get as _get
from tests.fuzzing import mutated_yaml
from tests.fuzzing import paths as _paths

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
VALID = {
    "name": "fuzz",
    "description": "a valid spec to mutate",
    "scenarios": [str(TINY), {"name": "variant", "base": str(TINY),
                              "overrides": {"fleets.road.units": 3,
                                            "escapes.base_hazard_per_day.camp": 0.01}}],
    "policies": "all",
    "replications": 3,
    "seed": 7,
    "sweep": {"fleets.road.seats": [10, 20]},
    "tables": {"daily": {"every": 5}},
    "chunk_size": 2,
}
VOCAB = sorted(set(BatchSpec.model_fields) | {
    "base", "overrides", "daily", "every", "kpis", "all", "none", "fleets.road.units",
    "fleets.road.seats", "metadata.horizon_days", "sites.camp.population.IRQ.adult",
    "escapes.base_hazard_per_day.camp", "routes.0.travel_time", "dispositions",
    str(TINY), "../tiny.yaml", "nowhere.yaml", "/dev/null", "", "*"})
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

text_keys = st.sampled_from(VOCAB) | st.text(max_size=8)
scalars = (st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(VOCAB) | st.dates()
           | st.sampled_from([-1, 0, 1, 0.5, 1e300, "2026-13-40", "fixed"]))
# (a mapping whose keys mix text and numbers inside a sweep value: see the test at the end)
values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(text_keys, kids, max_size=3),
    max_leaves=8,
)
keys = text_keys | st.integers(-3, 3) | st.none() | st.booleans()


@st.composite
def mutated_specs(draw):
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))
        op = draw(st.sampled_from(["delete", "replace", "rename", "duplicate", "insert",
                                   "negate"]))
        path = draw(st.sampled_from(paths))
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
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(key)
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "insert":
            target = parent[key]
            if isinstance(target, dict):
                target[draw(keys)] = draw(values)
            elif isinstance(target, list):
                target.insert(draw(st.integers(0, len(target))), draw(values))
    return data


_TMP = tempfile.TemporaryDirectory(prefix="sim-spec-fuzz-")


def _load(raw: bytes):
    path = Path(_TMP.name) / "spec.yaml"
    path.write_bytes(raw)
    try:
        batch = load_spec(path)
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError without problems"
        for p in exc.problems:
            assert isinstance(p.file, str) and p.file, p
            assert isinstance(p.message, str) and p.message.strip(), p
            assert p.line is None or (isinstance(p.line, int) and p.line >= 1), p
            assert isinstance(p.path, str), p
        assert str(exc)
        return None
    assert batch.run_count() >= 1 and batch.variants
    return batch


@SETTINGS
@given(mutated_specs())
@example(copy.deepcopy(VALID))
@example({**VALID, "sweep": {"fleets.road.units": [1, [2]], "metadata.name": ["a", "b"]}})
@example({**VALID, "scenarios": [{"base": str(TINY), "overrides": {"": 1, "a..b": 2}}]})
@example({**VALID, "tables": {"daily": {"every": True}}, "policies": ["none", None]})
@example({**VALID, "sweep": {"fleets.road.units": [{"a": 1}, {"b": 2}]}})
def test_mutated_specs_fail_cleanly(data):
    _load(yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))


VALID_TEXT = yaml.safe_dump(VALID, sort_keys=False).encode("utf-8")


def mutated_texts():
    return mutated_yaml(VALID_TEXT)


@settings(SETTINGS, max_examples=150)
@given(mutated_texts())
def test_mutated_spec_text_fails_cleanly(raw):
    _load(raw)


def test_the_unmutated_spec_is_valid():
    batch = _load(VALID_TEXT)
    assert batch is not None and batch.run_count() == 2 * 2 * 3


def test_sweep_value_mapping_with_mixed_keys_is_a_located_error():
    _load(yaml.safe_dump({**VALID, "sweep": {"fleets.road.units": [{1: "a", "b": 2}, 3]}})
          .encode("utf-8"))
