"""Reception in Iraq: hard bed capacity, intake screening throughput, stays and discharges.

Beds are reserved when a trip is dispatched (so arrivals never overshoot). Arrivals queue for
screening (FIFO, ``intake_per_day`` people a day); screened people stay for a drawn duration
and are then discharged. Stays of a screened cohort of n people are drawn by systematic
sampling from one uniform ``u``: stay_i = F^-1((i + u) / n), so each cohort consumes exactly
one number from the stream ``stay:<destination>`` whatever its size.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from sim.model.plan import Plan
from sim.rng import Streams


class Reception:
    def __init__(self, plan: Plan, streams: Streams):
        scn = plan.scenario
        D, G = len(plan.dest_ids), plan.n_groups
        self.plan = plan
        self.streams = streams
        self.specs = [scn.destinations[d] for d in plan.dest_ids]
        self.beds = np.array([d.beds for d in self.specs], dtype=np.int64)
        self.reserved = np.zeros(D, dtype=np.int64)  # in transit towards each destination
        self.used = np.zeros(D, dtype=np.int64)  # beds taken: reserved + queued + staying
        self.queue: list[deque] = [deque() for _ in range(D)]  # [arrival_time, vector]
        self.queued = np.zeros((D, G), dtype=np.int64)
        self.staying = np.zeros((D, G), dtype=np.int64)
        # discharges scheduled by day; one extra row collects stays past the horizon
        self.discharges = np.zeros((D, plan.horizon + 1, G), dtype=np.int64)
        self.discharge_days: set[int] = set()  # days on which some stay ends
        self.discharged = np.zeros(G, dtype=np.int64)
        self.arrived = np.zeros(G, dtype=np.int64)

    @property
    def occupancy(self) -> np.ndarray:
        """People in each destination ([D, G])."""
        return self.queued + self.staying

    def free_beds(self) -> np.ndarray:
        return np.maximum(self.beds - self.used, 0)

    def reserve(self, d: int, n: int) -> None:
        self.reserved[d] += n
        self.used[d] += n

    def arrive(self, d: int, people: np.ndarray, t: float, n: int | None = None) -> None:
        self.reserved[d] -= int(people.sum()) if n is None else n
        self.queue[d].append([t, people.copy()])
        self.queued[d] += people
        self.arrived += people

    def discharge(self, day: int) -> np.ndarray | None:
        """Discharge everyone whose stay ends on ``day``; return [D, G] counts (None when
        nobody's stay ends that day)."""
        if day not in self.discharge_days:
            return None
        self.discharge_days.discard(day)
        out = self.discharges[:, day, :].copy()
        self.staying -= out
        self.used -= out.sum(axis=1)
        self.discharged += out.sum(axis=0)
        return out

    def due(self, day: int) -> bool:
        """Whether anyone is discharged or screened on ``day``."""
        return day in self.discharge_days or any(q and q[0][0] <= day for q in self.queue)

    def ready(self, d: int, day: int) -> bool:
        """Whether destination d has someone to screen on ``day`` (arrived by then)."""
        q = self.queue[d]
        return bool(q) and q[0][0] <= day

    def screen(self, d: int, day: int, capacity: int) -> np.ndarray:
        """Screen up to ``capacity`` queued people (FIFO) on ``day``; return the vector."""
        done = np.zeros(self.plan.n_groups, dtype=np.int64)
        q = self.queue[d]
        left = capacity
        while q and left > 0 and q[0][0] <= day:
            vec = q[0][1]
            n = int(vec.sum())
            if n <= left:
                take, k = vec, n
                q.popleft()
            else:
                take, k = split_count(vec, left), left
                q[0][1] = vec - take
            left -= k
            done += take
        if done.any():
            self.queued[d] -= done
            self.staying[d] += done
            self._schedule_stays(d, day, done)
        return done

    def _schedule_stays(self, d: int, day: int, people: np.ndarray) -> None:
        stay = self.specs[d].stay
        u = self.streams.uniform(f"stay:{self.plan.dest_ids[d]}")
        horizon = self.plan.horizon
        if stay is None:
            self.discharges[d, horizon] += people
            return
        for g in np.flatnonzero(people):
            n = int(people[g])
            days = np.ceil(np.asarray(stay.ppf((np.arange(n) + u) / n), dtype=float))
            when = np.minimum(day + np.maximum(days, 1).astype(np.int64), horizon)
            self.discharges[d, :, g] += np.bincount(when, minlength=horizon + 1)
            self.discharge_days.update(np.unique(when).tolist())


def split_values(values: list[int], k: int) -> list[int]:
    """:func:`split_count` of a short list of Python ints (the same steps, in floats of the
    same precision: the same numbers without the cost of numpy calls but in a rare tie)."""
    take = split_nonzero(values, k)  # zeros get nothing: they sort after every remainder
    return take if take is not None else _split_dense(np.array(values, dtype=np.int64),
                                                      k).tolist()


def split_count(vec: np.ndarray, k: int) -> np.ndarray:
    """Take ``k`` people from group counts ``vec`` proportionally (largest remainder)."""
    nz = np.flatnonzero(vec)
    if 2 * len(nz) > len(vec):
        return _split_dense(vec, k)
    take = split_nonzero(vec[nz].tolist(), k)  # the others get nobody
    if take is None:
        return _split_dense(vec, k)
    out = np.zeros_like(vec)
    out[nz] = take
    return out


def split_nonzero(values: list[int], k: int) -> list[int] | None:
    """:func:`split_count` of a vector given by its non-zero ``values`` (in group order;
    zeros among them take nobody); None when the empty groups would share the ties (then
    only the full vector gives :func:`split_count`'s answer)."""
    total = sum(values)
    if k >= total:
        return list(values)
    if k <= 0:
        return [0] * len(values)
    f = k / total
    exact = [v * f for v in values]
    take = [math.floor(e) for e in exact]
    short = k - sum(take)
    if short:
        rest = [j for j in range(len(values)) if exact[j] - take[j] > 0]
        if short > len(rest):  # empty groups would share the ties: as the full sort does
            return None
        for j in sorted(rest, key=lambda j: -(exact[j] - take[j]))[:short]:
            take[j] += 1
    return [min(t, v) for t, v in zip(take, values)]


def _split_dense(vec: np.ndarray, k: int) -> np.ndarray:
    """:func:`split_count` on every group at once."""
    total = int(vec.sum())
    if k >= total:
        return vec.copy()
    if k <= 0:
        return np.zeros_like(vec)
    exact = vec * (k / total)
    take = np.floor(exact).astype(np.int64)
    short = k - int(take.sum())
    if short:
        order = np.argsort(-(exact - take), kind="stable")
        take[order[:short]] += 1
    return np.minimum(take, vec)
