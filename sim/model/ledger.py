"""The cost and personnel ledger: dense arrays by day x category x location x nationality."""

from __future__ import annotations

import numpy as np

from sim.costs import COST_CATEGORIES, PERSONNEL_KINDS, CostCategory, PersonnelKind
from sim.model.funding import Treasury
from sim.model.plan import Plan

_TRANSPORT = int(CostCategory.transport)
_SECURITY = int(CostCategory.security)
_ESCORT = int(PersonnelKind.escort)


class Ledger:
    """Records every cost and personnel-day; forwards each entry to the treasury."""

    def __init__(self, plan: Plan, treasury: Treasury):
        days = plan.horizon
        locs = len(plan.location_ids)
        nats = len(plan.nat_ids)
        self.cost = np.zeros((days, len(COST_CATEGORIES), locs, nats))
        self.personnel = np.zeros((days, len(PERSONNEL_KINDS), locs, nats))
        self.treasury = treasury
        self.horizon = days

    def book(self, day: int, category: int, location: int, by_nat: np.ndarray,
             discretionary: bool = False) -> None:
        if day >= self.horizon or not by_nat.any():
            return
        self.cost[day, category, location] += by_nat
        self.treasury.accrue(day, category, location, by_nat, discretionary)

    def book_trip(self, day: int, location: int, transport: np.ndarray, security: np.ndarray,
                  escort_days: np.ndarray) -> None:
        """A trip's transport and escort costs and escort-days (discretionary), at once."""
        if day >= self.horizon:
            return
        self.cost[day, _TRANSPORT, location] += transport
        self.cost[day, _SECURITY, location] += security
        self.personnel[day, _ESCORT, location] += escort_days
        treasury = self.treasury
        treasury.accrue(day, _TRANSPORT, location, transport, True)
        treasury.accrue(day, _SECURITY, location, security, True)
        treasury.personnel(day, _ESCORT, location, escort_days)

    def book_rows(self, day: int, category: int, first_location: int, rows: np.ndarray) -> None:
        """Book unavoidable costs for consecutive locations ([L, N]) in one step."""
        if day >= self.horizon:
            return
        self.cost[day, category, first_location:first_location + len(rows)] += rows
        self.treasury.accrue_rows(day, category, first_location, rows)

    def staff_rows(self, day: int, kind: int, first_location: int, rows: np.ndarray) -> None:
        if day >= self.horizon:
            return
        self.personnel[day, kind, first_location:first_location + len(rows)] += rows
        self.treasury.personnel_rows(day, kind, first_location, rows)
