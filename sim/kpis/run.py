"""What a KPI's computation sees: one run's records, its payers' ledger, and shared sums."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from sim.model.records import RawRun
from sim.policy.compiled import budgeted_payers, report_payers
from sim.scenario.vocabulary import Action


@dataclass
class Run:
    """One run, as KPI functions read it. ``payers`` is the run's
    :class:`sim.policy.allocation.PayerLedger` (None without a policy)."""

    raw: RawRun
    payers: Any = None

    @property
    def plan(self):
        return self.raw.plan

    @property
    def scenario(self):
        return self.raw.plan.scenario

    @property
    def last(self) -> int:
        """Index of the last day of the horizon."""
        return self.raw.plan.horizon - 1

    @cached_property
    def cost_by_category(self) -> np.ndarray:
        return self.raw.cost.sum(axis=(0, 2, 3))

    @cached_property
    def personnel_by_kind(self) -> np.ndarray:
        return self.raw.personnel.sum(axis=(0, 2, 3))

    @cached_property
    def arrived(self) -> np.ndarray:
        """Cumulative arrivals in Iraq by day ([T])."""
        return self.raw.arrived.sum(axis=1)

    @cached_property
    def departures(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The departures as arrays: time and origin site of each trip ([trips]), and its
        people by group ([trips, G])."""
        deps = self.raw.departures
        if not deps:
            return np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros((0, self.plan.n_groups))
        return (np.array([t for t, _, _ in deps]), np.array([s for _, s, _ in deps]),
                np.stack([p for _, _, p in deps]))

    @cached_property
    def waits(self) -> tuple[np.ndarray, np.ndarray]:
        """Days each transferred group waited at its origin since its transfer could start
        (the disposition's start), and how many people: one entry per trip and group."""
        if not self.raw.departures:
            return np.zeros(0), np.zeros(0)
        times, sites, people = self.departures
        people = people.astype(float)  # [trips, G]
        waits = times[:, None] - self.plan.start_day[sites]  # [trips, G]
        mask = people > 0
        return waits[mask], people[mask]

    @cached_property
    def left_behind(self) -> np.ndarray:
        """People at each site whose transfer has started and who are still there at the
        end ([S, G])."""
        plan = self.plan
        started = (plan.action == int(Action.transfer)) & (plan.start_day <= self.last)
        return self.raw.site_stock[self.last] * started

    @cached_property
    def longest_waits(self) -> np.ndarray:
        """Longest wait (days) of anyone of each site and group whose transfer has started
        ([S, G], -1 for none): days to departure, or to the end for those still waiting."""
        plan = self.plan
        out = np.full(plan.initial_stock.shape, -1.0)
        if self.raw.departures:
            times, sites, people = self.departures
            trip, g = np.nonzero(people > 0)
            s = sites[trip]
            np.maximum.at(out, (s, g), times[trip] - plan.start_day[s, g])
        left = self.left_behind > 0
        out[left] = np.maximum(out[left], plan.horizon - plan.start_day[left])
        return out

    # ------------------------------------------------------------------ payers
    @cached_property
    def payer_index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.payers.payer_ids)}

    @cached_property
    def payer_cost(self) -> np.ndarray:
        return self.payers.totals["cost"]

    @cached_property
    def payer_shares(self) -> np.ndarray:
        cost = self.payer_cost
        total = float(cost.sum())
        return cost / total if total > 0 else np.full(len(cost), np.nan)

    @cached_property
    def report_payers(self) -> list[str]:
        """Payers any policy of the scenario can bill (every policy reports the same)."""
        scn = self.scenario
        return scn.derived("kpis:report-payers", lambda: report_payers(scn))

    @cached_property
    def budgeted_payers(self) -> list[str]:
        scn = self.scenario
        return scn.derived("kpis:budgeted-payers", lambda: budgeted_payers(scn))

    @cached_property
    def overrun(self) -> np.ndarray:
        return self.payers.overrun()


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    if weights.sum() == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q * cum[-1])])
