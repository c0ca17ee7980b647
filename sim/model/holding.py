"""Holding costs: custody and upkeep of people at sites and in Iraq, and guards' pay.

The costs of a day are those of the people held at its end. Without a discretionary step
they accrue whatever happens; the treasury also sees them as a step's holding entries (how a
move changes what a payer bears a day).
"""

from __future__ import annotations

import numpy as np

from sim.costs import COST_CATEGORIES, PersonnelKind
from sim.model.funding import Step
from sim.model.ledger import Ledger
from sim.model.plan import Plan

_GUARD = int(PersonnelKind.guard)
_COST = {k: i for i, k in enumerate(COST_CATEGORIES)}


class Holding:
    def __init__(self, plan: Plan, destinations: list):
        """``destinations``: the scenario's destination specs, in plan order."""
        self.plan = plan
        self.nat_matrix = plan.nat_matrix()
        dest_cost = np.array([d.cost_per_person_day for d in destinations])
        self._site_per_person = plan.upkeep[None, :] + plan.site_cost[:, None]  # [S, G]
        self._dest_per_person = plan.upkeep[None, :] + dest_cost[:, None]  # [D, G]
        self._guard_cost = plan.scenario.costs.guard_cost_per_person_day
        self.dest_category = [_COST["rehabilitation" if d.kind == "rehabilitation"
                                    else "detention_iraq"] for d in destinations]

    def rows(self, stock: np.ndarray, occ: np.ndarray):
        """Holding costs and guards by nationality for stocks at sites ([..., S, G]) and in
        Iraq ([..., D, G]): custody and upkeep at sites, at destinations, guard-days."""
        plan, nat = self.plan, self.nat_matrix
        site = (stock * self._site_per_person) @ nat
        dest = (occ * self._dest_per_person) @ nat
        guards = (np.concatenate([stock, occ], axis=-2) * plan.guards_per_person) @ nat
        return site, dest, guards

    def step(self, stock: np.ndarray, occ: np.ndarray, sign: float = 1.0) -> Step:
        """The daily holding costs of people ``stock`` at sites ([S, G]) and ``occ`` in Iraq
        ([D, G]) as a step's holding entries (times ``sign``)."""
        site, dest, guards = self.rows(stock, occ)
        S = len(self.plan.site_ids)
        rows = [(_COST["detention_syria"], s, sign * site[s]) for s in range(S) if site[s].any()]
        rows += [(cat, S + d, sign * dest[d]) for d, cat in enumerate(self.dest_category)
                 if dest[d].any()]
        rows += [(_COST["security"], loc, sign * guards[loc] * self._guard_cost)
                 for loc in np.flatnonzero(guards.any(axis=1))]
        return Step(holding=rows)

    def move(self, s: int, d: int, g: int) -> Step:
        """:meth:`step` of one person of group ``g`` leaving site ``s`` for destination
        ``d``, without the matrix products: each entry is the one product that is not zero
        (its nationality's; the others are 0.0, as the products give them)."""
        n, N, S = int(self.plan.group_nat[g]), len(self.plan.nat_ids), len(self.plan.site_ids)

        def row(value: float) -> np.ndarray:
            out = np.zeros(N)
            out[n] = value
            return out

        rows = []
        site = -1 * self._site_per_person[s, g]
        if site:
            rows.append((_COST["detention_syria"], s, 1.0 * row(site)))
        dest = 1 * self._dest_per_person[d, g]
        if dest:
            rows.append((self.dest_category[d], S + d, 1.0 * row(dest)))
        guards = self.plan.guards_per_person[g]
        if guards:
            rows += [(_COST["security"], s, 1.0 * row(-1 * guards) * self._guard_cost),
                     (_COST["security"], S + d, 1.0 * row(1 * guards) * self._guard_cost)]
        return Step(holding=rows)

    def book(self, ledger: Ledger, site_stock: tuple[np.ndarray, np.ndarray],
             dest_stock: tuple[np.ndarray, np.ndarray]) -> None:
        """Book the unavoidable costs of holding everyone (custody and upkeep at sites, at
        destinations, guard-days) for every day at once from the end-of-day record, given as
        (values, index) pairs (:meth:`sim.model.recorder.Recorder.distinct`): each distinct
        pair of rows is costed once and the days take their pair's costs."""
        (sites, site_of), (dests, dest_of) = site_stock, dest_stock
        pairs, day_pair = np.unique(site_of * len(dests) + dest_of, return_inverse=True)
        site, dest, guards = (x[day_pair] for x in self.rows(sites[pairs // len(dests)],
                                                           dests[pairs % len(dests)]))
        S = len(self.plan.site_ids)
        ledger.cost[:, _COST["detention_syria"], :S] += site
        for d, cat in enumerate(self.dest_category):
            ledger.cost[:, cat, S + d] += dest[:, d]
        ledger.personnel[:, _GUARD] += guards
        ledger.cost[:, _COST["security"]] += guards * self._guard_cost
