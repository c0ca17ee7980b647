"""The uncertainties: section: values, located errors, inheritance."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.exploration import load_explore_spec
from sim.exploration.spec import located_problems
from sim.scenario import load_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.uncertainties import Uncertainty, active

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]

U = st.floats(0, 1)


@settings(deadline=None)
@given(U, U)
def test_values_grow_with_the_quantile_and_stay_in_range(a, b):
    lo, hi = sorted((a, b))
    for u in (Uncertainty(path="x", dist="uniform", low=2, high=5, source="[A1]"),
              Uncertainty(path="x", dist="triangular", low=2, mode=3, high=5, source="[A1]"),
              Uncertainty(path="x", dist="integer", low=2, high=5, source="[A1]"),
              Uncertainty(path="x", dist="lognormal", low=2, high=5, source="[A1]")):
        assert u.value(lo) <= u.value(hi)
        ends = [v for _, v in u.ends()]
        assert ends[0] <= u.value(lo) <= ends[1]
    i = Uncertainty(path="x", dist="integer", low=2, high=5, source="[A1]")
    assert i.value(lo) in {2, 3, 4, 5}


def test_lognormal_holds_ninety_percent_between_low_and_high():
    u = Uncertainty(path="x", dist="lognormal", low=100, high=40000, source="[A9]")
    q = [u.value(x) for x in (0.05, 0.95)]  # cut at 0.5%: quantile 5% is a bit inside
    assert 100 < q[0] < 140 and 29000 < q[1] < 40000
    inside = sum(100 <= u.value((i + 0.5) / 1000) <= 40000 for i in range(1000)) / 1000
    assert abs(inside - 0.9 / 0.99) < 0.01


def test_integer_and_categorical_levels_are_equally_likely():
    i = Uncertainty(path="x", dist="integer", low=1, high=4, source="[A1]")
    counts = [i.value((k + 0.5) / 400) for k in range(400)]
    assert [counts.count(v) for v in (1, 2, 3, 4)] == [100] * 4
    c = Uncertainty(path="x", dist="categorical", values=["a", "b"], source="[A1]")
    assert [c.value(0.2), c.value(0.7), c.value(1.0)] == ["a", "b", "b"]


def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {DATA / 'tiny.yaml'}\n" + textwrap.dedent(text))
    return path


@pytest.mark.parametrize("entry, line, words", [
    ("nope: {path: fleets.boat.units, dist: uniform, low: 1, high: 3, source: '[A21]'}",
     4, "unknown path 'fleets.boat.units': 'boat' is not a key of fleets"),
    ("empty: {path: fleets.road.units, dist: uniform, low: 3, high: 3, source: '[A21]'}",
     4, "empty range"),
    ("wide: {path: sites.camp.capacity, dist: integer, low: -10, high: 3, source: '[A4]'}",
     4, "the range end -10 gives an invalid scenario: sites.camp.capacity"),
    ("untagged: {path: fleets.road.units, dist: integer, low: 1, high: 3, source: guess}",
     4, "names no source or assumption"),
    ("cats: {path: fleets.road.units, dist: categorical, values: [1, 1], source: '[A21]'}",
     4, "at least two distinct values"),
    ("mapping: {path: fleets.road, dist: uniform, low: 1, high: 2, source: '[A21]'}",
     4, "expected a number"),
])
def test_problems_are_located_at_their_line(tmp_path, entry, line, words):
    path = _scenario(tmp_path, f"uncertainties:\n  ok: {{path: costs.escort_cost_per_person_day,"
                               f" dist: uniform, low: 1, high: 2, source: '[A34]'}}\n  {entry}\n")
    text = _problems(path)
    assert f"{path}:{line}:" in text and words in text, text


def test_a_categorical_value_outside_the_domain_is_reported_at_that_value(tmp_path):
    path = _scenario(tmp_path, """\
        uncertainties:
          backers:
            path: controllers.SDF.backers
            dist: categorical
            values:
              - {IRQ: 1.0}
              - {XXX: 1.0}
            source: "[A11]"
        """)
    assert f"{path}:8: uncertainties.backers.values.1" in _problems(path)


def test_a_variant_whose_uncertainties_no_longer_fit_runs_but_is_not_explored(tmp_path):
    """Loading is lenient (a variant with a shorter horizon still runs); exploring it gives
    the located problem."""
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
                    "metadata: {horizon_days: 200}\n")
    load_scenario(path)
    spec = tmp_path / "x.yaml"
    spec.write_text(f"scenarios: [{path}]\ndesign: {{method: lhs, n: 4}}\n")
    with pytest.raises(ScenarioError) as err:
        load_explore_spec(spec)
    assert "baseline.yaml:" in str(err.value)
    assert "uncertainties.hasakah_handover.values.2" in str(err.value)


def _problems(path: Path) -> str:
    """Every problem of a scenario file's uncertainties, at load or when explored."""
    try:
        found = located_problems(path)
    except ScenarioError as exc:
        found = exc.problems
    return "\n".join(map(str, found))


def test_shipped_scenarios_load_and_variants_inherit_or_remove():
    base = active(load_scenario(ROOT / "scenarios" / "baseline.yaml").uncertainties)
    replay = active(load_scenario(ROOT / "scenarios" / "jan2026_replay.yaml").uncertainties)
    assert len(base) >= 36
    assert "hasakah_handover" in base and "hasakah_handover" not in replay
    assert replay["weekly_cap"].paths == ("acceptance.caps.2.max_people",)
    assert set(base) - {"hasakah_handover"} <= set(replay)


def test_every_ranged_assumption_of_the_docs_is_an_uncertainty_or_said_not_to_be():
    from sim.exploration.rangedocs import NOT_VARIED, documented_ranges

    tags = set()
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):  # variants add their own
        for u in active(load_scenario(path).uncertainties).values():
            tags.update(t.strip("[]") for t in u.tags)
    ranged = documented_ranges(ROOT)
    missing = sorted(t for t in ranged if t not in tags and t not in NOT_VARIED)
    assert not missing, f"ranged assumptions neither varied nor explained: {missing}"
    assert not set(NOT_VARIED) & tags, "listed as not varied, yet varied"


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
@pytest.mark.parametrize("end", [0.0, 1.0])
def test_every_shipped_range_at_its_ends_is_a_valid_scenario(name, end):
    """An exploration or a calibration may draw any value of a range: every uncertainty at
    the same end of its range must give a scenario the schema and the checks accept, so that
    no run of a design fails on its input (e.g. a fighting spell's mean so short that half
    the spells last less than a day)."""
    from sim.scenario.drawing import build_drawn

    scn = load_scenario(ROOT / "scenarios" / name)
    section = active(scn.uncertainties)
    build_drawn(scn, 0, fixed={key: unc.value(end) for key, unc in section.items()})
