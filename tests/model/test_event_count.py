"""A replication's SimPy events do not grow with the horizon when nothing moves.

Days on which nothing can happen must cost nothing: no event scheduled, none processed. The
events of a run are counted (every event scheduled and every event processed by the run's
environment) at horizon T and 4T; where nothing moves after the first days the counts must
be equal. A run that schedules one event a day is caught by the same count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model.world import World
from sim.scenario import load_scenario

TINY = Path(__file__).parents[1] / "data" / "tiny.yaml"
T = 60


def _scenario(horizon: int, **overrides):
    return load_scenario(TINY, overrides={"metadata.horizon_days": horizon, **overrides})


def _count(world: World) -> tuple[int, int, int]:
    """Run ``world``; return (events scheduled, events processed, trips)."""
    env = world.env
    counts = [0, 0]
    schedule, step = env.schedule, env.step

    def counted_schedule(*args, **kwargs):
        counts[0] += 1
        return schedule(*args, **kwargs)

    def counted_step():
        counts[1] += 1
        return step()

    env.schedule, env.step = counted_schedule, counted_step
    raw = world.run()
    return counts[0], counts[1], len(raw.trips)


def _events(world_class=World, overrides=lambda horizon: {}) -> list[tuple[int, int, int]]:
    """Event counts at horizons T and 4T (``overrides``: of the scenario, by horizon)."""
    return [_count(world_class(_scenario(h, **overrides(h)))) for h in (T, 4 * T)]


NOTHING_MOVES = {
    "people held, no disposition moves them": lambda h: {"dispositions": [{"action": "stay"}]},
    "a transfer no crossing lets through": lambda h: {
        "conflict.timeline": [{"kind": "crossing_closed", "crossing": "rabia",
                               "start": 0, "end": h}]},
    "a transfer Iraq never accepts": lambda h: {"acceptance.total": 0},
}


@pytest.mark.parametrize("overrides", NOTHING_MOVES.values(), ids=NOTHING_MOVES.keys())
def test_no_event_when_nothing_moves(overrides):
    short, long = _events(overrides=overrides)
    assert short[2] == long[2] == 0  # nobody moved
    assert short[:2] == long[:2]


def test_events_of_the_first_days_only():
    # 230 people leave on days 0-2 (6 trips; see test_schedule); then nothing can happen
    overrides = {"sites.camp.population": {"IRQ": {"adult": 230}},
                 "fleets.road.seats": 40,
                 "fleets.road.load_time": {"dist": "fixed", "value": 0.1},
                 "fleets.road.turnaround": {"dist": "fixed", "value": 0.2},
                 "routes.0.travel_time": {"dist": "fixed", "value": 0.3}}
    short, long = _events(overrides=lambda h: overrides)
    assert short[2] == long[2] == 6
    assert short[1] >= 2 * 6  # each trip: an arrival and a unit back
    assert short[:2] == long[:2]


class _DailyTick(World):
    """A world that schedules an event every day (what the count must catch)."""

    def run(self):
        def tick():
            while True:
                yield self.env.timeout(1.0)

        self.env.process(tick())
        return super().run()


def test_the_count_sees_a_daily_event():
    short, long = _events(_DailyTick, NOTHING_MOVES["people held, no disposition moves them"])
    assert long[0] > short[0] + 3 * T - 2
    assert long[1] > short[1] + 3 * T - 2
