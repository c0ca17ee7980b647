"""A naive one-process-per-person SimPy model of one transfer flow (the design the cohort
model avoids), kept as a cross-check rather than a benchmark:
tests/benchmarks/test_reference_model.py runs it beside the cohort model, which must agree
with it on simple flows. (The benchmarks' yardstick is the M/M/10 queue of
:mod:`benchmarks.yardstick`.)

The flow is that of a simulated scenario with one transfer route: N people wait at one site;
a fleet of U units with S seats each carries them to a destination with B beds. Every
person is a SimPy process and a token in a ``simpy.Store`` of waiting people (FIFO); every unit is
a process that loads up to S waiting people, travels, comes back and turns around:

* a unit takes its turn at the loading bay (a ``simpy.Resource`` of capacity 1, so units
  that come back together load one after the other, as the cohort dispatcher serves them),
  takes the first waiting person (blocking until someone waits) and then up to S - 1 more
  who wait right now, reserves as many free beds (a ``simpy.Container``; it blocks while
  none is free) and leaves at once -- the cohort dispatcher's rule (the load is the minimum
  of seats, waiting people and free beds; beds are taken at dispatch, so arrivals never
  overshoot);
* a unit's cycle is load time + travel out (people are dropped) + travel back + turnaround,
  drawn per trip from the scenario's distributions (one uniform each; fixed ones are exact);
* a person waits to be boarded, travels with the unit and on arrival occupies a bed (a
  ``simpy.Container`` of occupied beds), recording the time.

What the cohort model does and this one does not: escapes, releases, repatriation, daily
crossing quotas, acceptance caps, screening, stays, conflict, incidents, costs, funding and
``min_load`` (with everyone waiting from day 0, ``min_load`` only matters for the last trip,
which takes everyone left in both models). On a configuration where those are inert (fixed
times, no escapes, beds, crossing quota and acceptance not binding) both models move the
same people in the same trips at the same times.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import simpy

from sim.rng import Streams

TINY = Path(__file__).resolve().parents[1] / "tests" / "data" / "tiny.yaml"


def flow_overrides(people: int, units: int = 4, seats: int = 50, travel: float = 0.3,
                   horizon: int | None = None) -> dict:
    """Overrides of tests/data/tiny.yaml for a plain transfer flow: ``people`` adults at the
    camp, ``units`` x ``seats``, fixed ``travel`` days each way, no load or turnaround time,
    no escapes; beds, screening and the crossing never bind. The horizon covers the
    programme with a few days to spare."""
    if horizon is None:
        rounds = math.ceil(people / (units * seats))
        horizon = int(math.ceil(rounds * 2 * travel)) + 3
    return {
        "metadata.horizon_days": horizon,
        "sites.camp.population": {"IRQ": {"adult": people}},
        "sites.camp.capacity": max(people, 1),
        "destinations.centre.beds": people,
        "destinations.centre.intake_per_day": max(people, 1),
        "crossings.rabia.daily_throughput": people,
        "fleets.road.units": units,
        "fleets.road.seats": seats,
        "fleets.road.load_time": {"dist": "fixed", "value": 0},
        "fleets.road.turnaround": {"dist": "fixed", "value": 0},
        "routes.0.travel_time": {"dist": "fixed", "value": travel},
        "escapes.base_hazard_per_day": {"camp": 0.0, "prison": 0.0},
    }


@dataclass
class FlowConfig:
    """One origin -> destination flow: people, fleet, times (distributions with ``ppf``)."""

    people: int
    units: int
    seats: int
    travel_time: object
    load_time: object
    turnaround: object
    beds: int | None = None  # None: as many as people
    seed: int = 0

    @classmethod
    def from_scenario(cls, scenario, route: int = 0, people: int | None = None,
                      seed: int = 0) -> FlowConfig:
        """The flow of route ``route`` of ``scenario``: everyone at its origin, its fleet,
        its destination's beds."""
        spec = scenario.routes[route]
        fleet = scenario.fleets[spec.fleet]
        site = scenario.sites[spec.origin]
        if people is None:
            people = sum(sum(cats.values()) for cats in site.population.values())
        return cls(people=int(people), units=fleet.units, seats=fleet.seats,
                   travel_time=spec.travel_time, load_time=fleet.load_time,
                   turnaround=fleet.turnaround,
                   beds=scenario.destinations[spec.destination].beds, seed=seed)


