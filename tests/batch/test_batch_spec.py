"""Batch specs: resolution, run ids, and located errors (file:line: path: message)."""

from __future__ import annotations

import pytest

from sim.batch import load_spec, run_id
from sim.scenario import ScenarioError
from tests.batch.helpers import TINY, write_spec


def _problems(path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_spec(path)
    return [str(p) for p in info.value.problems]


def test_resolves_variants_policies_and_ids(tmp_path):
    spec = write_spec(tmp_path, replications=3, sweep={"fleets.road.units": [1, 2]}, seed=7,
                      tables={"daily": {"every": 5}})
    batch = load_spec(spec)
    assert [v.label for v in batch.variants] == ["tiny[fleets.road.units=1]",
                                                 "tiny[fleets.road.units=2]"]
    assert batch.policies == ["none"]  # tiny defines no policies
    assert batch.run_count() == 6
    assert batch.daily_every == 5
    assert {v.seed for v in batch.variants} == {7}
    assert batch.variants[0].scn.fleets["road"].units == 1
    assert batch.variants[0].digest != batch.variants[1].digest
    # ids: content addressed, stable, and different for every input that matters
    v = batch.variants[0]
    rid = run_id(v.digest, "none", 0, 7, batch.version)
    assert rid == run_id(v.digest, "none", 0, 7, batch.version)
    assert len({rid, run_id(v.digest, "none", 1, 7, batch.version),
                run_id(v.digest, "none", 0, 8, batch.version),
                run_id(v.digest, "x", 0, 7, batch.version),
                run_id(v.digest, "none", 0, 7, "9.9"),
                run_id(batch.variants[1].digest, "none", 0, 7, batch.version)}) == 6


def test_default_seed_is_the_scenarios(tmp_path):
    batch = load_spec(write_spec(tmp_path, scenarios=[str(TINY)]))
    assert batch.variants[0].seed == 1 and batch.variants[0].label == "tiny"
    assert batch.daily_every is None


def test_schema_errors_are_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\n"
                    f"scenarios: [{TINY}]\n"
                    "replications: 0\n"
                    "tables: {daily: {every: 0}}\n"
                    "colour: red\n")
    problems = _problems(path)
    assert (f"{path}:3: replications: invalid value 0 (expected a whole number > 0 and "
            f"<= 100,000)") in problems
    assert any(p.startswith(f"{path}:4: tables.daily.every:") for p in problems)
    assert any(p.startswith(f"{path}:5: colour: unknown key 'colour'") for p in problems)


def test_override_and_sweep_errors_point_at_the_spec(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "scenarios:\n"
        f"  - name: v\n    base: {TINY}\n    overrides:\n"
        "      fleets.road.units: -1\n"          # line 5
        "      fleets.road.seatz: 3\n"           # line 6
        f"  - {tmp_path / 'missing.yaml'}\n"    # line 7
        "policies: [none, iraq_alone]\n"         # line 8
        "replications: 2\n"
        "sweep:\n"
        "  escapes.base_hazard_per_day.camp:\n"
        "    - 0.01\n"
        "    - -0.5\n")                          # line 13
    problems = _problems(path)
    assert any(p.startswith(f"{path}:5: scenarios.0.overrides.fleets.road.units: invalid value "
                            f"-1") for p in problems)
    assert any(p.startswith(f"{path}:6: scenarios.0.overrides.fleets.road.seatz: unknown key")
               for p in problems)
    assert any(p.startswith(f"{path}:7: scenarios.1: scenario file") and "not found" in p
               for p in problems)
    assert any(p.startswith(f"{path}:13: sweep.escapes.base_hazard_per_day.camp: invalid value "
                            f"-0.5") for p in problems)


def test_unknown_policy(tmp_path):
    spec = write_spec(tmp_path, policies=["none", "iraq_alone"])
    problems = _problems(spec)
    assert any("policies.1: scenario 'tiny' has no policy 'iraq_alone' (expected one of: none)"
               in p for p in problems), problems


def test_duplicates_are_refused(tmp_path):
    spec = write_spec(tmp_path, scenarios=[str(TINY), str(TINY)],
                      sweep={"fleets.road.units": [1, 1]})
    problems = _problems(spec)
    assert any("duplicate scenario name 'tiny'" in p for p in problems)
    assert any("value 1 listed twice" in p for p in problems)
    same = write_spec(tmp_path, "same.yaml", scenarios=[
        str(TINY), {"name": "copy", "base": str(TINY), "overrides": {"fleets.road.units": 2}}])
    assert any("is the same scenario as 'tiny'" in p for p in _problems(same))


@pytest.mark.parametrize("text, expected", [
    ("", "the file has no content"),
    ("- a\n- b\n", "the top level is not a mapping"),
    ("scenarios: x.yaml\nreplications: 2\n", "scenarios: invalid value 'x.yaml' (expected a list)"),
])
def test_malformed_specs(tmp_path, text, expected):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    assert any(expected in p for p in _problems(path))


def test_shipped_specs_are_valid():
    from tests.batch.helpers import ROOT

    for name in ("policies.yaml", "fleet_sweep.yaml"):
        batch = load_spec(ROOT / "scenarios" / "batches" / name)
        assert batch.run_count() > 0
    assert load_spec(ROOT / "scenarios" / "batches" / "policies.yaml").replications >= 100
