"""PolicyTreasury: payers' budgets that throttle the programme, and a pooled capacity fund.

**Budgets: a payer plans its year.** A payer with an annual ceiling (pro rata in the first
fiscal year) plans on the first day of each of its fiscal years (day 0 for the first):

1. it sets aside a full year of the daily holding costs it bears for everyone held that day
   (custody, upkeep and guards, at the sites and in Iraq, its share under the policy);
2. it then approves transfers in the programme's priority order (the order in which the
   dispatcher serves the waiting groups), one group after the other, for as long as what is
   left of its ceiling covers the next person in line at the estimated cost of moving them:
   transport and escorts at a full load, screening, and a full year of the holding costs
   the move adds for the payer (falls are not credited). The group where the money runs out
   is approved in part, and nobody behind it is approved that year.

During the year a trip may carry approved people only; a person counts against every payer
with a ceiling that bears part of their cost (a group burdening no payer with a ceiling is
not limited). People not approved wait for the payer's next fiscal year. A payer's plan
depends only on who waits when its year starts, so more capacity or a looser cap moves the
approved people sooner (never fewer), and a larger budget approves a longer part of the
queue. Unavoidable costs accrue whatever the budget; spending above the ceiling in a year is
the payer's *overrun* (from the allocated ledger, :mod:`sim.policy.allocation`). Payers
without a ceiling never hold anyone back.

**Pooled fund.** Contributions (under the fund's rule) are pledged each fiscal year and
carried over. Once a day, an item (beds at a destination or units of a fleet) is ordered
when at least ``threshold`` people were held back by the constraint it relieves on the
previous day, its target is full, no order of the same item is still being built, and the
fund can pay; the capacity arrives ``lag_days`` later. Without a pledge (``annual: null``)
an order is paid from what is left of the contributors' ceilings this year.

The treasury draws no random numbers, so a policy never changes any random stream.
"""

from __future__ import annotations

import numpy as np

from sim.costs import CostCategory
from sim.model.funding import Backlog, CapacityOrder, Costs, QueuedGroup, Step, Treasury
from sim.policy.compiled import CompiledPolicy

_CAPACITY = int(CostCategory.capacity_expansion)
_EPS = 1e-6


