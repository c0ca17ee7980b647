"""Hostile inputs beyond the bad-input corpus: conflict spells that never end, files too
large, too deep or not files at all, names that would print lines of their own, seeds at the
store's limit, and scenarios too big for the model's memory."""

from __future__ import annotations

import os
import threading
import time
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.batch import load_spec, open_results, run_batch
from sim.cli import app
from sim.model.conflict import Conflict
from sim.rng import Streams
from sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from sim.scenario.base import MAX_DAYS, MAX_REPLICATIONS, MAX_SEED, MIN_SPELL_DAYS
from sim.scenario.checks import MAX_CELLS, most_trips
from sim.scenario.loader import apply_overrides
from sim.scenario.yamlio import MAX_BYTES, MAX_DEPTH, read_yaml

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny.yaml"
CORPUS = DATA / "bad_scenarios"
BASELINE = DATA.parents[1] / "scenarios" / "baseline.yaml"


def _problems(path, **kw) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **kw)
    return info.value.problems


# ----------------------------------------------------------------------------- 1. hangs
EDGE = st.sampled_from([0.0, 5e-324, 1e-12, 1e-3, 0.5, 0.69, 1.0, 1.5, 2.0, 30.0, 1000.0,
                        36_500.0])
SPELLS = st.one_of(
    st.builds(lambda v: {"dist": "fixed", "value": v}, EDGE),
    st.builds(lambda a, b: {"dist": "uniform", "low": min(a, b), "high": max(a, b)}, EDGE, EDGE),
    st.builds(lambda m: {"dist": "exponential", "mean": m}, EDGE),
    st.builds(lambda m, s: {"dist": "lognormal", "mean": m, "sd": s}, EDGE, EDGE),
    st.builds(lambda m, s: {"dist": "gamma", "mean": m, "sd": s}, EDGE, EDGE),
    st.builds(lambda a, b, c: dict(zip(("low", "mode", "high"), sorted((a, b, c))),
                                   dist="triangular"), EDGE, EDGE, EDGE),
)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(SPELLS, SPELLS)
def test_accepted_conflict_spells_switch_a_bounded_number_of_times(ceasefire, fighting):
    """Every alternation the schema accepts has spells with a median of at least a day, so
    over the longest horizon it switches at most about twice a day (here: 3 x days, far
    beyond its expected 2 x days); a refused one is refused at the spell's line."""
    process = {"ceasefire_duration": ceasefire, "fighting_duration": fighting}
    try:
        scn = load_scenario(TINY, overrides={"conflict.process": process,
                                             "metadata.horizon_days": MAX_DAYS})
    except ScenarioError as exc:
        for p in exc.problems:
            assert p.path.startswith("conflict.process."), p
            assert "expected" in p.message, p
        return
    # the spells as the model draws them (one uniform each from stream ``conflict``), counted
    # with a budget, so that a distribution that slipped through fails instead of hanging
    budget = 3 * MAX_DAYS / MIN_SPELL_DAYS
    streams, t, n, state = Streams(7, 0), 0.0, 0, scn.conflict.process.initial
    while t < MAX_DAYS and n <= budget:
        dist = scn.conflict.process.ceasefire_duration if state == "ceasefire" \
            else scn.conflict.process.fighting_duration
        t += max(float(dist.ppf(streams.uniform("conflict"))), 1e-6)
        n += 1
        state = "fighting" if state == "ceasefire" else "ceasefire"
    assert n <= budget, f"{n} switches by day {t:.3g}"
    conflict = Conflict(types.SimpleNamespace(scenario=scn, horizon=MAX_DAYS), Streams(7, 0))
    assert len(conflict.switches) == n  # the model draws the same spells


def test_the_spell_bound_is_on_the_median_not_the_mean():
    # a gamma with a mean of 5 days but almost all of its mass near 0 would switch the
    # state about 10^4 times a day: its mean passes any bound, its median does not
    (p,) = _problems(CORPUS / "conflict_spell_mass_at_zero.yaml")
    assert p.path == "conflict.process.ceasefire_duration" and "median" in p.message


# ----------------------------------------------------------------------------- 2. seeds
def test_the_largest_seed_runs_and_is_stored(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"scenarios: [{TINY}]\nreplications: 2\nseed: {MAX_SEED}\n")
    res = run_batch(load_spec(spec), tmp_path / "out", workers=0, progress=False)
    assert (res.summary.computed, res.summary.failed) == (2, 0)
    assert set(open_results(tmp_path / "out").kpis["seed"]) == {MAX_SEED}


def test_a_seed_one_above_the_largest_is_refused_at_its_line(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"scenarios: [{TINY}]\nreplications: 2\nseed: {MAX_SEED + 1}\n")
    with pytest.raises(ScenarioError) as info:
        load_spec(spec)
    (p,) = info.value.problems
    assert (p.line, p.path) == (3, "seed") and "9,223,372,036,854,775,807" in p.message