@dataclass
class ReferenceResult:
    people: int
    transferred: int
    trips: int
    last_arrival: float
    trip_log: list[tuple[float, int]] = field(default_factory=list)  # (depart, people)
    beds: int | None = None

    @property
    def completion_day(self) -> float:
        """Day of the last arrival (the cohort model's ``completion_day`` KPI: the day after
        the last end of day at which someone still travelled or waited for a reason that
        could end; beds here never free up, so people left once they are full are done)."""
        done = self.transferred == self.people or self.transferred == self.beds
        if not done or self.transferred == 0:
            return float("nan")
        return float(math.floor(self.last_arrival + 1e-9))


class _FifoStore(simpy.Store):
    """``simpy.Store`` with a deque: its list's ``pop(0)`` would make the model quadratic in
    the number of waiting people and flatter the cohort model unfairly."""

    def __init__(self, env: simpy.Environment):
        super().__init__(env)
        self.items = deque()

    def _do_get(self, event) -> None:
        if self.items:
            event.succeed(self.items.popleft())


class _Person:
    __slots__ = ("id", "boarded", "arrived_at")

    def __init__(self, env: simpy.Environment, pid: int):
        self.id = pid
        self.boarded = env.event()  # succeeds with the time from departure to arrival
        self.arrived_at: float | None = None


class ReferenceModel:
    """The per-person model; :meth:`run` returns a :class:`ReferenceResult`."""

    def __init__(self, cfg: FlowConfig):
        self.cfg = cfg
        self.env = simpy.Environment()
        self.streams = Streams(cfg.seed, 0)
        beds = cfg.people if cfg.beds is None else cfg.beds
        self.waiting = _FifoStore(self.env)
        self.bay = simpy.Resource(self.env, capacity=1)
        self.free_beds = simpy.Container(self.env, capacity=max(beds, 1), init=beds)
        self.occupied = simpy.Container(self.env, capacity=max(beds, 1), init=0)
        self.trips: list[tuple[float, int]] = []
        self.arrived = 0
        self.last_arrival = 0.0
        self.people = [_Person(self.env, i) for i in range(cfg.people)]
        for p in self.people:
            self.env.process(self._person(p))
        for _ in range(cfg.units):
            self.env.process(self._unit())

    def _draw(self, dist) -> float:
        return float(dist.ppf(self.streams.uniform("reference:times")))

    def _person(self, p: _Person) -> Generator:
        yield self.waiting.put(p)
        ride = yield p.boarded  # load time + travel out of the unit that took this person
        yield self.env.timeout(ride)
        yield self.occupied.put(1)
        p.arrived_at = self.env.now
        self.arrived += 1
        self.last_arrival = self.env.now

    def _unit(self) -> Generator:
        env, seats = self.env, self.cfg.seats
        while True:
            with self.bay.request() as turn:  # one unit loads at a time
                yield turn
                first = yield self.waiting.get()  # blocks until someone waits
                n = min(seats, 1 + len(self.waiting.items))
                n = max(min(n, self.free_beds.level), 1)
                yield self.free_beds.get(n)  # beds are reserved at departure
                load = [first]
                while len(load) < n:
                    load.append((yield self.waiting.get()))
            out_t = self._draw(self.cfg.load_time) + self._draw(self.cfg.travel_time)
            self.trips.append((env.now, n))
            for p in load:
                p.boarded.succeed(out_t)
            yield env.timeout(out_t)
            yield env.timeout(self._draw(self.cfg.travel_time) + self._draw(self.cfg.turnaround))

    def run(self, until: float | None = None) -> ReferenceResult:
        self.env.run(until=until)
        return ReferenceResult(people=self.cfg.people, transferred=self.arrived,
                               trips=len(self.trips), last_arrival=self.last_arrival,
                               beds=self.cfg.beds,
                               trip_log=self.trips)


def run_reference(cfg: FlowConfig, until: float | None = None) -> ReferenceResult:
    """Simulate the flow one person at a time (until nothing is left to happen)."""
    return ReferenceModel(cfg).run(until)
