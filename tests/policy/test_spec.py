"""The policies: section: located scenario errors, fiscal calendars, names."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

import sim
from sim.policy import policy_names
from sim.policy.compiled import fiscal_calendar
from sim.scenario.timeline import controller_schedule
from tests.policy.conftest import tiny, tiny_data


def _load(tmp_path, policies_yaml: str):
    """Write tiny (with extra countries) plus a policies: block; return (path, text)."""
    data = tiny_data()
    del data["policies"]
    text = yaml.safe_dump(data, sort_keys=False) + policies_yaml
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path, text.splitlines()


def _line_of(lines: list[str], needle: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _problems(path) -> list[str]:
    with pytest.raises(sim.ScenarioError) as exc:
        sim.load_scenario(path)
    return [str(p) for p in exc.value.problems]


def test_unknown_rule_name_is_a_located_error(tmp_path):
    path, lines = _load(tmp_path, "policies:\n  mine:\n    rule: sharing_is_caring\n")
    (msg,) = _problems(path)
    line = _line_of(lines, "rule: sharing_is_caring")
    assert msg.startswith(f"{path}:{line}: policies.mine.rule: unknown rule "
                          f"'sharing_is_caring' (expected one of: ")
    assert "host_pays" in msg and "key" in msg


def test_negative_key_weights_are_a_located_error(tmp_path):
    path, lines = _load(tmp_path, (
        "policies:\n"
        "  pooled:\n"
        "    rule: key\n"
        "    params:\n"
        "      participants: [USA, GBR]\n"
        "      inverse: []\n"
        "      weights:\n"
        "        population: -0.2\n"
        "        gdp_usd: 1.2\n"))
    (msg,) = _problems(path)
    line = _line_of(lines, "population: -0.2")
    assert msg == (f"{path}:{line}: policies.pooled.params.weights.population: negative weight "
                   f"-0.2 for 'population' (expected weights >= 0 summing to 1)")


@pytest.mark.parametrize("block, where, needle, text", [
    ("    rule: key\n    params: {participants: [USA, GBR], inverse: [],"
     " weights: {population: 0.5, gdp_usd: 0.3}}\n",
     "policies.p.params.weights", "weights:", "weights sum to 0.8"),
    ("    rule: key\n    params: {participants: [USA, FRA]}\n",
     "policies.p.params.participants.1", "participants", "unknown country 'FRA'"),
    ("    rule: host_pays\n    budgets:\n      FRA: {annual: 1.0}\n",
     "policies.p.budgets.FRA", "FRA:", "unknown payer country 'FRA'"),
    ("    rule: host_pays\n    budgets:\n      IRQ: {annual: 1.0, fiscal_year_start: 13-01}\n",
     "policies.p.budgets.IRQ.fiscal_year_start", "13-01", "invalid fiscal-year start"),
    ("    rule: host_pays\n    colour: blue\n",
     "policies.p.colour", "colour", "unknown key 'colour' (expected one of: description, rule"),
    ("    rule: cap\n    params: {rule: {rule: host_pays}, max_share: 0.5}\n",
     "policies.p.rule", "rule: cap", "the caps cannot hold"),
    ("    rule: hybrid\n    params: {fraction: 0.5, rest: {rule: nope}}\n",
     "policies.p.params.rest.rule", "rule: hybrid", "unknown rule 'nope'"),
    ("    rule: host_pays\n    fund:\n      contributions: {rule: host_pays}\n"
     "      buy: [{kind: beds, target: jail, amount: 10, cost: 1, lag_days: 1}]\n",
     "policies.p.fund.buy.0.target", "jail", "unknown destination 'jail'"),
    ("    rule: key\n    params: {participants: [USA, SYR], weights: {asylum_per_million: 1},"
     " inverse: [asylum_per_million]}\n",
     "policies.p.params.participants.1", "participants", "has no indicator 'asylum_per_million'"),
    ("    rule: nationality\n    params: {fallback: {USA: -1}}\n",
     "policies.p.params.fallback.USA", "fallback", "negative weight -1"),
    ("    {}\n", "policies.p.rule", "policies:", "required field 'rule' is missing"),
])
def test_policy_findings(tmp_path, block, where, needle, text):
    if "has no indicator" in text:  # SYR without asylum figures
        data_text = "policies:\n  p:\n" + block
        data = tiny_data()
        del data["policies"]
        del data["countries"]["SYR"]["indicators"]["asylum_per_million"]
        path = tmp_path / "s.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False) + data_text)
        lines = path.read_text().splitlines()
    else:
        path, lines = _load(tmp_path, "policies:\n  p:\n" + block)
    msgs = _problems(path)
    hits = [m for m in msgs if f": {where}: " in m and text in m]
    assert hits, msgs
    file_line = hits[0].split(": ")[0]
    assert file_line.startswith(f"{path}:") and int(file_line.rsplit(":", 1)[1]) >= \
        _line_of(lines, "policies:")


def test_policy_names_and_unknown_policy():
    scn = tiny(b={"rule": "host_pays"}, a={"rule": "nationality"})
    assert policy_names(scn) == ["b", "a"]
    with pytest.raises(sim.ScenarioError, match="unknown policy 'c' .expected one of: b, a"):
        sim.simulate(scn, policy="c")


def test_fiscal_calendar_us_year():
    cal = fiscal_calendar(dt.date(2026, 1, 21), 730, "10-01")
    oct1 = (dt.date(2026, 10, 1) - dt.date(2026, 1, 21)).days
    assert oct1 == 253
    assert cal.index[oct1 - 1] == 0 and cal.index[oct1] == 1
    assert cal.days_left[0] == 252 and cal.days_left[oct1 - 1] == 0
    assert cal.days_left[oct1] == 364
    assert cal.starts == [oct1, oct1 + 365]
    assert cal.first_fraction == pytest.approx(253 / 365)
    assert cal.n_years == 3


def test_fiscal_calendar_starting_on_the_start_date():
    cal = fiscal_calendar(dt.date(2026, 1, 1), 400, "01-01")
    assert cal.first_fraction == 1.0 and cal.starts == [365] and cal.index[365] == 1


def test_controller_schedule_matches_the_world(baseline):
    res = sim.simulate(baseline, replication=0)
    assert (controller_schedule(baseline)[:-1] == res.raw.controller).all()


def test_baseline_ships_five_named_policies(baseline):
    names = policy_names(baseline)
    assert {"iraq_alone", "nationality", "eu_key", "hybrid", "capped"} <= set(names)
    rules_used = {baseline.policies[n].rule for n in names}
    assert {"host_pays", "nationality", "key", "hybrid", "cap"} <= rules_used