class PolicyTreasury(Treasury):
    """Treasury of one run under one compiled policy (create a new one for every run)."""

    def __init__(self, compiled: CompiledPolicy):
        cp = self.cp = compiled
        self.loc_ctrl = cp.loc_ctrl
        self.n_sites = len(cp.scenario.sites)
        b = self.b = cp.budgeted
        self.tracking = b.size > 0
        self.budgeted = tuple(cp.payer_ids[int(p)] for p in b)
        fund = cp.policy.fund
        self.fund = fund
        self.ring_fenced = fund is not None and fund.annual is not None
        self.buys_capacity = fund is not None
        if self.ring_fenced:
            self.pledge_days = frozenset({0, *cp.fund_calendar.starts})
        if self.tracking:
            cals = [cp.calendars[int(p)] for p in b]
            n_fy = max(c.n_years for c in cals)
            self.cost_b = np.ascontiguousarray(cp.cost[..., b])  # [K, L, C+1, N, B]
            self.escort_b = np.ascontiguousarray(cp.escort_cost[..., b])
            self.fy = np.stack([c.index for c in cals])  # [B, T]
            self.year_days = np.stack([c.year_days for c in cals]).astype(float)  # [B, T]
            self.allow = np.empty((b.size, n_fy))
            self.allow[:] = cp.budget[b][:, None]
            self.allow[:, 0] = cp.budget_first[b]
            self.committed = np.zeros((b.size, n_fy))
            self.rows = np.arange(b.size)
            shape = (len(cp.scenario.sites), len(cp.payer_ids) * len(cp.scenario.categories))
            self.approved = np.full((b.size, *shape), np.inf)  # people approved [B, S, G]
            starts = {0} | {d for c in cals for d in c.starts}
            self.fiscal_year_starts = frozenset(starts)
        self._allowance: dict[int, np.ndarray] = {}  # site -> people approved by every payer
        # (step, controllers) -> its parts of _need; step -> the places it books to. The
        # queue's steps are the scenario's (sim.model.queue), so these are kept with it
        self._needs, self._locs = cp.scenario.derived(f"treasury:{cp.name}", lambda: ({}, {}))
        self.balance = 0.0
        self.credited = 0.0
        self.orders_made: list[CapacityOrder] = []
        n_items = len(fund.buy) if fund is not None else 0
        self.busy_until = [-1] * n_items
        self.count = [0] * n_items

    # ------------------------------------------------------------------ budgets
    def _per_payer(self, day: int, costs: Costs) -> np.ndarray:
        """Amounts of ``costs`` that fall on each budgeted payer ([B])."""
        out = np.zeros(self.b.size)
        for category, location, by_nat in costs:
            m = self.cost_b[category, location, self.loc_ctrl[day, location]]
            out += by_nat @ m
        return out

    def _need(self, day: int, step: Step) -> np.ndarray:
        """What ``step`` commits each budgeted payer to in its current fiscal year ([B])."""
        need, rise = self._parts(day, step)
        if rise is not None:
            need += rise * self.year_days[:, day]
        return need

    def _parts(self, day: int, step: Step) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`_need`'s parts: direct costs and escorts ([B]), and the daily holding
        costs the step adds (falls not credited; None without holding entries)."""
        need = self._per_payer(day, step.direct)
        if step.escort is not None:
            loc, by_nat = step.escort
            need += by_nat @ self.escort_b[loc, self.loc_ctrl[day, loc]]
        rise = np.maximum(self._per_payer(day, step.holding), 0.0) if step.holding else None
        return need, rise

    def _queued_need(self, day: int, step: Step, ctrl: list[int],
                     year_days: np.ndarray) -> np.ndarray:
        """:meth:`_need` of a queued group's per-person ``step`` (the same object every
        year), its parts kept for the controllers (``ctrl``: of each place, that day) of the
        places it books to; ``year_days``: each payer's days left in its year ([B])."""
        locs = self._locs.get(id(step))
        if locs is None or locs[0] is not step:
            places = {loc for _, loc, _ in (*step.direct, *step.holding)}
            if step.escort is not None:
                places.add(step.escort[0])
            locs = self._locs[id(step)] = (step, sorted(places))
        key = (id(step), *[ctrl[loc] for loc in locs[1]])
        kept = self._needs.get(key)
        if kept is None or kept[0] is not step:
            kept = self._needs[key] = (step, *self._parts(day, step))
        _, need, rise = kept
        return need if rise is None else need + rise * year_days

    def _room(self, day: int) -> np.ndarray:
        fy = self.fy[:, day]
        return self.allow[self.rows, fy] - self.committed[self.rows, fy]

    def start_year(self, day: int, holding: Step, queue: list[QueuedGroup]) -> None:
        if not self.tracking:
            return
        starting = [i for i, p in enumerate(self.b)
                    if day == 0 or day in self.cp.calendars[int(p)].starts]
        self._allowance.clear()
        fy = self.fy[:, day]
        rate = self._per_payer(day, holding.holding)
        for i in starting:
            self.committed[i, fy[i]] += rate[i] * self.year_days[i, day]
            self.approved[i] = np.inf  # groups that do not burden the payer: no limit
        room = self._room(day).tolist()  # floats: the same IEEE arithmetic, no numpy calls
        money = set(starting)  # payers whose money has not run out
        ctrl, year_days = self.loc_ctrl[day].tolist(), self.year_days[:, day]
        for q in queue:  # every group with a transfer, in the order the dispatcher serves
            need = self._queued_need(day, q.per_person, ctrl, year_days).tolist()
            for i in starting:
                if need[i] <= _EPS:
                    continue
                n = 0
                if i in money:
                    n = min(q.count, int((max(room[i], 0.0) + _EPS) // need[i]))
                    room[i] -= n * need[i]
                    self.committed[i, fy[i]] += n * need[i]
                    if n < q.count:  # the money ran out here: nobody behind is approved
                        money.discard(i)
                self.approved[i, q.site, q.group] = n

    def allowance(self, site: int) -> np.ndarray | None:
        if not self.tracking:
            return None
        out = self._allowance.get(site)
        if out is None:  # kept until the site's approvals change
            out = self._allowance[site] = self.approved[:, site].min(axis=0)
        return out

    def approvals(self) -> np.ndarray | None:
        return self.approved if self.tracking else None

    def used(self, site: int, people: np.ndarray) -> None:
        if self.tracking:
            self.approved[:, site] -= people
            self._allowance.pop(site, None)

    # ------------------------------------------------------------------ pooled fund
    def may_buy(self, kind: str, target: int) -> bool:
        if self.fund is None:
            return False
        return any(item.kind == kind and self.cp.fund_targets[i] == target
                   and (item.max_orders is None or self.count[i] < item.max_orders)
                   for i, item in enumerate(self.fund.buy))

    def orders(self, backlog: Backlog) -> list[CapacityOrder]:
        fund = self.fund
        if fund is None:
            return []
        day = backlog.day
        if self.ring_fenced:
            cal = self.cp.fund_calendar
            if day == 0:
                self._credit(fund.annual * cal.first_fraction)
            elif day in cal.starts:
                self._credit(fund.annual)
        out = []
        for i, item in enumerate(fund.buy):
            if self.busy_until[i] > day:
                continue
            if item.max_orders is not None and self.count[i] >= item.max_orders:
                continue
            held = backlog.blocked_by.get(item.kind, 0)
            if held <= 0 or held < fund.threshold:
                continue
            target = self.cp.fund_targets[i]
            if item.kind == "beds" and backlog.free_beds[target] >= item.amount:
                continue
            if item.kind == "units" and backlog.free_units[target] > 0:
                continue
            if self.ring_fenced:
                if self.balance + _EPS < item.cost:
                    continue
                self.balance -= item.cost
            else:
                n = len(self.cp.payer_ids)
                loc = self.n_sites + target if item.kind == "beds" else 0
                step = Step(direct=[(_CAPACITY, loc, np.full(n, item.cost / n))])
                need = self._need(day, step)
                if (need > np.maximum(self._room(day), 0.0) + _EPS).any():
                    continue
                self.committed[self.rows, self.fy[:, day]] += need
            self.count[i] += 1
            self.busy_until[i] = day + item.lag_days
            order = CapacityOrder(day=day, kind=item.kind, target=target, amount=item.amount,
                                  ready_day=day + item.lag_days, cost=item.cost)
            out.append(order)
            self.orders_made.append(order)
        return out

    def _credit(self, amount: float) -> None:
        self.balance += amount
        self.credited += amount
