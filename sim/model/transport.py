"""Trips: how each kind of transport runs, what a trip costs, and its random times.

A fleet's ``mode`` names a :class:`Mode` in :data:`MODES`. A mode turns six uniforms of the
fleet's stream ``travel:<fleet>`` into a trip's times (loading, out, incident delay, back,
turnaround) under the conflict's effects. Road convoys are slowed by fighting (checkpoints,
detours: the effect ``travel_time``); flights are not. Both may have incidents (the effect
``incident``). Road routes also pass a border crossing (its daily quota and closures, see
:mod:`sim.model.dispatch`), which the scenario checks say a road route must name.

To add a kind of transport: subclass :class:`Mode` (override :meth:`Mode.times`), add it
to :data:`MODES` under a new name, and add that name to ``Fleet.mode`` in
``sim/scenario/schema.py`` (a test checks the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.plan import Plan, RoutePlan
from sim.rng import Streams
from sim.scenario.hazards import Effects
from sim.scenario.vocabulary import SecurityLevel

_BLOCK = 64  # trips' uniforms drawn at once per fleet


@dataclass(frozen=True)
class TripTimes:
    load: float
    out: float
    incident: bool
    delay: float
    back: float
    turnaround: float

    @property
    def arrive(self) -> float:
        """Days from dispatch to arrival."""
        return self.load + self.out + self.delay

    @property
    def duration(self) -> float:
        """Days from dispatch until the unit can leave again."""
        return self.arrive + self.back + self.turnaround


class Mode:
    """How trips of one kind of transport run."""

    slowed_by_fighting = True

    def times(self, fleet, route, u: np.ndarray, effect: Effects) -> TripTimes:
        """A trip's times from six uniforms ``u`` (one per quantity, used or not)."""
        slow = effect.travel_time if self.slowed_by_fighting else 1.0
        incident = bool(u[2] < min(fleet.incident_probability * effect.incident, 1.0))
        delay = 0.0
        if incident and fleet.incident_delay is not None:
            delay = float(fleet.incident_delay.ppf(u[3]))
        return TripTimes(load=float(fleet.load_time.ppf(u[0])),
                         out=float(route.travel_time.ppf(u[1])) * slow,
                         incident=incident, delay=delay,
                         back=float(route.travel_time.ppf(u[4])) * slow,
                         turnaround=float(fleet.turnaround.ppf(u[5])))

    def mean_duration(self, fleet, route) -> float:
        """Expected days of a trip outside fighting (for cost estimates)."""
        delay = fleet.incident_delay.mean if fleet.incident_delay is not None else 0.0
        return (fleet.load_time.mean + 2 * route.travel_time.mean + fleet.turnaround.mean
                + fleet.incident_probability * delay)


class Road(Mode):
    """Escorted road convoys and bus columns: slowed by fighting, through a crossing."""


class Air(Mode):
    """Flights: not slowed by fighting on the ground."""

    slowed_by_fighting = False


MODES: dict[str, Mode] = {"road": Road(), "air": Air()}


@dataclass(frozen=True)
class TripCost:
    """A trip's times, escorts and costs, split by nationality on board."""

    times: TripTimes
    escorts: int
    total: float  # transport and escorts' pay (USD)
    transport: np.ndarray  # [N] USD
    escort_pay: np.ndarray  # [N] USD
    escort_days: np.ndarray  # [N] personnel-days


class Transport:
    """The fleets' trips: random times from stream ``travel:<fleet>``, costs and escorts."""

    def __init__(self, plan: Plan, streams: Streams):
        scn = plan.scenario
        self.plan = plan
        self.streams = streams
        self.fleets = [scn.fleets[f] for f in plan.fleet_ids]
        self.modes = [MODES[f.mode] for f in self.fleets]
        self.route_specs = scn.routes
        self.nat_matrix = plan.nat_matrix()
        self.escort_rate = scn.costs.escort_cost_per_person_day
        self.trip_cost = [self.fleets[r.fleet].cost_per_trip
                          + self.fleets[r.fleet].cost_per_km * 2 * r.distance_km
                          for r in plan.routes]
        self.mean_duration = [self.modes[r.fleet].mean_duration(self.fleets[r.fleet],
                                                                scn.routes[r.index])
                              for r in plan.routes]
        self._pending: dict[int, np.ndarray] = {}  # next trip's uniforms, per fleet
        self._blocks: dict[int, tuple[np.ndarray, int]] = {}  # pre-drawn blocks, per fleet

    def cost(self, route: RoutePlan, take: np.ndarray, load: int, effect: Effects) -> TripCost:
        """What a trip of ``take`` people ([G], ``load`` in all) on ``route`` would be now.

        Its six uniforms are drawn once and kept until a trip of the fleet leaves."""
        fleet = self.fleets[route.fleet]
        u = self._pending.get(route.fleet)
        if u is None:
            u = self._pending[route.fleet] = self._next_uniforms(route.fleet)
        times = self.modes[route.fleet].times(fleet, self.route_specs[route.index], u, effect)
        level = int(self.plan.security[take > 0].max())
        escorts = int(fleet.escorts_per_trip.get(SecurityLevel(level).name, 0))
        share = (take @ self.nat_matrix) / load  # the trip's costs split by heads on board
        escort_days = escorts * times.duration * share
        total = self.trip_cost[route.index] + escorts * times.duration * self.escort_rate
        return TripCost(times, escorts, float(total), self.trip_cost[route.index] * share,
                        escort_days * self.escort_rate, escort_days)

    def left(self, fleet: int) -> None:
        """A trip of ``fleet`` left: its next trip draws new uniforms."""
        self._pending.pop(fleet, None)

    def per_person(self, route: RoutePlan, group: int) -> tuple[float, float]:
        """Estimated (transport, escorts' pay) per person of ``group`` on ``route``: a full
        load, the trip's expected duration outside fighting."""
        fleet = self.fleets[route.fleet]
        level = SecurityLevel(int(self.plan.security[group])).name
        escorts = fleet.escorts_per_trip.get(level, 0)
        pay = escorts * self.mean_duration[route.index] * self.escort_rate
        return self.trip_cost[route.index] / fleet.seats, pay / fleet.seats

    def _next_uniforms(self, fleet: int) -> np.ndarray:
        """The next six uniforms of stream ``travel:<fleet>`` (drawn in blocks of trips: a
        generator gives the same sequence whether asked for 6 numbers at a time or 6 x 64)."""
        block, used = self._blocks.get(fleet, (None, _BLOCK))
        if used == _BLOCK:
            name = f"travel:{self.plan.fleet_ids[fleet]}"
            block, used = self.streams.uniform(name, (_BLOCK, 6)), 0
        self._blocks[fleet] = (block, used + 1)
        return block[used]
