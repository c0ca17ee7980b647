"""The wording of problems: one message per field, saying what is wrong and what was
expected, in the words of the YAML file rather than pydantic's."""

from __future__ import annotations

import pytest

from sim.scenario import ScenarioError, load_scenario
from tests.scenario.test_loader import TINY


def _problems(**overrides) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(TINY, overrides={k.replace("__", "."): v for k, v in overrides.items()})
    return info.value.problems


def _one(**overrides) -> str:
    problems = _problems(**overrides)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return f"{problems[0].path}: {problems[0].message}"


DAY_OR_DATE = "(expected a date written YYYY-MM-DD or a day number (0 = start_date))"


@pytest.mark.parametrize("value, message", [
    ("2026-13-40", "invalid date '2026-13-40': month value is outside expected range of 1-12 "
                   + DAY_OR_DATE),
    ("2026-02-30", "invalid date '2026-02-30': day value is outside expected range " + DAY_OR_DATE),
    ("2026-1-4", "invalid date '2026-1-4': month and day take two digits (e.g. 2026-01-04) "
                 + DAY_OR_DATE),
    ("next week", "invalid value 'next week' " + DAY_OR_DATE),
    (-3, "invalid value -3 " + DAY_OR_DATE),
    (2.5, "invalid value 2.5 " + DAY_OR_DATE),
    (None, "empty value " + DAY_OR_DATE),
    ([1], "got a list " + DAY_OR_DATE),
])
def test_day_or_date_gives_one_clear_message(value, message):
    assert _one(dispositions__0__start=value) == f"dispositions.0.start: {message}"


def test_a_date_field_that_takes_only_dates():
    assert _one(metadata__start_date="2026-13-40") == (
        "metadata.start_date: invalid date '2026-13-40': month value is outside expected range "
        "of 1-12 (expected a date written YYYY-MM-DD, on or before 9989-12-31)")
    assert _one(metadata__start_date="soon") == (
        "metadata.start_date: invalid value 'soon' (expected a date written YYYY-MM-DD, "
        "on or before 9989-12-31)")


