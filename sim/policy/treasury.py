"""PolicyTreasury: payers, budgets that throttle the programme, and a pooled capacity fund.

The model calls the treasury for every ledger entry (see :mod:`sim.model.funding`):

- **Allocation.** Each entry (a cost vector by nationality) is split among payers by the
  policy's share matrix for its category, location and the location's controller that day.
- **Budgets.** A payer with an annual ceiling has a fiscal calendar. Unavoidable costs
  (holding, feeding, guarding, repatriation) always accrue and count against the ceiling,
  even past it (the excess is the payer's *overrun*). A discretionary step (a trip, a
  screening slot, an order of new capacity without a ring-fenced fund) is allowed only if
  every payer with a ceiling can pay its share from what is left this fiscal year, after
  setting aside (``reserve_committed``, the default) its running holding costs for the rest
  of the fiscal year at today's daily rate. Otherwise the step waits and the dispatcher
  records ``funding`` as the blocking reason. Payers without a ceiling never block.
- **Pooled fund.** Contributions (under the fund's rule) are pledged each fiscal year and
  carried over. Once a day, an item (beds at a destination or units of a fleet) is ordered
  when at least ``threshold`` people were held back by the constraint it relieves on the
  previous day, its target is full, no order of the same item is still being built, and the
  fund can pay; the capacity arrives ``lag_days`` later. The capital cost is booked as
  ``capacity_expansion`` and allocated by the fund's contribution rule.
- **Personnel.** Escort and guard personnel-days are allocated after the run by the policy's
  security-sharing rule (they never block anything), see :mod:`sim.policy.apply`.

The treasury draws no random numbers, so a policy never changes any random stream.
"""

from __future__ import annotations

import numpy as np

from sim.costs import HOLDING_COSTS, CostCategory
from sim.model.funding import Backlog, CapacityOrder, Treasury
from sim.policy.compiled import CompiledPolicy

_SECURITY = int(CostCategory.security)
_CAPACITY = int(CostCategory.capacity_expansion)
_HOLDING = frozenset(int(c) for c in HOLDING_COSTS)
_EPS = 1e-6


