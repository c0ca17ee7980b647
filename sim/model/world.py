"""The SimPy world: the parts wired together, and the run that returns numpy records.

Each day d runs, at t = d and before any other event due then, the steps that have
something to do, in this order: a payer's fiscal year starting; timeline events; recaptures
coming back; escapes and breakouts; releases and repatriation; discharges and screening;
capacity orders; then the dispatcher plans trips with day d's crossing quota (only when
something a dispatch attempt can see has changed since it last planned). Trips are SimPy
events (arrival, unit back) that call the dispatcher again when a unit is free. The record
of day d is its state at t = d + 1 - 1e-9. A day on which nothing can happen costs nothing:
no step runs, no event is scheduled, and its record is the previous day's.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from sim.costs import COST_CATEGORIES
from sim.model.clock import Clock
from sim.model.conflict import END_OF_DAY, Conflict
from sim.model.diagnosis import Diagnosis
from sim.model.dispatch import Dispatcher
from sim.model.escapes import Escapes
from sim.model.flows import Flows
from sim.model.funding import Backlog, CapacityOrder, Treasury
from sim.model.gate import PlanningGate
from sim.model.holding import Holding
from sim.model.ledger import Ledger
from sim.model.plan import compile_plan
from sim.model.queue import FundingQueue
from sim.model.reasons import BLOCK_REASONS, BlockReason
from sim.model.reception import Reception
from sim.model.recorder import Recorder
from sim.model.records import RawRun
from sim.model.state import State
from sim.model.transport import Transport
from sim.rng import Streams
from sim.scenario.schema import Scenario

_COST = {k: i for i, k in enumerate(COST_CATEGORIES)}
_HELD = (int(BlockReason.beds), int(BlockReason.units))


class World:
    def __init__(self, scenario: Scenario, replication: int = 0, treasury: Treasury | None = None,
                 seed: int | None = None):
        plan = scenario.derived("model:plan", lambda: compile_plan(scenario))
        self.plan = plan
        self.scn = scenario
        self.replication = replication
        self.env = Clock()
        root = scenario.metadata.seed if seed is None else seed
        self.streams = Streams(root, replication)
        self.treasury = treasury if treasury is not None else Treasury()
        self.ledger = Ledger(plan)
        self.nat_matrix = plan.nat_matrix()
        T = plan.horizon
        self.state = state = State(plan)
        self.conflict = Conflict(plan, self.streams)
        self.conflict.start(self.env)
        fight_start, self._fight_end = self.conflict.daily(T)
        eff = self.conflict.effects
        escape_mult = np.where(fight_start, eff["fighting"].escape, eff["ceasefire"].escape)
        breakout_mult = np.where(fight_start, eff["fighting"].breakout, eff["ceasefire"].breakout)
        self.reception = Reception(plan, self.streams)
        self.escapes = Escapes(plan, self.streams, state.controller_mult[:T],
                               escape_mult, breakout_mult)
        self.flows = Flows(plan, state.site_open, self.ledger)
        self.marks: set[str] = set()  # records changed since the last one was written
        self.dispatcher = Dispatcher(plan, self.env, state, self.reception, self.conflict,
                                     self.treasury, self.ledger, Transport(plan, self.streams),
                                     self.marks)
        self._carried = self.dispatcher.carried.tolist()  # [S][G]: groups some pair carries
        self.orders: list[CapacityOrder] = []
        self.bought_beds = np.zeros(len(plan.dest_ids), dtype=np.int64)
        self.events: list[tuple[float, str, str, str]] = []
        self.holding = Holding(plan, self.reception.specs)
        self.queue = FundingQueue(self.dispatcher, self.holding.move,
                                  scenario.derived("model:funding-queue", lambda: ({}, {})))
        # units bought for a fleet are booked at the first destination the fleet serves
        self._fleet_home = [next((r.destination for r in plan.routes if r.fleet == f), 0)
                            for f in range(len(plan.fleet_ids))]
        self._timeline: dict[int, list] = {}
        for ev in scenario.conflict.timeline:
            if ev.kind in ("capacity_change", "breakout", "control_change"):
                self._timeline.setdefault(scenario.day(ev.start), []).append(ev)
        self.gate = PlanningGate(plan, state, self.dispatcher, self.conflict,
                                 set(self._timeline) | set(self.treasury.fiscal_year_starts))
        self._diagnose = False  # the waiting people or their reasons may have changed
        self._held_yesterday = np.zeros(len(BLOCK_REASONS), dtype=np.int64)
        self._held_for_capacity = False  # people were held back by beds or units yesterday
        G, S = plan.n_groups, plan.n_sites
        self.recorder = Recorder(T, {
            "site_stock": plan.initial_stock, "dest_stock": self.reception.occupancy,
            "in_transit": state.in_transit, "arrived": np.zeros(G, dtype=np.int64),
            "discharged": np.zeros(G, dtype=np.int64), "released": state.released,
            "repatriated": state.repatriated, "escaped": np.zeros(G, dtype=np.int64),
            "recaptured": np.zeros(G, dtype=np.int64), "beds": self.reception.beds,
            "units": state.units_total,
            "blocked": np.zeros(len(BLOCK_REASONS), dtype=np.int64),
            "waiting": np.int64(0), "stuck": np.int64(0),
            "reason": np.full((S, G), -1, dtype=np.int8),
            "held_for_funding": np.zeros(len(self.treasury.budgeted), dtype=np.int64)})
        self.diagnosis = Diagnosis(self.dispatcher, self.treasury, self.recorder, S,
                                   eager=self.treasury.buys_capacity)
        st, rec = self.state, self.reception  # the arrays recorded (changed in place)
        self._records = {"site_stock": st.stock, "in_transit": st.in_transit,
                         "arrived": rec.arrived, "discharged": rec.discharged,
                         "released": st.released, "repatriated": st.repatriated,
                         "escaped": self.escapes.escaped, "recaptured": self.escapes.recaptured,
                         "beds": rec.beds, "units": st.units_total}

    # ------------------------------------------------------------------ the day's steps
    def _moved(self, change: np.ndarray | list | None, *records: str,
               back: bool = False) -> None:
        """People left the sites (``change``: [S, G], or (site, group, count) cells; None:
        nobody), or, with ``back``, came back to them (cells)."""
        if change is None:
            return
        self.marks.update(("site_stock", *records))
        if isinstance(change, list):
            carried = self._carried
            waits = any(carried[s][g] for s, g, _ in change)
        else:
            waits = bool((change[self.dispatcher.carried] != 0).any())
        if waits:
            if back:
                self.gate.came_back(change)
            else:
                self.state.looser_version += 1
            self._diagnose = True

    def _apply_events(self, day: int) -> None:
        for ev in self._timeline.get(day, ()):
            if ev.kind == "capacity_change":
                d = self.plan.dest_ids.index(ev.destination)
                # the timeline sets the destination's own beds; beds a fund bought stay
                self.reception.beds[d] = ev.beds + self.bought_beds[d]
                self.dispatcher.capacity_version += 1
                self.marks.add("beds")
                self.events.append((day, "capacity_change", ev.destination, f"beds={ev.beds}"))
            elif ev.kind == "breakout":
                s = self.plan.site_ids.index(ev.site)
                out = self.escapes.breakout(day, self.state.stock, s, ev.fraction)
                self._moved(out, "escaped")
                self.events.append((day, "breakout", ev.site, f"escaped={int(out.sum())}"))
            elif ev.kind == "control_change":
                self.events.append((day, "control_change", ev.site, ev.controller))

    def _reception(self, day: int) -> None:
        """Discharges, then each destination screens its queue (FIFO, ``intake_per_day``
        people a day; their payers approved the screening with the transfer)."""
        rec, S = self.reception, len(self.plan.site_ids)
        if rec.discharge(day) is not None:
            self.marks.update(("dest_stock", "discharged"))
            self.state.looser_version += 1  # beds are free again
        for d, spec in enumerate(rec.specs):
            if not rec.ready(d, day):
                continue
            done = rec.screen(d, day, spec.intake_per_day)
            if done.any():
                self.ledger.book(day, _COST["screening"], S + d,
                                 done @ self.nat_matrix * spec.screening_cost_per_person)

    def _capacity_orders(self, day: int) -> None:
        tr = self.treasury
        if not tr.buys_capacity or (day not in tr.pledge_days
                                    and not self._held_for_capacity):
            return
        backlog = Backlog(day=day, waiting=int(self.dispatcher.waiting_all(day).sum()),
                          blocked_by=dict(zip(BLOCK_REASONS, self._held_yesterday.tolist())),
                          free_beds=self.reception.free_beds(),
                          free_units=self.state.units_free.copy())
        for order in tr.orders(backlog):
            self.orders.append(order)
            self.state.version += 1  # what the fund may still buy changed
            S = len(self.plan.site_ids)
            loc = S + (order.target if order.kind == "beds" else self._fleet_home[order.target])
            by_nat = np.zeros(len(self.plan.nat_ids))
            by_nat[:] = order.cost / len(by_nat)
            self.ledger.book(day, _COST["capacity_expansion"], loc, by_nat)
            self.env.process(self._deliver(order))

    def _deliver(self, order: CapacityOrder) -> Generator:
        yield self.env.timeout(max(order.ready_day - self.env.now, 0))
        self.dispatcher.capacity_version += 1
        if order.kind == "beds":
            self.reception.beds[order.target] += order.amount
            self.bought_beds[order.target] += order.amount
            self.marks.add("beds")
        else:
            self.state.units_free[order.target] += order.amount
            self.state.units_total[order.target] += order.amount
            self.marks.add("units")
        self.state.version += 1
        now = self.env.now
        self.dispatcher.at(now, int(now))
        self.dispatcher.plan()
        self.events.append((now, "capacity_added", order.kind,
                            f"target={order.target} amount={order.amount}"))

    def _due(self, day: int) -> bool:
        """Whether any step of ``day`` has something to do."""
        if self.escapes.due(day) or self.flows.due(day) or day in self.gate.days:
            return True
        if self.reception.due(day):
            return True
        tr = self.treasury
        if tr.buys_capacity and (day in tr.pledge_days or self._held_for_capacity):
            return True
        return self.gate.due(day)

    def _day(self, day: int) -> None:
        state, stock = self.state, self.state.stock
        if day in self.treasury.fiscal_year_starts:
            self.treasury.start_year(day, self.holding.step(stock, self.reception.occupancy),
                                     self.queue(day))
            state.version += 1
        self._apply_events(day)
        esc, flows = self.escapes, self.flows
        if day in esc.returns:
            back = esc.recapture(day, stock)
            if back is not None:
                flows.refilled(back)
            self._moved(back, "recaptured", back=True)
        self._moved(esc.step(day, stock), "escaped")
        if flows.releases_today(day, stock, state.released):
            self.marks.update(("site_stock", "released"))
        if flows.repatriation_today(day, stock, state.repatriated, self.events):
            self.marks.update(("site_stock", "repatriated"))
        if self.reception.due(day):
            self._reception(day)
        self._capacity_orders(day)
        if day in self.gate.days:
            self._diagnose = True  # e.g. a transfer starts: people begin to wait
        if self.gate.due(day):
            self.gate.plan(day)

    # ------------------------------------------------------------------ the record
    def _read(self, name: str):
        if name == "dest_stock":
            return self.reception.occupancy
        return self._records[name]

    def _end_of_day(self, day: int, t: float) -> None:
        if self.dispatcher.tried:
            self.dispatcher.tried = False
            self._diagnose = True
        if self.marks:
            self.recorder.write_all(day, self.marks, self._read)
            self.marks.clear()
        if self._diagnose:
            self._diagnose = False
            self.dispatcher.at(t, day, live=False)
            blocked = self.diagnosis.note(day)
            if blocked is not None:  # counted now: a fund buys from what was held back
                self._held_yesterday = blocked
                self._held_for_capacity = bool(blocked[list(_HELD)].any())

    # ------------------------------------------------------------------ run
    def run(self) -> RawRun:
        env, state = self.env, self.state
        for day in range(self.plan.horizon):
            if env.peek() < day:  # events after yesterday's record are today's
                env.advance(day)
            if state.crossing_day < day and state.crossing_counted:
                state.crossing_used[:] = 0  # a new day's quota
                state.crossing_day, state.crossing_counted = day, False
                state.version += 1
            if self._due(day):
                if env.now < day:
                    env.advance(day)
                self._day(day)
            record = day + (day + END_OF_DAY - day)
            if env.peek() < record:
                env.advance(record)
            self._end_of_day(day, record)
        return self._finish()

    def _finish(self) -> RawRun:
        self.diagnosis.finish()
        rec = self.recorder.finish()
        T = self.plan.horizon
        self.holding.book(self.ledger, self.recorder.distinct("site_stock"),
                          self.recorder.distinct("dest_stock"))
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
            controller=np.ascontiguousarray(self.state.controllers[:T]),
            fighting=self._fight_end.astype(np.int8),
            budgeted=self.treasury.budgeted,
            **rec,
        )


def run_world(scenario: Scenario, replication: int = 0, treasury: Treasury | None = None,
              seed: int | None = None) -> RawRun:
    """Simulate one replication of ``scenario``; return numpy records."""
    return World(scenario, replication, treasury, seed).run()