def test_impossible_date_in_yaml_text_is_reported_not_crashed(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {TINY}\nmetadata:\n  start_date: 2026-02-30\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    (p,) = info.value.problems
    assert (p.line, p.path) == (3, "metadata.start_date")
    assert p.message.startswith("invalid date '2026-02-30'")


@pytest.mark.parametrize("overrides, message", [
    ({"fleets__road__units": "many"}, "fleets.road.units: invalid value 'many' "
                                      "(expected a whole number >= 0 and <= 1,000,000,000)"),
    ({"fleets__road__seats": 12.5}, "fleets.road.seats: invalid value 12.5 "
                                    "(expected a whole number > 0 and <= 1,000,000,000)"),
    ({"sites__camp__capacity": -5}, "sites.camp.capacity: invalid value -5 "
                                    "(expected a whole number > 0 and <= 1,000,000,000)"),
    ({"metadata__horizon_days": 99999}, "metadata.horizon_days: invalid value 99999 "
                                        "(expected a whole number > 0 and <= 3650)"),
    ({"conflict__effects": {"fighting": {"travel_time": 0}}},
     "conflict.effects.fighting.travel_time: invalid value 0 (expected a number > 0 and "
     "<= 1000)"),
    ({"sites__camp__lat": 91}, "sites.camp.lat: invalid value 91 "
                               "(expected a number >= -90 and <= 90)"),
    ({"countries": ["IRQ"]}, "countries: got a list (expected a mapping (key: value))"),
    ({"metadata__name": ""}, "metadata.name: invalid name '': it is empty (expected one line "
                             "of text, not empty, no spaces around it, at most 200 characters)"),
    ({"dispositions": []}, "dispositions: empty list (expected at least 1 entry)"),
    ({"sites__camp__kind": "jail"}, "sites.camp.kind: invalid value 'jail' "
                                    "(expected one of: 'prison', 'camp')"),
    ({"fleets__road__mode": None},
     "fleets.road.mode: empty value (expected one of: 'road', 'air')"),
    ({"fleets__road__escorts_per_trip": {"extreme": 3}},
     "fleets.road.escorts_per_trip.extreme: unknown key 'extreme' "
     "(expected one of: 'high', 'medium', 'low')"),
    ({"conflict__effects": {"war": {}}},
     "conflict.effects.war: unknown key 'war' (expected one of: 'ceasefire', 'fighting')"),
    ({"countries__IRQ__indicators": {None: 1}},
     "countries.IRQ.indicators.None: invalid key None (expected a name written as text)"),
    ({"dispositions__0__sites": "camp"}, "dispositions.0.sites: invalid value 'camp' "
                                         "(expected a list or '*')"),
    ({"dispositions__0__sites": ["camp", 7]}, "dispositions.0.sites.1: invalid value 7 "
                                              "(expected text)"),
    ({"fleets__road__load_time": 3}, "fleets.road.load_time: invalid value 3 (expected a "
     "distribution, e.g. {dist: fixed, value: 1} or {dist: lognormal, mean: 2, sd: 1})"),
    ({"fleets__road__load_time": {"dist": "weibull"}}, "fleets.road.load_time.dist: unknown "
     "distribution 'weibull' (expected one of: fixed, uniform, triangular, exponential, "
     "lognormal, gamma, beta)"),
    ({"fleets__road__load_time": {"mean": 1}}, "fleets.road.load_time: 'dist' is missing "
     "(expected dist: one of fixed, uniform, triangular, exponential, lognormal, gamma, beta)"),
    ({"fleets__road__load_time": {"dist": "gamma", "mean": 1}},
     "fleets.road.load_time.sd: required field 'sd' is missing (expected a number > 0 and "
     "<= 36500)"),
    ({"fleets__road__load_time": {"dist": "gamma", "mean": 1, "sd": 1, "shape": 2}},
     "fleets.road.load_time.shape: unknown key 'shape' (expected one of: dist, mean, sd)"),
    ({"fleets__road__wheels": 4}, "fleets.road.wheels: unknown key 'wheels' (expected one of: "
     "mode, units, seats, escorts_per_trip, load_time, turnaround, cost_per_trip, cost_per_km, "
     "incident_probability, incident_delay, min_load)"),
    ({"sites__camp__closures": [{"start": "2026-01-10", "end": 5}]},
     "sites.camp.closures.0.end: end 5 (day 5) is not after start 2026-01-10 (day 9) "
     "(expected end after start)"),
    ({"routes__0__via": None}, "routes.0.via: a road route must name the border crossing it "
                               "uses (expected via: one of rabia)"),
])
def test_messages(overrides, message):
    assert _one(**overrides) == message


def test_missing_section_says_what_it_holds():
    problems = _problems(escapes=None)
    assert [f"{p.path}: {p.message}" for p in problems] == [
        "escapes: empty value (expected a mapping with base_hazard_per_day (see `sim schema`))"]


def test_no_pydantic_jargon_in_any_message():
    problems = _problems(metadata={"name": 5, "start_date": [], "horizon_days": "x", "bad": 1},
                         sites__camp__controller=[{"start": {}, "controller": 1}],
                         fleets__road__load_time={"dist": 1})
    assert len(problems) >= 6
    for p in problems:
        assert p.message and "Input should" not in p.message, p
        for jargon in ("constrained-int", "[key]", "union_tag", "model_type", "dictionary",
                       "Value error", "literal_error"):
            assert jargon not in p.message and jargon not in p.path, p


@pytest.mark.parametrize("overrides, hint", [
    ({"fleets__road__unit": 3}, "did you mean 'units'?"),
    ({"categories__adult__guards_per100": 1}, "did you mean 'guards_per_100'?"),
    ({"routes__0__fleet": "raod"}, "did you mean 'road'?"),
])
def test_misspelt_names_get_a_suggestion(overrides, hint):
    assert _one(**overrides).endswith(f"; {hint})")
