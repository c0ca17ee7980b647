"""The interface between the model and whoever pays (the policy layer implements it).

The model books every cost through :class:`Treasury`: unavoidable costs (holding and
feeding people) with :meth:`accrue`; discretionary steps (a trip, a screening slot) ask
:meth:`can_fund` first and, if allowed, book with :meth:`accrue`. Once a day the treasury may
order capacity (:meth:`orders`), e.g. beds or convoy units bought by a pooled fund.
The base :class:`Treasury` funds everything and orders nothing: the ledger only records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CapacityOrder:
    """Extra capacity bought on ``day``: ``kind`` is 'beds' (destination) or 'units' (fleet)."""

    day: int
    kind: str
    target: int  # destination or fleet index
    amount: int
    ready_day: int
    cost: float


@dataclass(frozen=True)
class Backlog:
    """What the treasury sees once a day to decide on capacity orders."""

    day: int
    waiting: int  # people waiting for transfer at origin sites
    blocked_by: dict[str, int]  # people held back by each constraint (previous day)
    free_beds: np.ndarray  # [D]
    free_units: np.ndarray  # [F]


class Treasury:
    """Funds everything; subclasses add payers, budgets and pooled funds."""

    def accrue(self, day: int, category: int, location: int, by_nat: np.ndarray,
               discretionary: bool = False) -> None:
        """Book a cost (amount per nationality) for ``day``."""

    def accrue_rows(self, day: int, category: int, first_location: int,
                    rows: np.ndarray) -> None:
        """Book unavoidable costs of consecutive locations at once ([L, N] amounts).

        Override for speed; by default each non-zero row goes through :meth:`accrue`.
        """
        if type(self).accrue is Treasury.accrue:
            return
        for i in np.flatnonzero(rows.any(axis=1)):
            self.accrue(day, category, first_location + int(i), rows[i])

    def personnel_rows(self, day: int, kind: int, first_location: int, rows: np.ndarray) -> None:
        """Book personnel-days of consecutive locations at once ([L, N])."""
        if type(self).personnel is Treasury.personnel:
            return
        for i in np.flatnonzero(rows.any(axis=1)):
            self.personnel(day, kind, first_location + int(i), rows[i])

    def can_fund(self, day: int, category: int, location: int, by_nat: np.ndarray) -> bool:
        """Can the payers of this discretionary cost pay it now?"""
        return True

    def personnel(self, day: int, kind: int, location: int, by_nat: np.ndarray) -> None:
        """Book personnel-days (escorts, guards)."""

    def orders(self, backlog: Backlog) -> list[CapacityOrder]:
        """Capacity to buy today (none by default)."""
        return []

    def may_buy(self, kind: str, target: int) -> bool:
        """Whether this treasury may still order capacity ``kind`` ('beds' or 'units') for
        ``target`` (a destination or fleet index)."""
        return False

