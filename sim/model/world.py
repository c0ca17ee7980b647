"""The SimPy world: state, the daily cycle, and the run that returns numpy records.

Each day d (at time t = d) runs, in order: record the end of day d-1 (stocks, and the
holding costs and guard-days of day d-1, which follow from the end-of-day stocks); timeline
events of day d; recaptures coming back; escapes and breakouts; releases and repatriation;
reception discharges and screening; capacity orders; then the dispatcher plans trips with
day d's crossing quota. Trips run as SimPy processes and call
the dispatcher again when their unit is free. The conflict alternation is its own process.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from sim.costs import COST_CATEGORIES, PersonnelKind
from sim.model.conflict import Conflict
from sim.model.dispatch import Dispatcher
from sim.model.escapes import Escapes
from sim.model.funding import Backlog, CapacityOrder, Step, Treasury
from sim.model.ledger import Ledger
from sim.model.plan import compile_plan
from sim.model.reasons import BLOCK_REASONS
from sim.model.reception import Reception, split_count
from sim.model.records import RawRun
from sim.rng import Streams
from sim.scenario.schema import Scenario
from sim.scenario.timeline import controller_schedule, open_schedule
from sim.scenario.vocabulary import Action

_REPATRIATE = int(Action.repatriate)
_GUARD = int(PersonnelKind.guard)
_END_OF_DAY = 1.0 - 1e-9  # the daily record is taken at t = d + _END_OF_DAY
_COST = {k: i for i, k in enumerate(COST_CATEGORIES)}


class World:
    def __init__(self, scenario: Scenario, replication: int = 0, treasury: Treasury | None = None,
                 seed: int | None = None):
        plan = compile_plan(scenario)
        self.plan = plan
        self.scn = scenario
        self.replication = replication
        self.env = simpy.Environment()
        root = scenario.metadata.seed if seed is None else seed
        self.streams = Streams(root, replication)
        self.treasury = treasury if treasury is not None else Treasury()
        self.ledger = Ledger(plan)
        self.nat_matrix = plan.nat_matrix()
        S, G = plan.initial_stock.shape
        D, F, C = len(plan.dest_ids), len(plan.fleet_ids), len(plan.crossing_ids)
        T = plan.horizon

        self.stock = plan.initial_stock.copy()
        self.in_transit = np.zeros(G, dtype=np.int64)
        self.released = np.zeros(G, dtype=np.int64)
        self.repatriated = np.zeros(G, dtype=np.int64)
        self.units_free = np.array([scenario.fleets[f].units for f in plan.fleet_ids],
                                   dtype=np.int64)
        self.units_total = self.units_free.copy()
        self.crossing_used = np.zeros(C, dtype=np.int64)
        self.crossing_base = np.array([scenario.crossings[c].daily_throughput
                                       for c in plan.crossing_ids], dtype=np.int64)
        self.accepted_total = 0
        self.accepted_period: dict[tuple[int, int], int] = {}
        self._caps = [(scenario.day(c.start), scenario.day(c.end) if c.end is not None else T + 1,
                       c.period_days, c.max_people) for c in scenario.acceptance.caps]
        self.release_carry = np.zeros(len(scenario.dispositions))
        self._programmes = []  # (programme, nationality index, due on day d [T])
        for prog in scenario.repatriation:
            start = scenario.day(prog.start)
            end = scenario.day(prog.end) if prog.end is not None else T - 1
            due = np.zeros(T, dtype=bool)
            due[start:end + 1:prog.every_days] = True
            self._programmes.append((prog, plan.nat_ids.index(prog.country), due))
        self._repatriable = {
            n: (plan.action == _REPATRIATE) & (plan.group_nat == n)[None, :]
            for _, n, _ in self._programmes}
        self._release_rules = [(r, scenario.day(rule.start), rule.rate_per_day, plan.rule == r)
                               for r, rule in enumerate(scenario.dispositions)
                               if rule.action == "release"]
        self.orders: list[CapacityOrder] = []
        self.bought_beds = np.zeros(D, dtype=np.int64)  # beds delivered by a pooled fund
        self.capacity_version = 0  # bumped whenever beds or units are added or changed
        self.events: list[tuple[float, str, str, str]] = []

        self.conflict = Conflict(self.env, plan, self.streams)
        self.reception = Reception(plan, self.streams)
        self.escapes = Escapes(plan, self.streams)
        self.dispatcher = Dispatcher(self)
        dest_cost = np.array([d.cost_per_person_day for d in self.reception.specs])
        self._site_per_person = plan.upkeep[None, :] + plan.site_cost[:, None]  # [S, G]
        self._dest_per_person = plan.upkeep[None, :] + dest_cost[:, None]  # [D, G]
        self._guard_cost = scenario.costs.guard_cost_per_person_day
        # units bought for a fleet are booked at the first destination the fleet serves
        self._fleet_home = [next((r.destination for r in plan.routes if r.fleet == f), 0)
                            for f in range(len(plan.fleet_ids))]
        self._dest_category = [_COST["rehabilitation" if d.kind == "rehabilitation"
                                     else "detention_iraq"] for d in self.reception.specs]
        self._controllers = controller_schedule(scenario)
        self._site_open, self._crossing_open = open_schedule(scenario)
        self._controller_mult = np.array([scenario.controllers[c].escape_multiplier
                                          for c in plan.controller_ids])
        self._site_hazard = plan.base_hazard.max(axis=1)
        self._timeline = self._dated_events()
        self._no_discharge = [spec.stay is None for spec in self.reception.specs]
        self._last_bed_change = [max((scenario.day(ev.start) for ev in scenario.conflict.timeline
                                      if ev.kind == "capacity_change"
                                      and ev.destination == did), default=-1)
                                 for did in plan.dest_ids]

        self.rec = {
            "site_stock": np.zeros((T, S, G), dtype=np.int64),
            "dest_stock": np.zeros((T, D, G), dtype=np.int64),
            "in_transit": np.zeros((T, G), dtype=np.int64),
            "arrived": np.zeros((T, G), dtype=np.int64),
            "discharged": np.zeros((T, G), dtype=np.int64),
            "released": np.zeros((T, G), dtype=np.int64),
            "repatriated": np.zeros((T, G), dtype=np.int64),
            "escaped": np.zeros((T, G), dtype=np.int64),
            "recaptured": np.zeros((T, G), dtype=np.int64),
            "beds": np.zeros((T, D), dtype=np.int64),
            "units": np.zeros((T, F), dtype=np.int64),
            "controller": np.zeros((T, S), dtype=np.int64),
            "fighting": np.zeros(T, dtype=np.int8),
            "blocked": np.zeros((T, len(BLOCK_REASONS)), dtype=np.int64),
            "waiting": np.zeros(T, dtype=np.int64),
            "stuck": np.zeros(T, dtype=np.int64),
            "reason": np.full((T, S, G), -1, dtype=np.int8),
        }
        self._blocked_yesterday = np.zeros(len(BLOCK_REASONS), dtype=np.int64)

    # ------------------------------------------------------------------ schedules
    def _dated_events(self) -> dict[int, list]:
        out: dict[int, list] = {}
        for ev in self.scn.conflict.timeline:
            if ev.kind in ("capacity_change", "breakout", "control_change"):
                out.setdefault(self.scn.day(ev.start), []).append(ev)
        return out

    # ------------------------------------------------------------------ state queries
    def controller_index(self, t: float) -> np.ndarray:
        return self._controllers[min(int(t), self.plan.horizon)]

    def controller_multipliers(self) -> np.ndarray:
        return self._controller_mult[self.controller_index(self.env.now)]

    def site_risk(self) -> np.ndarray:
        """Per-site daily escape hazard per person now (used to order dispatch)."""
        return self._site_hazard * self.controller_multipliers()

    def site_accessible(self, s: int) -> bool:
        return bool(self._site_open[min(int(self.env.now), self.plan.horizon), s])

    def crossing_left(self, c: int) -> int:
        if not self._crossing_open[min(int(self.env.now), self.plan.horizon), c]:
            return 0
        quota = int(self.crossing_base[c] * self.conflict.effect().crossing_quota)
        return max(quota - int(self.crossing_used[c]), 0)

    def acceptance_left(self, day: int) -> int:
        total = self.scn.acceptance.total
        room = total - self.accepted_total if total is not None else 1 << 40
        for i, (start, end, period_days, max_people) in enumerate(self._caps):
            if start <= day < end:
                used = self.accepted_period.get((i, (day - start) // period_days), 0)
                room = min(room, max_people - used)
        return max(room, 0)

    def total_left(self) -> int:
        """People Iraq may still receive in all (its acceptance total less those accepted)."""
        total = self.scn.acceptance.total
        return total - self.accepted_total if total is not None else 1 << 40

    def beds_final(self, d: int) -> bool:
        """Whether destination d's free beds can never grow: nobody leaves it within the
        horizon, no capacity change is still to come, and no fund may buy beds for it."""
        return (self._no_discharge[d] and int(self.env.now) >= self._last_bed_change[d]
                and not self.treasury.may_buy("beds", d))

    def accept(self, day: int, n: int) -> None:
        self.accepted_total += n
        for i, (start, end, period_days, _) in enumerate(self._caps):
            if start <= day < end:
                key = (i, (day - start) // period_days)
                self.accepted_period[key] = self.accepted_period.get(key, 0) + n

    # ------------------------------------------------------------------ daily steps
    def _apply_events(self, day: int) -> None:
        for ev in self._timeline.get(day, ()):
            if ev.kind == "capacity_change":
                d = self.plan.dest_ids.index(ev.destination)
                # the timeline sets the destination's own beds; beds a fund bought stay
                self.reception.beds[d] = ev.beds + self.bought_beds[d]
                self.capacity_version += 1
                self.events.append((day, "capacity_change", ev.destination, f"beds={ev.beds}"))
            elif ev.kind == "breakout":
                s = self.plan.site_ids.index(ev.site)
                out = self.escapes.breakout(day, self.stock, s, ev.fraction)
                self.events.append((day, "breakout", ev.site, f"escaped={int(out.sum())}"))
            elif ev.kind == "control_change":
                self.events.append((day, "control_change", ev.site, ev.controller))

    def _releases(self, day: int) -> None:
        """Release rules: ``rate_per_day`` people a day from open sites, pro rata by group."""
        open_sites = self._site_open[day][:, None]
        for r, start, rate, mask in self._release_rules:
            if day < start:
                continue
            pool = self.stock * (mask & open_sites)
            available = int(pool.sum())
            if available == 0:
                self.release_carry[r] = 0.0
                continue
            self.release_carry[r] += rate
            n = min(int(self.release_carry[r]), available)
            self.release_carry[r] -= n
            if n:
                take = split_count(pool.ravel(), n).reshape(pool.shape)
                self.stock -= take
                self.released += take.sum(axis=0)

    def _repatriation(self, day: int) -> None:
        """Repatriation batches due today, taken pro rata from open sites."""
        for prog, nat, due in self._programmes:
            if not due[day]:
                continue
            mask = (self._repatriable[nat] & (self.plan.start_day <= day)
                    & self._site_open[day][:, None])
            pool = self.stock * mask
            take = split_count(pool.ravel(), prog.batch_size).reshape(pool.shape)
            n = int(take.sum())
            if not n:
                continue
            self.stock -= take
            self.repatriated += take.sum(axis=0)
            for s in np.flatnonzero(take.sum(axis=1)):
                by_nat = take[s] @ self.nat_matrix * prog.cost_per_person
                self.ledger.book(day, _COST["repatriation"], s, by_nat)
            self.events.append((day, "repatriation", prog.country, f"people={n}"))

    def _reception(self, day: int) -> None:
        """Discharges, then each destination screens its queue (FIFO, ``intake_per_day``
        people a day; their payers approved the screening with the transfer)."""
        rec, S = self.reception, len(self.plan.site_ids)
        rec.discharge(day)
        for d, spec in enumerate(rec.specs):
            if not rec.queued[d].any():
                continue
            done = rec.screen(d, day, spec.intake_per_day)
            if done.any():
                self.ledger.book(day, _COST["screening"], S + d,
                                 done @ self.nat_matrix * spec.screening_cost_per_person)

    def _holding_rows(self, stock: np.ndarray, occ: np.ndarray):
        """Holding costs and guards by nationality for stocks at sites ([..., S, G]) and in
        Iraq ([..., D, G]): custody and upkeep at sites, at destinations, guard-days."""
        plan, nat = self.plan, self.nat_matrix
        site = (stock * self._site_per_person) @ nat
        dest = (occ * self._dest_per_person) @ nat
        guards = (np.concatenate([stock, occ], axis=-2) * plan.guards_per_person) @ nat
        return site, dest, guards

    def holding_step(self, stock: np.ndarray, occ: np.ndarray, sign: float = 1.0) -> Step:
        """The daily holding costs of people ``stock`` at sites ([S, G]) and ``occ`` in Iraq
        ([D, G]) as a step's holding entries (times ``sign``)."""
        site, dest, guards = self._holding_rows(stock, occ)
        S = len(self.plan.site_ids)
        rows = [(_COST["detention_syria"], s, sign * site[s]) for s in range(S) if site[s].any()]
        rows += [(cat, S + d, sign * dest[d]) for d, cat in enumerate(self._dest_category)
                 if dest[d].any()]
        rows += [(_COST["security"], loc, sign * guards[loc] * self._guard_cost)
                 for loc in np.flatnonzero(guards.any(axis=1))]
        return Step(holding=rows)

    def _holding_costs_all(self) -> None:
        """Unavoidable costs of holding everyone (custody and upkeep at sites, at
        destinations, guard-days), for every day at once from the end-of-day record."""
        ledger, S = self.ledger, len(self.plan.site_ids)
        site, dest, guards = self._holding_rows(self.rec["site_stock"], self.rec["dest_stock"])
        ledger.cost[:, _COST["detention_syria"], :S] += site
        for d, cat in enumerate(self._dest_category):
            ledger.cost[:, cat, S + d] += dest[:, d]
        ledger.personnel[:, _GUARD] += guards
        ledger.cost[:, _COST["security"]] += guards * self._guard_cost

    def _capacity_orders(self, day: int) -> None:
        if not self.treasury.buys_capacity:
            return
        backlog = Backlog(day=day, waiting=self._waiting(day),
                          blocked_by=dict(zip(BLOCK_REASONS, self._blocked_yesterday.tolist())),
                          free_beds=self.reception.free_beds(), free_units=self.units_free.copy())
        for order in self.treasury.orders(backlog):
            self.orders.append(order)
            S = len(self.plan.site_ids)
            loc = S + (order.target if order.kind == "beds" else self._fleet_home[order.target])
            by_nat = np.zeros(len(self.plan.nat_ids))
            by_nat[:] = order.cost / len(by_nat)
            self.ledger.book(day, _COST["capacity_expansion"], loc, by_nat)
            self.env.process(self._deliver(order))

    def _deliver(self, order: CapacityOrder) -> Generator:
        yield self.env.timeout(max(order.ready_day - self.env.now, 0))
        self.capacity_version += 1
        if order.kind == "beds":
            self.reception.beds[order.target] += order.amount
            self.bought_beds[order.target] += order.amount
        else:
            self.units_free[order.target] += order.amount
            self.units_total[order.target] += order.amount
        self.dispatcher.plan()
        self.events.append((self.env.now, "capacity_added", order.kind,
                            f"target={order.target} amount={order.amount}"))

    def _waiting(self, day: int) -> int:
        """People waiting at sites for a transfer that has started."""
        return int(self.dispatcher.waiting_all(day).sum())

    def _record(self, day: int) -> None:
        r, rec = self.rec, self.reception
        r["site_stock"][day] = self.stock
        r["dest_stock"][day] = rec.occupancy
        r["in_transit"][day] = self.in_transit
        r["arrived"][day] = rec.arrived
        r["discharged"][day] = rec.discharged
        r["released"][day] = self.released
        r["repatriated"][day] = self.repatriated
        r["escaped"][day] = self.escapes.escaped
        r["recaptured"][day] = self.escapes.recaptured
        r["beds"][day] = rec.beds
        r["units"][day] = self.units_total
        r["controller"][day] = self.controller_index(day)
        r["fighting"][day] = self.conflict.state() == "fighting"
        blocked, stuck = self.dispatcher.diagnose(day, r["reason"][day])
        r["blocked"][day] = blocked
        r["stuck"][day] = stuck
        self._blocked_yesterday = blocked
        r["waiting"][day] = self._waiting(day)

    def _days(self) -> Generator:
        horizon = self.plan.horizon
        for day in range(horizon):
            if day:  # the end of the previous day was recorded just before this instant
                yield _day_start(self.env, day - self.env.now)
            if day in self.treasury.fiscal_year_starts:
                self.treasury.start_year(
                    day, self.holding_step(self.stock, self.reception.occupancy),
                    self.dispatcher.queue(day))
            self._apply_events(day)
            self.escapes.recapture(day, self.stock)
            eff = self.conflict.effect()
            self.escapes.step(day, self.stock, self.controller_multipliers(), eff.escape,
                              eff.breakout)
            self._releases(day)
            self._repatriation(day)
            self._reception(day)
            self._capacity_orders(day)
            self.crossing_used[:] = 0
            self.dispatcher.plan()
            # record the end of the day an instant before the next one starts, so that the
            # record sees the day's conflict state, closures and controllers
            yield self.env.timeout(day + _END_OF_DAY - self.env.now)
            self._record(day)

    # ------------------------------------------------------------------ run
    def run(self) -> RawRun:
        done = self.env.process(self._days())
        self.env.run(until=done)
        self._holding_costs_all()
        self.events.sort(key=lambda e: e[0])
        return RawRun(
            plan=self.plan,
            replication=self.replication,
            cost=self.ledger.cost,
            personnel=self.ledger.personnel,
            escort=self.ledger.escort,
            trips=self.dispatcher.trips,
            events=self.events,
            escaped_by_site=self.escapes.by_site,
            departures=self.dispatcher.departures,
            orders=self.orders,
            **self.rec,
        )


def _day_start(env: simpy.Environment, delay: float) -> simpy.Event:
    """A timeout that fires before every other event due at the same instant: the daily steps
    of day d run before trip events at exactly t = d (a unit back, an arrival, a delivery),
    so that those see day d's crossing counters and are screened from day d + 1."""
    event = simpy.Event(env)
    event._ok, event._value = True, None  # triggered, as simpy's Timeout does
    env.schedule(event, simpy.events.URGENT, delay)
    return event


def run_world(scenario: Scenario, replication: int = 0, treasury: Treasury | None = None,
              seed: int | None = None) -> RawRun:
    """Simulate one replication of ``scenario``; return numpy records."""
    return World(scenario, replication, treasury, seed).run()
