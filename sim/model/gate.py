"""When the dispatcher plans a day's trips.

The world asks the dispatcher to plan at the start of a day when something an attempt can
see has changed since it last planned (the state's ``version``: people arrived at a site,
units, acceptance used, a fiscal year; capacity; the conflict state; ``looser_version``:
people left a site or came back, beds were freed), and on the *dispatch days*, which change
what an attempt sees whatever happened before (a transfer starts, a site or crossing opens
or closes, an acceptance cap starts, ends or begins a period, a forced conflict state, a
timeline event, a payer's fiscal year).

It is not asked when the only changes cannot lift any pair's hold, so that planning would
find what it found before: fewer people waiting, freed beds or a new acceptance period
(:func:`sim.model.boarding.unmoved_by_looser`) and people coming back to pairs held back
by reasons that do not depend on how many wait (:func:`sim.model.boarding.unmoved_by_more`).
"""

from __future__ import annotations

import numpy as np

from sim.model.boarding import unmoved_by_looser, unmoved_by_more
from sim.model.conflict import Conflict
from sim.model.dispatch import Dispatcher
from sim.model.plan import Plan
from sim.model.state import State


def dispatch_days(plan: Plan, state: State, carried: np.ndarray, conflict: Conflict,
                  other_days: set[int]) -> tuple[set[int], set[int]]:
    """The dispatch days (``other_days``: timeline events and fiscal years), and those of
    them on which the only change is more acceptance room (a new period, a cap's end)."""
    T = plan.horizon
    starts = np.unique(plan.start_day[carried])  # people begin to wait
    days = {int(x) for x in starts}
    for sched in (state.site_open, state.crossing_open):
        if sched.shape[1]:
            days |= {int(d) for d in np.flatnonzero((sched[1:] != sched[:-1]).any(axis=1)) + 1}
    days |= {b for start, end, _ in conflict.forced for b in (start, end)}
    days |= other_days
    caps, room = state.cap_period_starts(), state.cap_room_days()
    room_only = room - days - (caps - room)
    return {d for d in days | caps if 0 <= d < T}, {d for d in room_only if 0 <= d < T}


class PlanningGate:
    def __init__(self, plan: Plan, state: State, dispatcher: Dispatcher, conflict: Conflict,
                 other_days: set[int]):
        self.state, self.dispatcher, self.conflict = state, dispatcher, conflict
        self.days, self.room_days = dispatch_days(plan, state, dispatcher.carried, conflict,
                                                  other_days)
        self._plans = bool(plan.pairs)  # some people are to be transferred
        self.planned: tuple | None = None  # what the dispatcher last planned against
        self.grown: set[int] = set()  # pairs more people wait for since the last planning
        self._pair_of = {(int(s), int(g)): i for i, s in enumerate(dispatcher._pair_site)
                         for g in np.flatnonzero(dispatcher._carries[i])}

    @property
    def shut(self) -> bool:
        """Whether no planning can move anyone again (Iraq's acceptance total is used up):
        the gate is then not consulted, and every pair is held back for good."""
        return self.dispatcher.closed

    def inputs(self, day: int) -> tuple:
        return (self.state.version, self.dispatcher.capacity_version,
                self.conflict.version(day, True), self.state.looser_version)

    def changed(self, day: int) -> bool:
        """Whether something an attempt can see changed since the dispatcher last planned."""
        return self.inputs(day) != self.planned

    def due(self, day: int) -> bool:
        """Whether the dispatcher is to be asked to plan ``day``: some pair exists, Iraq's
        total is not used up, and it is a dispatch day or something changed."""
        return self._plans and not self.shut and (day in self.days or self.changed(day))

    def came_back(self, cells: list[tuple[int, int, int]]) -> None:
        """People came back to sites ((site, group, count) cells)."""
        self.state.looser_version += 1
        self.grown.update(self._pair_of[s, g] for s, g, _ in cells if (s, g) in self._pair_of)

    def plan(self, day: int) -> None:
        """Plan ``day``'s trips, unless nothing that changed can lift any pair's hold."""
        inputs, dsp = self.inputs(day), self.dispatcher
        grown, self.grown = self.grown, set()
        if ((day not in self.days or day in self.room_days)
                and self.planned is not None and inputs[:3] == self.planned[:3]
                and unmoved_by_looser(dsp.last_reason, dsp.nobody_funded, dsp.closed)
                and unmoved_by_more(grown, dsp.last_reason, dsp.nobody_funded, dsp.closed)):
            self.planned = inputs  # more room, fewer or more waiting: all stay held back
            return
        dsp.at(day, day)
        dsp.plan()
        self.planned = self.inputs(day)
