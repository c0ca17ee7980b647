"""The cost and personnel ledger: dense arrays by day x category x location x nationality."""

from __future__ import annotations

import numpy as np

from sim.costs import COST_CATEGORIES, PERSONNEL_KINDS, CostCategory, PersonnelKind
from sim.model.plan import Plan

_TRANSPORT = int(CostCategory.transport)
_SECURITY = int(CostCategory.security)
_ESCORT = int(PersonnelKind.escort)


class Ledger:
    """Records every cost and personnel-day of a run (within the horizon).

    Escorts' pay is booked under ``security`` like guards' pay, and also kept apart in
    ``escort`` ([T, L, N]): it serves the transfer, not the holding of people."""

    def __init__(self, plan: Plan):
        days = plan.horizon
        locs = len(plan.location_ids)
        nats = len(plan.nat_ids)
        self.cost = np.zeros((days, len(COST_CATEGORIES), locs, nats))
        self.personnel = np.zeros((days, len(PERSONNEL_KINDS), locs, nats))
        self.escort = np.zeros((days, locs, nats))
        self.horizon = days

    def book(self, day: int, category: int, location: int, by_nat: np.ndarray) -> None:
        if day < self.horizon:
            self.cost[day, category, location] += by_nat

    def book_trip(self, day: int, location: int, transport: np.ndarray, escorts: np.ndarray,
                  escort_days: np.ndarray) -> None:
        """A trip's transport cost, escorts' pay and escort-days, booked on its day."""
        if day >= self.horizon:
            return
        self.cost[day, _TRANSPORT, location] += transport
        self.cost[day, _SECURITY, location] += escorts
        self.escort[day, location] += escorts
        self.personnel[day, _ESCORT, location] += escort_days
