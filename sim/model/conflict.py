"""Conflict: the dated timeline and the stochastic ceasefire/fighting alternation."""

from __future__ import annotations

from collections.abc import Generator

import simpy

from sim.model.plan import Plan
from sim.rng import Streams
from sim.scenario.hazards import Effects
from sim.scenario.vocabulary import CONFLICT_STATES

_NEUTRAL = Effects()


class Conflict:
    """Current conflict state and its effects; forced states from the timeline win."""

    def __init__(self, env: simpy.Environment, plan: Plan, streams: Streams):
        scn = plan.scenario
        self.env = env
        self.effects = {s: scn.conflict.effects.get(s, _NEUTRAL) for s in CONFLICT_STATES}
        self.forced = sorted(
            (scn.day(ev.start), scn.day(ev.end), ev.kind)
            for ev in scn.conflict.timeline if ev.kind in CONFLICT_STATES
        )
        self.version = 0  # counts switches, so others can tell the state may have changed
        self.process = scn.conflict.process
        self.random_state = self.process.initial if self.process else "ceasefire"
        if self.process is not None:
            env.process(self._alternate(streams))

    def _alternate(self, streams: Streams) -> Generator:
        """Spells of ceasefire and fighting; one uniform per spell from stream ``conflict``."""
        while True:
            dist = (self.process.ceasefire_duration if self.random_state == "ceasefire"
                    else self.process.fighting_duration)
            yield self.env.timeout(max(float(dist.ppf(streams.uniform("conflict"))), 1e-6))
            self.random_state = "fighting" if self.random_state == "ceasefire" else "ceasefire"
            self.version += 1

    def state(self, t: float | None = None) -> str:
        t = self.env.now if t is None else t
        for start, end, kind in self.forced:
            if start <= t < end:
                return kind
        return self.random_state

    def effect(self) -> Effects:
        return self.effects[self.state()]
