"""Loading scenarios: extends (deep merge), overrides by dotted path, digest, dump, schema."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    dump_scenario,
    load_scenario,
    scenario_digest,
    scenario_from_dict,
    scenario_json_schema,
    scenario_to_dict,
)
from sim.scenario.distributions import Fixed, Lognormal, Uniform
from sim.scenario.yamlio import deep_merge, parse_yaml, read_yaml

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"


@pytest.fixture
def tmp_tiny(tmp_path) -> Path:
    """A copy of tiny.yaml in a temporary folder, for children that extend it."""
    shutil.copy(TINY, tmp_path / "tiny.yaml")
    return tmp_path / "tiny.yaml"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- extends
def test_tiny_is_valid():
    scn = load_scenario(TINY)
    assert isinstance(scn, Scenario)
    assert scn.metadata.name == "tiny" and scn.total_population == 200


def test_extends_merges_mappings_key_by_key(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", """extends: tiny.yaml
metadata: {name: child}
fleets:
  road: {units: 7}
categories:
  adult: {upkeep_per_day: 12}
""")
    base, scn = load_scenario(tmp_tiny), load_scenario(child)
    assert scn.metadata.name == "child"
    assert scn.metadata.horizon_days == base.metadata.horizon_days  # kept from the base
    assert scn.fleets["road"].units == 7
    assert scn.fleets["road"].seats == base.fleets["road"].seats
    assert scn.categories["adult"].upkeep_per_day == 12
    assert scn.categories["adult"].security_level == "high"
    assert scn.categories["adult"].guards_per_100 == 5
    assert set(scn.categories) == {"adult", "child"}


def test_extends_replaces_lists(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", """extends: tiny.yaml
sites:
  camp:
    controller: [{start: 0, controller: SDF}, {start: 30, controller: SDF2}]
controllers:
  SDF2: {name: Someone else}
routes:
  - {origin: camp, destination: centre, fleet: road, via: rabia, distance_km: 99,
     travel_time: {dist: fixed, value: 1}}
dispositions:
  - {action: stay, categories: [child]}
  - {action: transfer, destination: centre}
""")
    scn = load_scenario(child)
    assert [p.controller for p in scn.sites["camp"].controller] == ["SDF", "SDF2"]
    assert len(scn.routes) == 1 and scn.routes[0].distance_km == 99
    assert [d.action for d in scn.dispositions] == ["stay", "transfer"]
    assert set(scn.controllers) == {"SDF", "SDF2"}  # mappings still merge


def test_extends_replaces_a_distribution_of_another_kind(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", """extends: tiny.yaml
fleets:
  road:
    load_time: {dist: uniform, low: 0.1, high: 0.2}
    turnaround: {value: 0.25}
""")
    road = load_scenario(child).fleets["road"]
    assert road.load_time == Uniform(dist="uniform", low=0.1, high=0.2)
    assert road.turnaround == Fixed(dist="fixed", value=0.25)  # same kind: merged


def test_extends_chain_and_relative_paths(tmp_tiny):
    mid = _write(tmp_tiny.parent / "variants" / "mid.yaml",
                 "extends: ../tiny.yaml\nmetadata: {name: mid, seed: 5}\n")
    top = _write(tmp_tiny.parent / "variants" / "deeper" / "top.yaml",
                 "extends: ../mid.yaml\nmetadata: {name: top}\n")
    scn = load_scenario(top)
    assert (scn.metadata.name, scn.metadata.seed) == ("top", 5)
    assert load_scenario(mid).metadata.name == "mid"


def test_extends_key_is_not_part_of_the_scenario(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", "extends: tiny.yaml\n")
    assert scenario_to_dict(load_scenario(child)) == scenario_to_dict(load_scenario(tmp_tiny))


def test_problem_in_a_replaced_list_points_into_the_child(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", """extends: tiny.yaml
routes:
  - origin: camp
    destination: centre
    via: rabia
    distance_km: 250
    travel_time: {dist: fixed, value: 0.5}