class PolicyTreasury(Treasury):
    """Treasury of one run under one compiled policy (create a new one for every run)."""

    def __init__(self, compiled: CompiledPolicy):
        cp = self.cp = compiled
        T, L = cp.loc_ctrl.shape
        N = len(cp.payer_ids)
        self.loc_ctrl = cp.loc_ctrl
        self.n_sites = len(cp.scenario.sites)
        self.escort = np.zeros((T, L, N))  # escort costs (security, discretionary) [T, L, N]
        b = self.b = cp.budgeted
        self.tracking = b.size > 0
        self.reserve = cp.policy.reserve_committed
        fund = cp.policy.fund
        self.fund = fund
        self.ring_fenced = fund is not None and fund.annual is not None
        if self.tracking:
            cals = [cp.calendars[int(p)] for p in b]
            n_fy = max(c.n_years for c in cals)
            self.cost_b = np.ascontiguousarray(cp.cost[..., b])  # [K, L, C+1, N, B]
            self.escort_b = np.ascontiguousarray(cp.escort_cost[..., b])
            self.fy = np.stack([c.index for c in cals])  # [B, T]
            self.days_left = np.stack([c.days_left for c in cals])  # [B, T]
            self.avail = np.empty((b.size, n_fy))
            self.avail[:] = cp.budget[b][:, None]
            self.avail[:, 0] = cp.budget_first[b]
            self.spent = np.zeros((b.size, n_fy))
            self.rows = np.arange(b.size)
            self.hold_today = np.zeros(b.size)
            self.hold_prev = np.zeros(b.size)
            self.hold_day = -1
            self._room_key: int | None = None
            self._room_val = np.zeros(b.size)
        self.balance = 0.0
        self.credited = 0.0
        self.orders_made: list[CapacityOrder] = []
        n_items = len(fund.buy) if fund is not None else 0
        self.busy_until = [-1] * n_items
        self.count = [0] * n_items

    # ------------------------------------------------------------------ booking
    def accrue(self, day: int, category: int, location: int, by_nat: np.ndarray,
               discretionary: bool = False) -> None:
        c = self.loc_ctrl[day, location]
        if discretionary and category == _SECURITY:
            self.escort[day, location] += by_nat
            if not self.tracking:
                return
            m = self.escort_b[location, c]
        else:
            if not self.tracking or (category == _CAPACITY and self.ring_fenced):
                return
            m = self.cost_b[category, location, c]
        self._spend(day, by_nat @ m, category in _HOLDING and not discretionary)

    def accrue_rows(self, day: int, category: int, first_location: int,
                    rows: np.ndarray) -> None:
        if not self.tracking or (category == _CAPACITY and self.ring_fenced):
            return
        n = len(rows)
        locs = np.arange(first_location, first_location + n)
        m = self.cost_b[category, locs, self.loc_ctrl[day, locs]]  # [n, N, B]
        self._spend(day, np.einsum("ln,lnb->b", rows, m), category in _HOLDING)

    def _spend(self, day: int, amounts: np.ndarray, holding: bool) -> None:
        self.spent[self.rows, self.fy[:, day]] += amounts
        self._room_key = None
        if holding:
            self._roll(day)
            self.hold_today += amounts

    def _roll(self, day: int) -> None:
        if day != self.hold_day:
            self._room_key = None
            self.hold_prev = self.hold_today if day == self.hold_day + 1 else \
                np.zeros_like(self.hold_today)
            self.hold_today = np.zeros_like(self.hold_today)
            self.hold_day = day

    # ------------------------------------------------------------------ budgets
    def can_fund(self, day: int, category: int, location: int, by_nat: np.ndarray) -> bool:
        if not self.tracking:
            return True
        need = by_nat @ self.cost_b[category, location, self.loc_ctrl[day, location]]
        return self._room(day, need)

    def left(self, day: int) -> np.ndarray:
        """Budget left to each budgeted payer for discretionary steps on ``day`` ([B])."""
        self._roll(day)
        fy = self.fy[:, day]
        left = self.avail[self.rows, fy] - self.spent[self.rows, fy]
        if self.reserve:
            rate = np.maximum(self.hold_today, self.hold_prev)
            left = left - rate * self.days_left[:, day]
        return left

    def _room(self, day: int, need: np.ndarray) -> bool:
        if self._room_key != day:  # cached until the day changes or someone spends
            self._room_val = np.maximum(self.left(day), 0.0) + _EPS
            self._room_key = day
        return bool((need <= self._room_val).all())

    def overrun(self) -> np.ndarray:
        """Spending above the ceiling, summed over fiscal years, per payer ([P])."""
        out = np.zeros(len(self.cp.payer_ids))
        if self.tracking:
            out[self.b] = np.maximum(self.spent - self.avail, 0.0).sum(axis=1)
        return out

    def spent_by_payer(self) -> np.ndarray:
        """What each budgeted payer spent against its ceiling ([P]; 0 for the others)."""
        out = np.zeros(len(self.cp.payer_ids))
        if self.tracking:
            out[self.b] = self.spent.sum(axis=1)
        return out

    # ------------------------------------------------------------------ pooled fund
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
                if not self.can_fund(day, _CAPACITY, loc, np.full(n, item.cost / n)):
                    continue
            self.count[i] += 1
            self.busy_until[i] = day + item.lag_days
            order = CapacityOrder(day=day, kind=item.kind, target=target, amount=item.amount,
                                  ready_day=day + item.lag_days, cost=item.cost)
            out.append(order)
            self.orders_made.append(order)
        return out

    def may_buy(self, kind: str, target: int) -> bool:
        if self.fund is None:
            return False
        return any(item.kind == kind and self.cp.fund_targets[i] == target
                   and (item.max_orders is None or self.count[i] < item.max_orders)
                   for i, item in enumerate(self.fund.buy))

    def _credit(self, amount: float) -> None:
        self.balance += amount
        self.credited += amount
