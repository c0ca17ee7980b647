"""Metamorphic relations (sim.verification.metamorphic) on generated and shipped scenarios."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import load_scenario, scenario_to_dict
from sim.verification import metamorphic as M
from sim.verification.sweep import policies_for
from tests.strategies import scenarios

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _capacity_changes(data: dict) -> dict[str, M.Change]:
    changes = {
        "units": M.scale("fleets.road.units", 1, 1),
        "seats": M.scale("fleets.road.seats", 2),
        "beds": M.scale("destinations.d0.beds", 1, 200),
        "crossing": M.scale("crossings.x.daily_throughput", 1, 100),
    }
    if data["acceptance"]:
        changes["cap"] = M.scale("acceptance.caps.0.max_people", 1, 100)
    return changes


@SETTINGS
@given(scenarios(max_sites=2, horizon=(10, 60)), st.sampled_from([None, "host", "tight"]))
def test_an_unrelated_site_changes_nothing_else(data, policy):
    if policy is not None:
        data["policies"] = {policy: policies_for(data)[policy]}
    assert M.unrelated(data, policy) == []


@SETTINGS
@given(scenarios(max_sites=2, horizon=(10, 60)), st.sampled_from([None, "tight"]))
def test_more_capacity_never_moves_fewer(data, policy):
    if policy is not None:
        data["policies"] = {policy: policies_for(data)[policy]}
    for name, change in _capacity_changes(data).items():
        assert M.more_is_not_less(data, change, policy) == [], name
    if data["acceptance"]:  # a larger programme: more people moved, maybe later done
        change = M.scale("acceptance.total", 1, 500)
        assert M.more_is_not_less(data, change, policy, kpis=("transferred",)) == []


@SETTINGS
@given(scenarios(max_sites=2, horizon=(10, 60)))
def test_more_budget_never_moves_fewer(data):
    data["policies"] = {"tight": policies_for(data)["tight"]}
    change = M.scale("policies.tight.budgets.IRQ.annual", 3)
    assert M.more_is_not_less(data, change, "tight") == []


@SETTINGS
@given(scenarios(max_sites=2, horizon=(10, 60)))
def test_a_higher_hazard_never_lowers_escapes(data):
    assert M.hazard(data) == []


@SETTINGS
@given(scenarios(max_sites=2, horizon=(10, 60)),
       st.sampled_from(["host", "nationality", "scale"]))
def test_who_pays_alone_changes_no_movement(data, policy):
    assert M.who_pays(data, policies_for(data)[policy]) == []


def test_the_relations_hold_on_the_baseline():
    """The check of docs/validation.md: every relation on the shipped baseline (an unrelated
    camp under four policies, six kinds of more capacity or money under iraq_alone, doubled
    hazards, a policy that only changes who pays)."""
    from sim.verification.checks import run_check

    result = run_check("metamorphic")
    assert result.passed, "\n".join(result.details)
    assert result.values["relations"] == 12 and len(result.details) == 12


def test_the_relations_can_fail():
    """Each relation reports a change that breaks it (so the check above can fail)."""
    data = scenario_to_dict(load_scenario(ROOT / "scenarios" / "baseline.yaml",
                                          overrides={"metadata.horizon_days": 150}))
    fewer = M.scale("acceptance.caps.0.max_people", 0.1)  # a tenth of Iraq's weekly cap
    assert M.more_is_not_less(data, fewer, None, reps=1)
    assert M.hazard(data, factor=0.1, reps=2)  # lower hazards: fewer escapes
