"""The yardstick of the person-transfers-per-second budget: a plain M/M/c queue in SimPy with
one process per customer, the textbook way to write a discrete-event simulation.

Customers arrive in a Poisson stream (rate ``arrival_rate``); each is a SimPy process that
requests one of ``servers`` identical servers (a ``simpy.Resource``, first come first
served), holds it for an exponential service time (rate ``service_rate``) and leaves. With
the defaults (arrival rate 9, service rate 1, 10 servers) the utilisation is
rho = 9 / (10 x 1) = 0.9: a busy queue, so most customers wait and every customer costs the
event loop its request, its grant and its service timeout.

In a stationary M/M/c queue the departures form a Poisson process of the arrival rate
(Burke's theorem), so over a long run the number served is about ``arrival_rate`` x time;
tests/test_benchmarks.py checks it. Random numbers come from the named streams of
:mod:`sim.rng`, drawn in blocks so that drawing costs next to nothing beside SimPy's events.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass

import simpy

from sim.rng import stream

BLOCK = 4096


@dataclass(frozen=True)
class QueueRun:
    """What one run of the queue did."""

    arrived: int
    served: int
    sim_time: float  # simulated time at the end of the run
    wall_s: float  # wall-clock seconds of the run

    @property
    def served_per_s(self) -> float:
        """Customers served per wall-clock second."""
        return self.served / self.wall_s


def _exponentials(seed: int, name: str, rate: float) -> Iterator[float]:
    gen = stream(seed, 0, name)
    while True:
        yield from gen.exponential(1.0 / rate, BLOCK).tolist()


def run_mmc(customers: int | None = None, until: float | None = None, *,
            arrival_rate: float = 9.0, service_rate: float = 1.0, servers: int = 10,
            seed: int = 0) -> QueueRun:
    """Simulate the queue from empty: ``customers`` arrivals served to the end, or (with
    ``until``) an endless stream of arrivals up to simulated time ``until``."""
    if (customers is None) == (until is None):
        raise ValueError("give exactly one of customers and until")
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    gaps = _exponentials(seed, "yardstick:arrivals", arrival_rate)
    works = _exponentials(seed, "yardstick:service", service_rate)
    count = {"arrived": 0, "served": 0}

    def customer(work: float) -> Generator:
        with desk.request() as turn:
            yield turn
            yield env.timeout(work)
        count["served"] += 1

    def source() -> Generator:
        while customers is None or count["arrived"] < customers:
            yield env.timeout(next(gaps))
            count["arrived"] += 1
            env.process(customer(next(works)))

    env.process(source())
    t0 = time.perf_counter()
    env.run(until=until)
    wall = time.perf_counter() - t0
    return QueueRun(arrived=count["arrived"], served=count["served"], sim_time=float(env.now),
                    wall_s=wall)
