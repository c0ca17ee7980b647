"""Releases in Syria and repatriation to home countries: stock recursions run only on the
days they can move someone.

A release rule lets ``rate_per_day`` people a day go from the open sites it covers, pro
rata by group (largest remainder), fractions carried over while people remain. A
repatriation programme takes ``batch_size`` people on its due days, pro rata from the open
sites, people whose disposition has started.
"""

from __future__ import annotations

import numpy as np

from sim.costs import CostCategory
from sim.model.ledger import Ledger
from sim.model.plan import Plan
from sim.model.reception import split_count, split_values
from sim.scenario.vocabulary import Action

_REPATRIATION = int(CostCategory.repatriation)


class _Release:
    """One release rule: its cells, its carried fraction, whether it may move anyone."""

    def __init__(self, start: int, rate: float, cells: np.ndarray, S: int, G: int):
        self.start, self.rate = start, rate
        self.cells = cells  # positions in stock.ravel()
        self.site = cells // G
        self.group = cells % G
        self.cell_list, self.group_list = cells.tolist(), self.group.tolist()
        self.site_list = self.site.tolist()
        self.carry = 0.0
        self.active = True  # may have people (checked on its next day)


class Flows:
    def __init__(self, plan: Plan, site_open: np.ndarray, ledger: Ledger):
        scn = plan.scenario
        S, G = plan.initial_stock.shape
        T = plan.horizon
        self.plan, self.site_open, self.ledger = plan, site_open, ledger
        self.nat_matrix = plan.nat_matrix()
        self.releases = [
            _Release(scn.day(rule.start), rule.rate_per_day,
                     np.flatnonzero((plan.rule == r).ravel()), S, G)
            for r, rule in enumerate(scn.dispositions) if rule.action == "release"]
        self.programmes = []  # (programme, nationality index, due days)
        for prog in scn.repatriation:
            start = scn.day(prog.start)
            end = scn.day(prog.end) if prog.end is not None else T - 1
            self.programmes.append((prog, plan.nat_ids.index(prog.country),
                                    set(range(start, min(end, T - 1) + 1, prog.every_days))))
        self._repatriation_days = set().union(*(days for _, _, days in self.programmes))
        self._repatriable = {
            n: (plan.action == int(Action.repatriate)) & (plan.group_nat == n)[None, :]
            for _, n, _ in self.programmes}
        # a release may start again when a site it covers reopens
        self._reopens = {int(d) for d in np.flatnonzero(
            (site_open[1:] & ~site_open[:-1]).any(axis=1)) + 1}

    def due(self, day: int) -> bool:
        """Whether a release or a repatriation may move someone on ``day``."""
        reopen = day in self._reopens
        return any((rel.active or reopen) and day >= rel.start for rel in self.releases) or (
            day in self._repatriation_days)

    def refilled(self, back: list[tuple[int, int, int]]) -> None:
        """People came back to the sites (``back``: (site, group, count) cells): rules
        covering them may move."""
        G = self.plan.initial_stock.shape[1]
        came = {s * G + g for s, g, _ in back}
        for rel in self.releases:
            if not rel.active and not came.isdisjoint(rel.cell_list):
                rel.active = True

    def releases_today(self, day: int, stock: np.ndarray, released: np.ndarray) -> bool:
        """Release rules: ``rate_per_day`` people a day from open sites, pro rata by group;
        return whether anyone left."""
        flat = stock.reshape(-1)
        moved = False
        reopen = day in self._reopens
        for rel in self.releases:
            rel.active |= reopen
            if day < rel.start or not rel.active:
                continue
            if len(rel.cell_list) > 32:
                pool = (flat[rel.cells] * self.site_open[day][rel.site]).tolist()
            else:  # a few cells: one by one
                is_open = self.site_open[day].tolist()
                pool = [int(flat[c]) if is_open[s] else 0
                        for c, s in zip(rel.cell_list, rel.site_list)]
            available = sum(pool)
            if available == 0:
                rel.carry, rel.active = 0.0, False
                continue
            rel.carry += rel.rate
            n = min(int(rel.carry), available)
            rel.carry -= n
            if n and len(pool) > 32:  # many cells: in arrays
                take = split_count(np.array(pool, dtype=np.int64), n)
                flat[rel.cells] -= take
                np.add.at(released, rel.group, take)
            elif n:  # a few cells: one by one
                take = split_values(pool, n)
                for cell, group, k in zip(rel.cell_list, rel.group_list, take):
                    if k:
                        flat[cell] -= k
                        released[group] += k
            moved = moved or n > 0
        return moved

    def repatriation_today(self, day: int, stock: np.ndarray, repatriated: np.ndarray,
                           events: list) -> bool:
        """Repatriation batches due today, taken pro rata from open sites; return whether
        anyone left."""
        if day not in self._repatriation_days:
            return False
        moved = False
        for prog, nat, due in self.programmes:
            if day not in due:
                continue
            mask = (self._repatriable[nat] & (self.plan.start_day <= day)
                    & self.site_open[day][:, None])
            pool = stock * mask
            take = split_count(pool.ravel(), prog.batch_size).reshape(pool.shape)
            n = int(take.sum())
            if not n:
                continue
            stock -= take
            repatriated += take.sum(axis=0)
            for s in np.flatnonzero(take.sum(axis=1)):
                by_nat = take[s] @ self.nat_matrix * prog.cost_per_person
                self.ledger.book(day, _REPATRIATION, s, by_nat)
            events.append((day, "repatriation", prog.country, f"people={n}"))
            moved = True
        return moved