# ----------------------------------------------------------------------------- 4. sizes
def test_a_huge_file_is_refused_before_parsing_with_its_line(tmp_path):
    big = tmp_path / "big.yaml"
    line = "k{:07d}: 1\n"
    n = MAX_BYTES // len(line.format(0)) + 1000  # ~200,000 keys, just past the limit
    big.write_text("".join(line.format(i) for i in range(n)))
    start = time.perf_counter()
    (p,) = _problems(big)
    assert time.perf_counter() - start < 1.0  # not parsed: refused at once
    assert p.message.startswith("file too large") and "expected" in p.message
    assert p.line == MAX_BYTES // len(line.format(0)) + 1


def test_a_50_mb_file_is_refused_at_once(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:  # 50 MB (sparse: no line breaks, so the problem is on line 1)
        f.truncate(50 * 1024 * 1024)
    start = time.perf_counter()
    (p,) = _problems(big)
    assert time.perf_counter() - start < 1.0 and p.line == 1
    assert p.message == (f"file too large: it passes 2 MiB at line 1 (expected a scenario or "
                         f"spec of at most {MAX_BYTES:,} bytes)")


def test_deep_nesting_through_aliases_is_located(tmp_path):
    # each anchor nests the previous one two levels deeper than the text shows
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [[*a{i - 1}]]" for i in range(1, 40)]
    deep = tmp_path / "deep.yaml"
    deep.write_text("\n".join(lines) + "\n")
    (p,) = _problems(deep)
    assert p.message.startswith(f"nesting too deep: more than {MAX_DEPTH} levels")
    assert p.line is not None and 1 <= p.line <= len(lines)


def _refuses_within(seconds: float, fn) -> ScenarioError:
    """``fn()`` raises ScenarioError without blocking (a pipe would block a plain read)."""
    out: list = []

    def call():
        try:
            fn()
        except ScenarioError as exc:
            out.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, "blocked, or did not refuse"
    return out[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_not_read(tmp_path):
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    (p,) = _refuses_within(5, lambda: read_yaml(pipe)).problems
    assert "is not a regular file" in p.message and "expected a YAML file" in p.message
    child = tmp_path / "child.yaml"
    child.write_text("# a child\nextends: pipe.yaml\n")
    (p,) = _refuses_within(5, lambda: load_scenario(child)).problems
    assert (p.line, p.path) == (2, "extends") and "'pipe.yaml' is not a regular file" in p.message
    (p,) = _refuses_within(5, lambda: load_spec(pipe)).problems
    assert "is not a regular file" in p.message


def test_extends_of_a_directory_says_so():
    (p,) = _problems(CORPUS / "extends_directory.yaml")
    assert "is a directory" in p.message and "not found" not in p.message


def _data(countries: int, categories: int, horizon: int) -> dict:
    scn = load_scenario(TINY, overrides={"metadata.horizon_days": horizon})
    from sim.scenario import scenario_to_dict

    data = scenario_to_dict(scn)
    data["countries"] = {f"C{i}": {"name": f"Country {i}"} for i in range(countries)}
    data["categories"] = {f"k{j}": {"security_level": "low"} for j in range(categories)}
    data["sites"]["camp"]["population"] = {
        f"C{i}": {f"k{j}": 1 for j in range(categories)} for i in range(countries)}
    data["controllers"]["SDF"]["backers"] = {"C0": 1.0}
    return data


def test_a_model_too_big_for_memory_is_refused():
    # 3651 days x 2 places x 2800 groups: more numbers per daily array than MAX_CELLS
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(_data(56, 50, MAX_DAYS))
    (p,) = info.value.problems
    assert p.path == "sites" and "daily record" in p.message and f"{MAX_CELLS:,}" in p.message
    assert scenario_from_dict(_data(56, 50, 60)).total_population == 2800  # 60 days: fine


# ----------------------------------------------------------------------------- 10. messages
def test_a_late_start_date_gives_one_problem_not_a_bogus_ordering_one(tmp_path):
    child = tmp_path / "late.yaml"
    child.write_text(f"extends: {BASELINE}\nmetadata:\n  start_date: 9999-12-01\n")
    (p,) = _problems(child)  # formerly also "controller periods are not in order"
    assert (p.line, p.path) == (3, "metadata.start_date") and "9989-12-31" in p.message
    (p,) = _problems(CORPUS / "start_date_year_9999.yaml")
    assert "ValueError" not in p.message


NEWLINE_NAMES = ["name_with_newline.yaml", "id_of_spaces.yaml", "id_with_separator.yaml"]


@pytest.mark.parametrize("name", NEWLINE_NAMES)
def test_no_problem_prints_a_line_of_its_own(name):
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / name)
    lines = str(info.value).splitlines()
    assert len(lines) == len(info.value.problems) + (len(info.value.problems) > 1)
    assert all(line.startswith(str(CORPUS / name)) for line in lines[-1:])
    result = CliRunner().invoke(app, ["validate", str(CORPUS / name)])
    assert result.exit_code == 2
    assert not any(line.startswith("fake.yaml") for line in result.stderr.splitlines())


KEYS = st.text(st.sampled_from("ab :>.\n\t\r\x85\u2028 "), min_size=0, max_size=6)


TINY_DATA = load_scenario(TINY).model_dump(mode="json", by_alias=True)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(KEYS, st.sampled_from(["sites", "countries", "fleets", "crossings", "categories",
                              "destinations", "controllers"]), st.booleans())
def test_odd_names_are_refused_on_one_line_each(key, section, as_name):
    """An id with spaces around it, a line break, an invisible character, ':', '>' or '.',
    and a name (people read) that is empty, on more than one line or with spaces around it,
    are refused; every problem prints on one line (a key with a line break cannot forge a
    ``file:line:`` line)."""
    first = next(iter(TINY_DATA[section]))
    is_name = as_name and "name" in TINY_DATA[section][first]
    if is_name:
        overrides = {f"{section}.{first}.name": key}
    else:
        overrides = {section: {**TINY_DATA[section], key: TINY_DATA[section][first]}}
    try:
        scenario_from_dict(apply_overrides(TINY_DATA, overrides, "tiny.yaml"))
    except ScenarioError as exc:
        text = str(exc)
        assert len(text.splitlines()) == len(exc.problems) + (len(exc.problems) > 1), text
        return
    assert key and key.strip() == key and key.isprintable()
    assert is_name or not set(key) & set(":>.")


def test_bad_ids_in_rule_parameters_are_refused_where_they_are():
    problems = _problems(TINY, overrides={"policies": {"p": {"rule": "fixed", "params": {
        "shares": {"IRQ": 0.5, "SYR\n": 0.5}}}}})
    assert [p.path for p in problems] == ["policies.p.params.shares.'SYR\\n'"]
    assert "line break" in problems[0].message


def test_a_key_that_is_a_boolean_number_is_still_named():
    # true as a payer share (YAML 'yes'): refused like any other number
    (p,) = _problems(TINY, overrides={"policies": {"p": {"rule": "fixed", "params": {
        "shares": {"IRQ": True}}}}})
    assert p.path == "policies.p.params.shares.IRQ" and p.message.startswith("got true")


def test_overrides_keep_working_with_plain_numbers():
    scn = load_scenario(TINY, overrides={"fleets.road.units": 3, "fleets.road.cost_per_km": 4,
                                         "metadata.seed": MAX_SEED})
    assert (scn.fleets["road"].units, scn.fleets["road"].cost_per_km) == (3, 4.0)
    assert apply_overrides({"a": 1}, {"a": 2}, "x") == {"a": 2}


@pytest.mark.parametrize("args", [["run", str(TINY), "--seed", str(MAX_SEED + 1)],
                                  ["run", str(TINY), "-n", str(MAX_REPLICATIONS + 1)],
                                  ["validate-history", str(TINY), "--seed", "-1"]])
def test_the_command_line_keeps_the_schema_bounds(args, tmp_path):
    # a seed or a replication count from the command line meets the bounds of the schema
    # (formerly: every run failed on a 70-bit seed; 10**12 replications grew without end)
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o")]
                                if args[0] == "run" else args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_command_line_bounds_are_the_schema_bounds():
    import typer.main

    from sim.batch.spec import MAX_RUNS

    command = typer.main.get_command(app)
    for name, option, bound in [("run", "seed", MAX_SEED), ("validate-history", "seed", MAX_SEED),
                                ("run", "replications", MAX_REPLICATIONS),
                                ("validate-history", "replications", MAX_REPLICATIONS),
                                ("batch", "replications", MAX_REPLICATIONS),
                                ("batch", "max_replications", MAX_REPLICATIONS)]:
        (param,) = [p for p in command.commands[name].params if p.name == option]
        assert param.max == bound, (name, option)
    assert MAX_RUNS == 1_000_000


def test_more_replications_than_a_batch_may_plan_are_refused(tmp_path):
    from sim.errors import OutputError

    spec = tmp_path / "spec.yaml"
    spec.write_text(f"scenarios: [{TINY}]\nreplications: 2\nsweep:\n"
                    f"  fleets.road.units: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n")
    with pytest.raises(OutputError, match="1,100,000 runs"):
        run_batch(spec, tmp_path / "out", replications=MAX_REPLICATIONS, workers=0,
                  progress=False)
    with pytest.raises(OutputError, match="from 1 to 100,000"):
        run_batch(spec, tmp_path / "out", replications=10**12, workers=0, progress=False)
    assert not (tmp_path / "out").exists()


def test_no_infinite_number_even_in_a_free_rule_s_parameters():
    # a registered rule without a parameter schema gets its params as written: they are
    # still checked for .inf and .nan, at their place
    from sim.rules.registry import register_rule, unregister_rule

    register_rule("test_free_rule")(lambda entry, ctx, params: {"IRQ": 1.0})
    try:
        (p,) = _problems(TINY, overrides={"policies": {"p": {
            "rule": "test_free_rule", "params": {"levels": [1.0, float("nan")]}}}})
        assert p.path == "policies.p.params.levels.1" and "expected a finite number" in p.message
        assert load_scenario(TINY, overrides={"policies": {"p": {
            "rule": "test_free_rule", "params": {"levels": [1.0, 2.0]}}}}).policies
    finally:
        unregister_rule("test_free_rule")


TRICKLE = st.fixed_dictionaries({
    "sites.camp.population": st.fixed_dictionaries({"IRQ": st.fixed_dictionaries({
        "adult": st.integers(1, 300) | st.sampled_from([5000, 20_000]),
        "child": st.integers(0, 300)})}),
    "fleets.road.seats": st.integers(1, 60), "fleets.road.min_load": st.integers(1, 60),
    "fleets.road.units": st.integers(1, 20),
    "routes.0.travel_time": st.sampled_from([{"dist": "fixed", "value": v}
                                              for v in (0, 0.1, 0.5, 2)]),
    "crossings.rabia.daily_throughput": st.integers(1, 500),
    "destinations.centre.beds": st.integers(0, 600),
    "destinations.centre.intake_per_day": st.integers(1, 600),
    "destinations.centre.stay": st.sampled_from([None, {"dist": "fixed", "value": 1},
                                                 {"dist": "exponential", "mean": 3}]),
    "escapes.base_hazard_per_day.camp": st.sampled_from([0.0, 0.01, 0.2, 0.5]),
    "escapes.recapture": st.sampled_from([None, {"probability": 1.0, "delay_days": 1},
                                          {"probability": 0.7, "delay_days": 1}]),
    "acceptance": st.sampled_from([{}, {"total": 150}, {"caps": [{"period_days": 2,
                                                                  "max_people": 7}]}]),
    "conflict": st.sampled_from([{}, {
        "process": {"ceasefire_duration": {"dist": "exponential", "mean": 1.5},
                    "fighting_duration": {"dist": "uniform", "low": 0.5, "high": 1.5}},
        "effects": {"fighting": {"crossing_quota": 4.0}, "ceasefire": {"crossing_quota": 0.5}}}]),
    "dispositions": st.sampled_from([
        [{"action": "transfer", "destination": "centre"}],
        [{"categories": ["child"], "action": "transfer", "destination": "centre", "start": 9},
         {"action": "transfer", "destination": "centre", "start": 3}]]),
})


def _trips_and_bound(overrides: dict) -> tuple[int, int, int]:
    """(trips, partial loads, bound) of a 30-day run of the tiny scenario."""
    from sim.simulation import simulate

    scn = load_scenario(TINY, overrides={"metadata.horizon_days": 30, **overrides})
    fleet = scn.fleets["road"]
    trips = simulate(scn).raw.trips
    partial = sum(t.people < min(fleet.min_load, fleet.seats) for t in trips)
    return len(trips), partial, most_trips(scn)[0]


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(TRICKLE)
def test_the_bound_on_trips_holds(overrides):
    """The trips a run needs never pass :func:`most_trips` (the bound the schema puts on
    trips rests on it): escapes and recaptures that refill the queue every day, crossing
    quotas, acceptance caps, beds and dispositions that start late all make trips leave
    with less than their fleet's min_load or seats, and a conflict whose states have
    different crossing quotas renews the quota whenever it switches."""
    trips, _partial, bound = _trips_and_bound(overrides)
    assert trips <= bound


def test_partial_loads_are_counted_in_the_bound_on_trips():
    # the case the bound's second term is for: a queue refilled every day by recaptures,
    # below the fleet's min_load, goes in partial loads (one a day, or more)
    trips, partial, bound = _trips_and_bound({
        "sites.camp.population": {"IRQ": {"adult": 30, "child": 0}},
        "fleets.road.min_load": 50, "escapes.base_hazard_per_day.camp": 0.5,
        "escapes.recapture": {"probability": 1.0, "delay_days": 1}})
    assert partial >= 1 and trips <= bound


@pytest.mark.parametrize("name", ["scenario_path_with_newline.yaml", "name_with_newline.yaml"])
def test_no_batch_problem_prints_a_line_of_its_own(name):
    with pytest.raises(ScenarioError) as info:
        load_spec(DATA / "bad_batches" / name)
    (p,) = info.value.problems
    assert str(info.value).count("\n") == 0 and "\\n" in p.message
