"""The enums the model indexes by agree with the words the scenario format accepts."""

from __future__ import annotations

import typing

from sim.costs import ACTIVITIES, ACTIVITY_OF, COST_CATEGORIES, PERSONNEL_KINDS
from sim.scenario.hazards import CeasefireProcess
from sim.scenario.schema import Category, Disposition
from sim.scenario.vocabulary import ACTIONS, CONFLICT_STATES, SECURITY_LEVELS


def _literal(model, field) -> set[str]:
    return set(typing.get_args(model.model_fields[field].annotation))


def test_enums_match_the_schema():
    assert set(ACTIONS) == _literal(Disposition, "action")
    assert set(SECURITY_LEVELS) == _literal(Category, "security_level")
    assert set(CONFLICT_STATES) == _literal(CeasefireProcess, "initial")


def test_every_category_and_personnel_kind_serves_an_activity():
    assert set(ACTIVITY_OF) == set(COST_CATEGORIES) | set(PERSONNEL_KINDS)
    assert set(ACTIVITY_OF.values()) <= set(ACTIVITIES)


def test_every_fleet_mode_has_mechanics():
    from sim.model.transport import MODES
    from sim.scenario.schema import Fleet

    assert set(MODES) == _literal(Fleet, "mode")
