"""The interface between the model and whoever pays (the policy layer implements it).

The model records every cost in its ledger. Payers with budgets plan their year on the first
day of their fiscal year: the model hands the treasury the daily holding costs of everyone
held and the queue of people waiting for a transfer, in the order the dispatcher serves
them, each with the estimated cost of moving one person (:meth:`Treasury.start_year`).
During the year a trip may carry only people its payers approved (:meth:`allowance`; each
budgeted payer's own approvals: :meth:`approvals`), and the model reports who left
(:meth:`used`). Once a day the treasury may order capacity (:meth:`orders`), e.g. beds or
convoy units bought by a pooled fund. The base :class:`Treasury` funds everyone and orders
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Costs = list[tuple[int, int, np.ndarray]]
"""(cost category, ledger location, amount by nationality) entries."""


@dataclass
class Step:
    """The money of one discretionary step."""

    direct: Costs = field(default_factory=list)
    """What the step costs (USD by nationality, by category and location)."""
    escort: tuple[int, np.ndarray] | None = None
    """Escorts' pay: (location, USD by nationality); booked under security, serves the
    transfer."""
    holding: Costs = field(default_factory=list)
    """How the step changes daily holding costs (USD a day by nationality): negative where
    people leave, positive where they arrive."""


@dataclass(frozen=True)
class QueuedGroup:
    """A group waiting for a transfer: ``count`` people of group ``group`` at site ``site``,
    and the estimated cost of moving one of them (``per_person``)."""

    site: int
    group: int
    count: int
    per_person: Step


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
    """Funds everything and buys nothing; the policy layer's treasury adds payers, budgets
    and a pooled fund."""

    fiscal_year_starts: frozenset[int] = frozenset()
    """Days on which some payer's fiscal year starts (day 0 included when budgets bind)."""
    buys_capacity: bool = False
    """Whether :meth:`orders` can ever return an order."""
    pledge_days: frozenset[int] = frozenset()
    """Days on which money for capacity arrives (a pooled fund's pledges): :meth:`orders` is
    called on them, and on days after people were held back by beds or units."""
    budgeted: tuple[str, ...] = ()
    """The payers whose approvals limit transfers (payers with a budget ceiling), in the
    order of the rows of :meth:`approvals`."""

    def start_year(self, day: int, holding: Step, queue: list[QueuedGroup]) -> None:
        """A fiscal year starts on ``day``: ``holding`` is the daily holding costs of
        everyone held at the start of the day, ``queue`` the people waiting for a transfer
        in the order they are served."""

    def allowance(self, site: int) -> np.ndarray | None:
        """People of each group at ``site`` whose transfer is funded now ([G]; None: no
        limit)."""
        return None

    def approvals(self) -> np.ndarray | None:
        """People of each site and group whose transfer each payer of :attr:`budgeted` still
        approves in its current fiscal year ([B, S, G]; ``inf`` where the group costs the
        payer nothing); None without budgets. :meth:`allowance` is its minimum over payers."""
        return None

    def used(self, site: int, people: np.ndarray) -> None:
        """``people`` ([G]) left ``site`` on a transfer."""

    def orders(self, backlog: Backlog) -> list[CapacityOrder]:
        """Capacity to buy today (none by default)."""
        return []

    def may_buy(self, kind: str, target: int) -> bool:
        """Whether this treasury may still order capacity ``kind`` ('beds' or 'units') for
        ``target`` (a destination or fleet index)."""
        return False