""")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (p,) = info.value.problems
    assert (Path(p.file).name, p.line, p.path) == ("child.yaml", 3, "routes.0.fleet")
    assert "required field 'fleet' is missing" in p.message


def test_problem_in_an_inherited_value_points_into_the_parent(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", "extends: tiny.yaml\nfleets: {boat: {}}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert all(Path(p.file).name == "child.yaml" for p in info.value.problems)
    assert {p.path for p in info.value.problems} >= {"fleets.boat.mode", "fleets.boat.seats"}


def test_every_problem_is_reported_at_once(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml", """extends: tiny.yaml
fleets: {road: {units: -1, seats: 0}}
sites: {camp: {capacity: lots}}
""")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert [(p.line, p.path) for p in info.value.problems] == [
        (3, "sites.camp.capacity"), (2, "fleets.road.units"), (2, "fleets.road.seats")]
    assert str(info.value).startswith("3 problems in the input:\n")


def test_deep_merge_unit():
    base = {"a": {"b": 1, "c": [1, 2], "d": {"dist": "fixed", "value": 1}}, "e": 1}
    over = {"a": {"c": [3], "d": {"dist": "gamma", "mean": 2, "sd": 1}, "f": None}}
    before = copy.deepcopy((base, over))
    out = deep_merge(base, over)
    assert out == {"a": {"b": 1, "c": [3], "d": {"dist": "gamma", "mean": 2, "sd": 1},
                         "f": None}, "e": 1}
    assert (base, over) == before  # inputs untouched
    out["a"]["c"].append(4)
    assert over["a"]["c"] == [3]  # no shared structure
    assert deep_merge({"x": {"dist": "fixed", "value": 1}}, {"x": {"value": 2}}) == {
        "x": {"dist": "fixed", "value": 2}}


def test_missing_file_and_directory(tmp_path):
    for target, words in ((tmp_path / "nope.yaml", "file not found"),
                          (tmp_path, "directory")):
        with pytest.raises(ScenarioError) as info:
            load_scenario(target)
        assert words in str(info.value)


def test_zero_byte_file(tmp_path):
    empty = _write(tmp_path / "empty.yaml", "")
    with pytest.raises(ScenarioError, match="no content"):
        load_scenario(empty)


def test_yaml_locations_are_line_numbers():
    data, locs = read_yaml(TINY)
    lines = TINY.read_text().splitlines()
    for path, (file, line) in locs.items():
        assert file == str(TINY)
        if path and isinstance(path[-1], str):
            assert path[-1] in lines[line - 1], (path, line)


def test_parse_yaml_keeps_an_impossible_date_as_text():
    data, _ = parse_yaml("a: 2026-02-30\nb: 2026-02-28\n", "x.yaml")
    assert data == {"a": "2026-02-30", "b": dt.date(2026, 2, 28)}


# ----------------------------------------------------------------------------- overrides
def test_overrides_by_dotted_path():
    scn = load_scenario(TINY, overrides={
        "fleets.road.units": 7, "routes.0.distance_km": 99.5, "metadata.name": "over",
        "costs.currency": "EUR", "sites.camp.population.IRQ.adult": 5,
        "destinations.centre.stay": {"dist": "lognormal", "mean": 30, "sd": 10},
    })
    assert scn.fleets["road"].units == 7
    assert scn.routes[0].distance_km == 99.5
    assert scn.metadata.name == "over"
    assert scn.costs.currency == "EUR"
    assert scn.sites["camp"].population["IRQ"] == {"adult": 5, "child": 100}
    assert scn.destinations["centre"].stay == Lognormal(dist="lognormal", mean=30, sd=10)


def test_override_replaces_rather_than_merges():
    scn = load_scenario(TINY, overrides={"sites.camp.population": {"SYR": {"adult": 3}}})
    assert scn.sites["camp"].population == {"SYR": {"adult": 3}}


def test_overrides_apply_after_extends(tmp_tiny):
    child = _write(tmp_tiny.parent / "child.yaml",
                   "extends: tiny.yaml\nfleets: {road: {units: 3}}\n")
    assert load_scenario(child, overrides={"fleets.road.units": 9}).fleets["road"].units == 9


def test_bad_override_value_names_the_override():
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY, overrides={"fleets.road.units": -1})
    (p,) = info.value.problems
    assert p.path == "fleets.road.units" and "invalid value -1" in p.message
    assert "[override fleets.road.units]" in p.file and p.line is None


@pytest.mark.parametrize("key, words", [
    ("routes.5.distance_km", "does not exist at '5'"),
    ("routes.9", "out of range"),
    ("metadata.name.first", "override path goes into"),
])
def test_bad_override_path(key, words):
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY, overrides={key: 1})
    (p,) = info.value.problems
    assert p.path == key and words in p.message


def test_apply_overrides_does_not_change_its_input():
    data, _ = read_yaml(TINY)
    before = copy.deepcopy(data)
    out = apply_overrides(data, {"fleets.road.units": 1, "sites.camp.population.IRQ.adult": 1},
                          "tiny.yaml")
    assert data == before
    assert out["fleets"]["road"]["units"] == 1


# ----------------------------------------------------------------------------- digest, dump
def test_digest_is_stable():
    a, b = load_scenario(TINY), load_scenario(TINY)
    assert scenario_digest(a) == scenario_digest(b)
    assert len(scenario_digest(a)) == 64 and int(scenario_digest(a), 16) >= 0


def test_digest_ignores_layout_and_key_order(tmp_path):
    data, _ = read_yaml(TINY)
    shuffled = dict(reversed(list(data.items())))
    shuffled["fleets"] = {"road": dict(reversed(list(data["fleets"]["road"].items())))}
    path = _write(tmp_path / "shuffled.yaml",
                  "# same content, other order and style\n" + yaml.safe_dump(shuffled))
    assert scenario_digest(load_scenario(path)) == scenario_digest(load_scenario(TINY))


@pytest.mark.parametrize("key, value", [
    ("fleets.road.units", 3), ("metadata.seed", 2), ("metadata.name", "tiny2"),
    ("routes.0.travel_time.value", 0.5000001), ("escapes.base_hazard_per_day.camp", 1e-9),
])
def test_digest_changes_with_content(key, value):
    assert scenario_digest(load_scenario(TINY, overrides={key: value})) != \
        scenario_digest(load_scenario(TINY))


def test_digest_counts_explicit_defaults_as_the_same_content():
    explicit = load_scenario(TINY, overrides={"metadata.description": "", "routes": [
        {"origin": "camp", "destination": "centre", "fleet": "road", "via": "rabia",
         "distance_km": 250, "travel_time": {"dist": "fixed", "value": 0.5},
         "closed_when_fighting": False}]})
    assert scenario_digest(explicit) == scenario_digest(load_scenario(TINY))


RICH = {
    "metadata.description": "every section, dates and distributions",
    "destinations.centre.stay": {"dist": "gamma", "mean": 120, "sd": 40},
    "fleets.road.incident_delay": {"dist": "triangular", "low": 0.1, "mode": 0.5, "high": 2},
    "fleets.road.incident_probability": 0.05,
    "sites.camp.closures": [{"start": "2026-01-10", "end": 12}],
    "conflict": {
        "timeline": [{"kind": "crossing_closed", "crossing": "rabia", "start": "2026-01-05",
                      "end": "2026-01-07", "note": "storm"},
                     {"kind": "fighting", "start": 20, "end": 25}],
        "process": {"ceasefire_duration": {"dist": "exponential", "mean": 30},
                    "fighting_duration": {"dist": "lognormal", "mean": 5, "sd": 2}},
        "effects": {"fighting": {"escape": 3, "travel_time": 1.5}},
    },
    "escapes.mass_breakout": {"rate_per_year": 0.1, "fraction": {"dist": "beta", "a": 2, "b": 20}},
    "escapes.recapture": {"probability": 0.3},
    "acceptance": {"total": 150, "caps": [{"period_days": 7, "max_people": 50}]},
    "repatriation": [{"country": "SYR", "start": 5, "every_days": 10, "batch_size": 3}],
    "observed": [{"date": "2026-01-20", "transferred": 40, "source": "press"}],
}


@pytest.mark.parametrize("overrides", [{}, RICH], ids=["tiny", "rich"])
def test_dump_round_trips(tmp_path, overrides):
    scn = load_scenario(TINY, overrides=overrides)
    text = dump_scenario(scn)
    path = _write(tmp_path / "dumped.yaml", text)
    again = load_scenario(path)
    assert again == scn
    assert scenario_digest(again) == scenario_digest(scn)
    assert dump_scenario(again) == text
    assert scenario_from_dict(scenario_to_dict(scn)) == scn


def test_dates_and_day_numbers_both_work():
    scn = load_scenario(TINY, overrides=RICH)
    ev = scn.conflict.timeline[0]
    assert (scn.day(ev.start), scn.day(ev.end)) == (4, 6)
    assert scn.day(scn.sites["camp"].closures[0].end) == 12


# ----------------------------------------------------------------------------- JSON Schema
def _schema_from_cli(tmp_path=None) -> dict:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sim_schema_prints_a_json_schema_with_every_section():
    schema = _schema_from_cli()
    assert schema == json.loads(json.dumps(scenario_json_schema()))
    sections = {f.alias or name for name, f in Scenario.model_fields.items()}
    assert sections | {"extends"} <= set(schema["properties"])
    assert {"metadata", "sites", "fleets", "routes", "conflict", "policies"} <= sections
    assert set(schema["required"]) >= {"metadata", "sites", "escapes"}
    assert schema.get("additionalProperties") is False


def test_sim_schema_is_valid_and_accepts_tiny(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema_from_cli()
    jsonschema.Draft202012Validator.check_schema(schema)
    data, _ = read_yaml(TINY)
    as_json = json.loads(json.dumps(data, default=str))  # dates as ISO text, like the editor
    jsonschema.validate(as_json, schema)
    bad = copy.deepcopy(as_json)
    bad["fleets"]["road"]["wheels"] = 4
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_sim_schema_out_file(tmp_path):
    out = tmp_path / "scenario.schema.json"
    result = CliRunner().invoke(app, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["title"] == "Scenario"
