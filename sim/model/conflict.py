"""Conflict: the dated timeline's forced states and the stochastic ceasefire/fighting
alternation.

The alternation does not depend on anything else in the model, so its whole history is
drawn when the run starts: one uniform per spell from stream ``conflict``, spells ending at
``t_k = t_(k-1) + max(F^-1(u_k), 1e-6)``. A forced state (a timeline ``ceasefire`` or
``fighting`` event) wins over the random one while it lasts. The switches are also SimPy
events (:meth:`Conflict.start`), so that what a trip event sees at the very instant of a
switch follows the order in which the events were scheduled; at the start of day ``d`` a
switch due exactly then has not happened yet (the day's steps come first).
"""

from __future__ import annotations

import bisect

import numpy as np
import simpy

from sim.model.plan import Plan
from sim.rng import Streams
from sim.scenario.hazards import Effects
from sim.scenario.vocabulary import CONFLICT_STATES

_NEUTRAL = Effects()
END_OF_DAY = 1.0 - 1e-9
"""The daily record of day d is taken at ``d + END_OF_DAY``, an instant before day d + 1."""


class Conflict:
    """The conflict state at any time, and its effects."""

    def __init__(self, plan: Plan, streams: Streams):
        scn = plan.scenario
        self.effects = {s: scn.conflict.effects.get(s, _NEUTRAL) for s in CONFLICT_STATES}
        self.forced = sorted(
            (scn.day(ev.start), scn.day(ev.end), ev.kind)
            for ev in scn.conflict.timeline if ev.kind in CONFLICT_STATES
        )
        process = scn.conflict.process
        self.initial = process.initial if process else "ceasefire"
        self.switches: list[float] = []  # times at which the random state flips
        self._spells: list[float] = []
        if process is not None:
            t, state = 0.0, self.initial
            while t < plan.horizon:
                dist = (process.ceasefire_duration if state == "ceasefire"
                        else process.fighting_duration)
                spell = max(float(dist.ppf(streams.uniform("conflict"))), 1e-6)
                t = t + spell
                self._spells.append(spell)
                self.switches.append(t)
                state = "fighting" if state == "ceasefire" else "ceasefire"
        self.live = 0  # switches that have happened as SimPy events

    def start(self, env: simpy.Environment) -> None:
        """Play the switches as SimPy events (started before anything else is scheduled)."""

        def alternate():
            for spell in self._spells:
                yield env.timeout(spell)
                self.live += 1

        env.process(alternate())
        env.step()  # start it now, as the first process of the run

    def live_state(self, t: float) -> str:
        """The state now (``t`` = the clock), after the switches that have happened."""
        for start, end, kind in self.forced:
            if start <= t < end:
                return kind
        if self.live % 2 == 0:
            return self.initial
        return "fighting" if self.initial == "ceasefire" else "ceasefire"

    def version(self, t: float, day_start: bool = False) -> int:
        """How many random switches have happened by ``t`` (those due exactly at ``t``
        excluded at a day's start): changes whenever the random state may have."""
        if day_start:
            return bisect.bisect_left(self.switches, t)
        return bisect.bisect_right(self.switches, t)

    def state(self, t: float, day_start: bool = False) -> str:
        for start, end, kind in self.forced:
            if start <= t < end:
                return kind
        if self.version(t, day_start) % 2 == 0:
            return self.initial
        return "fighting" if self.initial == "ceasefire" else "ceasefire"

    def effect(self, t: float, day_start: bool = False) -> Effects:
        return self.effects[self.state(t, day_start)]

    def daily(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """Whether it is fighting at the start of each day, and at its end ([T] bools; the
        end is the instant of the daily record, ``d + 1 - 1e-9``)."""
        days = np.arange(horizon, dtype=float)
        ends = days + ((days + END_OF_DAY) - days)  # as World.run computes each record's time
        switches = np.asarray(self.switches)
        out = []
        for times, side in ((days, "left"), (ends, "right")):
            flips = np.searchsorted(switches, times, side=side) % 2 == 1
            fighting = flips if self.initial == "ceasefire" else ~flips
            for start, end, kind in self.forced:
                inside = (times >= start) & (times < end)
                fighting = np.where(inside, kind == "fighting", fighting)
            out.append(fighting)
        return out[0], out[1]
