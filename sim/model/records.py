"""What a run records: trips and the run's numpy arrays (no pandas in the model)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.funding import CapacityOrder
from sim.model.plan import Plan


@dataclass(slots=True)
class Trip:
    id: int
    fleet: int
    route: int
    origin: int
    destination: int
    crossing: int
    depart: float
    arrive: float
    back: float
    people: int
    incident: bool
    cost: float
    escorts: int


@dataclass
class RawRun:
    """Everything a run produced, as numpy arrays and plain records (no pandas here)."""

    plan: Plan
    replication: int
    site_stock: np.ndarray  # [T, S, G] end of day
    dest_stock: np.ndarray  # [T, D, G]
    in_transit: np.ndarray  # [T, G]
    arrived: np.ndarray  # [T, G] cumulative arrivals in Iraq
    discharged: np.ndarray  # [T, G] cumulative
    released: np.ndarray  # [T, G] cumulative
    repatriated: np.ndarray  # [T, G] cumulative
    escaped: np.ndarray  # [T, G] cumulative gross
    recaptured: np.ndarray  # [T, G] cumulative, back in a site
    beds: np.ndarray  # [T, D]
    units: np.ndarray  # [T, F]
    controller: np.ndarray  # [T, S]
    fighting: np.ndarray  # [T] 1 if fighting at the end of the day
    blocked: np.ndarray  # [T, R] people held back by each constraint
    waiting: np.ndarray  # [T] people whose transfer has started and who wait at a site
    stuck: np.ndarray  # [T] of those, people held back by a reason that cannot end
    reason: np.ndarray  # [T, S, G] int8: why each waiting group waits (a BlockReason; -1 none)
    held_for_funding: np.ndarray  # [T, B] of those held back by funding, people whose
    # transfer each budgeted payer did not approve (sim.model.boarding.held_by_payer)
    budgeted: tuple[str, ...]  # the B payers with a budget ceiling (none without a policy)
    cost: np.ndarray  # [T, K, L, N]
    personnel: np.ndarray  # [T, 2, L, N]
    escort: np.ndarray  # [T, L, N] escorts' pay (also in cost, under security)
    trips: list[Trip]
    events: list[tuple[float, str, str, str]]  # (time, kind, target, detail)
    escaped_by_site: np.ndarray  # [S, G]
    departures: list[tuple[float, int, np.ndarray]]  # (time, origin site, people by group)
    orders: list[CapacityOrder]
