"""The dispatcher: plans each trip under every constraint at once, and runs trips.

A trip from site s to destination d goes only if, at the same moment: the site is open, an
open route has a free unit, the destination has free (unreserved) beds, the crossing has
quota left today, the acceptance caps have room, and the payers approved the people on
board. The load is the minimum of seats, waiting approved people, free beds, crossing quota
and acceptance room; it must reach the fleet's ``min_load`` unless it is the last load.
Beds, quota and acceptance are taken at dispatch, so arrivals never overshoot. When people
wait but no trip can leave, the first binding constraint is recorded, in the order of
``BLOCK_REASONS``: lasting constraints (site access, open routes, acceptance caps, beds,
crossing quota) before the fleet (busy units, which come back) and money.
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.model.boarding import select_load
from sim.model.conflict import Conflict
from sim.model.funding import Treasury
from sim.model.ledger import Ledger
from sim.model.plan import Plan
from sim.model.reasons import BLOCK_REASONS
from sim.model.reception import Reception
from sim.model.records import Trip
from sim.model.state import State
from sim.model.transport import Transport, TripCost
from sim.scenario.vocabulary import Action

_LASTING = frozenset(BLOCK_REASONS) - {"units"}
_UNKNOWN = "unknown"  # held back, reason not yet evaluated


class Dispatcher:
    def __init__(self, plan: Plan, env: simpy.Environment, state: State, reception: Reception,
                 conflict: Conflict, treasury: Treasury, ledger: Ledger, transport: Transport,
                 marks: set[str]):
        scn = plan.scenario
        self.compiled, self.env, self.state, self.reception = plan, env, state, reception
        self.conflict, self.treasury, self.ledger, self.transport, self.marks = (
            conflict, treasury, ledger, transport, marks)
        self.fleets = [scn.fleets[f] for f in plan.fleet_ids]
        self.routes_of = {pair: [r for r in plan.routes
                                 if (r.origin, r.destination) == pair] for pair in plan.pairs}
        self.trips: list[Trip] = []
        self.departures: list[tuple[float, int, np.ndarray]] = []  # (time, site, people)
        self.capacity_version = 0  # bumped whenever beds or units are added or changed
        self.tried = self.closed = False  # attempted since the world looked; Iraq's total used up
        self._fight_closes = {pair: any(r.closed_when_fighting for r in routes)
                              for pair, routes in self.routes_of.items()}
        least = {r.index: min(self.fleets[r.fleet].min_load, self.fleets[r.fleet].seats)
                 for r in plan.routes}  # smallest load a trip on the route takes
        self._route_least = {pair: [(r, least[r.index]) for r in routes]
                             for pair, routes in self.routes_of.items()}
        self._most_least = [max(least[r.index] for r in self.routes_of[p]) for p in plan.pairs]
        P = len(plan.pairs)
        self.last_reason: list[str | None] = [None] * P
        self.final = [False] * P  # held back by a reason that cannot end
        # held back for money with none of its people approved: 1; and as many waiting as any
        # of its trips takes at least, none of its groups approved: 2 (more waiting: the same)
        self.nobody_funded = [0] * P
        self.unfunded: list[np.ndarray | None] = [None] * P  # groups left off unapproved
        self._order: tuple[int, list[tuple[int, int]]] = (-1, [])
        self._blocked_epoch, self._tried_epoch = [None] * P, [None] * P  # (day, state, capacity)
        self._fleets_of = [{r.fleet for r in self.routes_of[pair]} for pair in plan.pairs]
        transfer = plan.action == Action.transfer
        self._one_band = [len(set(plan.priority[s][transfer[s]].tolist())) <= 1
                          for s in range(len(plan.site_ids))]
        self._pair_site = np.array([s for s, _ in plan.pairs], dtype=np.int64)
        self._pair_index = {pair: i for i, pair in enumerate(plan.pairs)}
        dests = np.array([d for _, d in plan.pairs], dtype=np.int64)
        self._carries = ((plan.action[self._pair_site] == Action.transfer)
                         & (plan.dest_of[self._pair_site] == dests[:, None]))  # [P, G]
        self.carried = np.zeros(plan.initial_stock.shape, dtype=bool)  # [S, G] in some pair
        np.logical_or.at(self.carried, self._pair_site, self._carries)
        self._mask_day, self._mask_now, self._ageing = -1, None, scn.dispatch.ageing_days
        self._served = [int(plan.start_day[s][transfer[s] & (plan.dest_of[s] == d)].min())
                        for s, d in plan.pairs]  # last departure day (or transfer start)
        self._priority = {(s, d): int(plan.priority[s][transfer[s] & (plan.dest_of[s] == d)].min())
                          for s, d in plan.pairs}
        self._no_stay = [spec.stay is None for spec in reception.specs]
        self._last_bed_change = [max((scn.day(ev.start) for ev in scn.conflict.timeline
                                      if ev.kind == "capacity_change"
                                      and ev.destination == did), default=-1)
                                 for did in plan.dest_ids]
        self._open_day, self._open = -1, ([], [])  # sites and crossings open that day
        # per pair: (the payers' allowance at its site, whether it approves none it carries)
        self._none_approved: list[tuple] = [(None, False)] * P
        self._state_key, self._state_now = None, ""  # (instant, live, switches), its state
        self._t, self._day, self._live = 0.0, 0, True  # the instant attempts look at

    # ------------------------------------------------------------------ the clock
    def at(self, t: float, day: int, live: bool = True) -> None:
        """Attempts from now on look at the state at time ``t`` of ``day``: ``live`` during
        the run's events and at a day's start (the conflict as its switch events have
        played), else as a record looks back at the end of a day."""
        self._t, self._day, self._live = t, day, live

    def _conflict_state(self) -> str:
        key = (self._t, self._live, self.conflict.live)
        if key != self._state_key:  # the same instant: the same state
            self._state_key = key
            self._state_now = (self.conflict.live_state(self._t) if self._live
                               else self.conflict.state(self._t))
        return self._state_now

    def _effect(self):
        return self.conflict.effects[self._conflict_state()]

    def beds_final(self, d: int) -> bool:
        """Whether destination d's free beds can never grow: nobody leaves it within the
        horizon, no capacity change is still to come, and no fund may buy beds for it."""
        return (self._no_stay[d] and self._day >= self._last_bed_change[d]
                and not self.treasury.may_buy("beds", d))

    # ------------------------------------------------------------------ planning
    def _mask(self, day: int) -> np.ndarray:
        """0/1 [P, G]: the groups each pair carries whose transfer has started by ``day``."""
        if day != self._mask_day:
            self._mask_day, self._mask_now = day, (
                self._carries & (self.compiled.start_day[self._pair_site] <= day)).astype(np.int64)
        return self._mask_now

    def waiting_all(self, day: int) -> np.ndarray:
        """People waiting for each transfer pair ([P, G]), whose disposition has started."""
        return self.state.stock[self._pair_site] * self._mask(day)

    def waiting_on(self, days: np.ndarray, stock: np.ndarray) -> np.ndarray:
        """:meth:`waiting_all` on each of ``days`` from that day's stocks (``stock``,
        [n, S, G]): [n, P, G]."""
        started = self.compiled.start_day[self._pair_site] <= days[:, None, None]
        return stock[:, self._pair_site] * (self._carries & started).astype(np.int64)

    def order(self) -> list[tuple[int, int]]:
        """Transfer pairs by disposition priority (improved by waiting when the scenario's
        ``dispatch.ageing_days`` is set), then by the site's escape risk (highest first),
        then by scenario order."""
        day = self._day
        if self._order[0] != day or self._ageing:  # risks change at most once a day
            risk = self.state.site_risk(day)
            self._order = (day, sorted(self.compiled.pairs, key=lambda pair: (
                self._rank(pair, day), -risk[pair[0]], pair)))
        return self._order[1]

    def _rank(self, pair: tuple[int, int], day: int) -> int:
        if not self._ageing:
            return self._priority[pair]
        waited = day - self._served[self._pair_index[pair]]
        return self._priority[pair] - int(max(waited, 0) // self._ageing)

    def plan(self, freed_fleet: int | None = None) -> None:
        """Dispatch every trip that can leave now (``freed_fleet``: a unit of it came back)."""
        day, state = self._day, self.state
        if self.closed or not self.compiled.pairs:
            return
        self.tried = True
        people = self.waiting_all(day)
        counts = people.sum(axis=1).tolist()  # people waiting for each pair (until a trip)
        waiting = [n > 0 for n in counts]
        if not any(waiting):
            return
        if state.acceptance_left(day) == 0:  # nobody can be received today: no pair moves
            final = state.total_left() == 0
            for i in range(len(waiting)) if final else np.flatnonzero(waiting):
                self.last_reason[i] = "acceptance"
                self.final[i], self.unfunded[i] = final, None
            self.closed = final  # Iraq's total is used up: no pair will ever move again
            return
        # A pair held back by a lasting constraint stays so until the day, the conflict state
        # or a capacity changes: only a returning unit comes back sooner, so skip it till then.
        epoch = (day, self.conflict.live, self.capacity_version)
        for pair in self.order():
            i = self._pair_index[pair]
            if not waiting[i] or self._blocked_epoch[i] == epoch:
                continue
            if (freed_fleet is not None and self._tried_epoch[i] == epoch
                    and freed_fleet not in self._fleets_of[i]):
                continue  # tried this epoch, and the freed unit cannot serve this pair
            if counts is None:  # a trip left: people changed
                people = self.waiting_all(day)
                counts = people.sum(axis=1).tolist()
            reason = self._try_trip(pair, day, True, people[i], counts[i])
            if reason is None:
                counts = None
            while reason is None:
                if not any(state.units_free[f] > 0 for f in self._fleets_of[i]):
                    reason = _UNKNOWN  # no unit left: which constraint binds is settled later
                    break
                reason = self._try_trip(pair, day, dispatch=True)
            self.last_reason[i] = reason
            self._tried_epoch[i] = epoch
            if reason in _LASTING:
                self._blocked_epoch[i] = epoch

    def settle(self, day: int) -> None:
        """Evaluate the reasons left open (pairs whose units ran out) of the pairs for which
        people wait (at the end of ``day``, before the diagnosis)."""
        if _UNKNOWN not in self.last_reason:
            return
        waiting = self.waiting_all(day)
        for i in np.flatnonzero(waiting.any(axis=1)).tolist():
            if self.last_reason[i] is _UNKNOWN:
                self.last_reason[i] = self._try_trip(self.compiled.pairs[i], day, False)

    def _try_trip(self, pair: tuple[int, int], day: int, dispatch: bool,
                  people: np.ndarray | None = None, n_wait: int = 0) -> str | None:
        """Dispatch one trip on ``pair`` (or just check); return the blocking reason or None.
        ``people`` and ``n_wait``: who waits for the pair now, if known.

        Returns ``"done"`` when nobody waits (nothing to do).
        """
        state, rec = self.state, self.reception
        s, d = pair
        i = self._pair_index[pair]
        self.final[i], self.unfunded[i], self.nobody_funded[i] = False, None, 0
        if people is None:
            people = state.stock[s] * self._mask(day)[i]
            n_wait = int(people.sum())
        if n_wait == 0:
            return "done"
        if day != self._open_day:
            self._open_day, self._open = day, state.open_today(day)
        if not self._open[0][s]:
            return "access"
        routes = self._route_least[pair]  # (route, its smallest load), in scenario order
        if self._fight_closes[pair] and self._conflict_state() == "fighting":
            routes = [(r, least) for r, least in routes if not r.closed_when_fighting]
            if not routes:
                return "route"
        accept = state.acceptance_left(day)
        beds = max(int(rec.beds[d] - rec.used[d]), 0)
        total_left = state.total_left()
        beds_final = self.beds_final(d)
        # A fleet's minimum load is waived for the last load: when fewer people wait, or
        # fewer can ever be received (Iraq's total) or housed (beds that never free up).
        last = min(n_wait, total_left)
        if beds_final:
            last = min(last, beds)
        if accept == 0 or last == 0:
            self.final[i] = total_left == 0 or (beds == 0 and beds_final)
            return "acceptance" if accept == 0 or total_left == 0 else "beds"
        needs = [least if least < last else last for _, least in routes]
        least_need = min(needs)
        if accept < least_need:
            return "acceptance"
        if beds < least_need:
            return "beds"
        quota_mult = self._effect().crossing_quota
        units, opened = state.units_free, self._open[1]
        found, usable = None, False  # the first usable route with a free unit
        for (r, least), need in zip(routes, needs):
            q = state.crossing_left(r.crossing, day, quota_mult, opened) \
                if r.crossing >= 0 else n_wait
            if q >= need and accept >= need and beds >= need:
                usable = True
                if units[r.fleet] > 0:
                    found = (r, least, q)
                    break
        if found is None:
            return "units" if usable else "crossing"
        route, least, quota = found
        seats = self.fleets[route.fleet].seats
        # only people whose payers approved their transfer board (in priority order)
        allowed = self.treasury.allowance(s)
        if allowed is None:  # everyone is approved (nobody left off: no mask needed)
            eligible, n_eligible = people, n_wait
        else:
            if self._none_approved[i][0] is not allowed:  # the approvals changed
                self._none_approved[i] = (allowed, not allowed[self._carries[i]].any())
            if self._none_approved[i][1]:  # nobody it carries approved: nobody eligible
                eligible, n_eligible = people, 0
                self.unfunded[i] = people > 0
            else:
                eligible = np.minimum(people, allowed).astype(np.int64)
                n_eligible = int(eligible.sum())
                self.unfunded[i] = (people > 0) & (eligible == 0)
        if n_eligible < n_wait:  # approvals are final for the payers' year: a last load
            last = min(last, n_eligible)
        load = min(seats, n_eligible, beds, quota, accept)
        if load == 0 or load < min(least, last):
            self.nobody_funded[i] = (n_eligible == 0) * (
                1 + (self._none_approved[i][1] and n_wait >= self._most_least[i]))
            return "funding"
        if not dispatch:
            return None
        take = select_load(eligible, load, self.compiled.priority[s], self._one_band[s])
        trip = self.transport.cost(route, take, load, self._effect())
        self.treasury.used(s, take)
        self.transport.left(route.fleet)
        self._dispatch(route, take, load, trip, day)
        return None

    # ------------------------------------------------------------------ trips
    def _dispatch(self, route, take: np.ndarray, n: int, cost: TripCost, day: int) -> None:
        state = self.state
        s, d = route.origin, route.destination
        state.stock[s] -= take
        state.in_transit += take
        self.reception.reserve(d, n)
        if route.crossing >= 0:
            state.use_crossing(route.crossing, day, n)
        state.accept(day, n)
        state.units_free[route.fleet] -= 1
        self.marks.update(("site_stock", "in_transit"))
        self.ledger.book_trip(day, s, cost.transport, cost.escort_pay, cost.escort_days)
        now = self.env.now
        self._served[self._pair_index[(s, d)]] = int(now)
        self.departures.append((now, s, take))
        times = cost.times
        arrive = times.arrive
        trip = Trip(len(self.trips), route.fleet, route.index, s, d, route.crossing, now,
                    now + arrive, now + times.duration, n, times.incident, cost.total,
                    cost.escorts)
        self.trips.append(trip)
        # two timed events per trip (arrival, unit back), as callbacks rather than a process
        self.env.timeout(arrive).callbacks.append(lambda _: self._arrive(trip, take))

    def _arrive(self, trip: Trip, take: np.ndarray) -> None:
        self.state.in_transit -= take
        self.reception.arrive(trip.destination, take, self.env.now, trip.people)
        self.marks.update(("in_transit", "dest_stock", "arrived"))
        self.env.timeout(trip.back - self.env.now).callbacks.append(lambda _: self._back(trip))

    def _back(self, trip: Trip) -> None:
        self.state.units_free[trip.fleet] += 1
        self.state.version += 1
        now = self.env.now
        if now < self.compiled.horizon:
            self.at(now, int(now))
            self.plan(freed_fleet=trip.fleet)
