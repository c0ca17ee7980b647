"""Compile a Scenario into index arrays the simulation works on (no I/O, no randomness).

Groups are (nationality, category) pairs, in the order nationality-major. Sites, destinations,
crossings, fleets and nationalities are numbered in scenario order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import Action, SecurityLevel


@dataclass(frozen=True)
class RoutePlan:
    index: int
    origin: int
    destination: int
    fleet: int
    crossing: int  # -1 for none
    distance_km: float
    closed_when_fighting: bool


@dataclass
class Plan:
    """Arrays and index maps derived from a scenario."""

    scenario: Scenario
    horizon: int
    site_ids: list[str]
    dest_ids: list[str]
    crossing_ids: list[str]
    fleet_ids: list[str]
    nat_ids: list[str]
    cat_ids: list[str]
    controller_ids: list[str]
    group_nat: np.ndarray  # [G] nationality index
    group_cat: np.ndarray  # [G] category index
    initial_stock: np.ndarray  # [S, G]
    action: np.ndarray  # [S, G] an Action
    rule: np.ndarray  # [S, G] index of the disposition rule (-1 none)
    dest_of: np.ndarray  # [S, G] destination index for transfers (-1 otherwise)
    start_day: np.ndarray  # [S, G] first day the disposition applies
    priority: np.ndarray  # [S, G]
    base_hazard: np.ndarray  # [S, G] daily hazard before state multipliers
    upkeep: np.ndarray  # [G]
    guards_per_person: np.ndarray  # [G]
    security: np.ndarray  # [G] security level 0..2
    site_cost: np.ndarray  # [S]
    site_capacity: np.ndarray  # [S]
    routes: list[RoutePlan]
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (site, dest) transfer pairs

    @property
    def n_groups(self) -> int:
        return len(self.group_nat)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def location_ids(self) -> list[str]:
        """Ledger locations: origin sites, then destinations."""
        return self.site_ids + self.dest_ids

    def nat_matrix(self) -> np.ndarray:
        """[G, N] 0/1 matrix summing groups into nationalities (built once; read-only)."""
        m = self.__dict__.get("_nat_matrix")
        if m is None:
            m = np.zeros((self.n_groups, len(self.nat_ids)))
            m[np.arange(self.n_groups), self.group_nat] = 1.0
            m.flags.writeable = False
            self.__dict__["_nat_matrix"] = m
        return m


def _matches(selector, value: str) -> bool:
    return selector == "*" or value in selector


def compile_plan(scn: Scenario) -> Plan:
    site_ids = list(scn.sites)
    dest_ids = list(scn.destinations)
    nat_ids = list(scn.countries)
    cat_ids = list(scn.categories)
    groups = [(n, c) for n in range(len(nat_ids)) for c in range(len(cat_ids))]
    group_nat = np.array([g[0] for g in groups], dtype=np.int64)
    group_cat = np.array([g[1] for g in groups], dtype=np.int64)
    S, G = len(site_ids), len(groups)

    stock = np.zeros((S, G), dtype=np.int64)
    for s, sid in enumerate(site_ids):
        for nat, cats in scn.sites[sid].population.items():
            for cat, n in cats.items():
                stock[s, nat_ids.index(nat) * len(cat_ids) + cat_ids.index(cat)] += n

    action = np.zeros((S, G), dtype=np.int64)
    rule_of = np.full((S, G), -1, dtype=np.int64)
    dest_of = np.full((S, G), -1, dtype=np.int64)
    start_day = np.zeros((S, G), dtype=np.int64)
    priority = np.zeros((S, G), dtype=np.int64)
    for s, sid in enumerate(site_ids):
        for g, (n, c) in enumerate(groups):
            for r, rule in enumerate(scn.dispositions):
                if (_matches(rule.sites, sid) and _matches(rule.nationalities, nat_ids[n])
                        and _matches(rule.categories, cat_ids[c])):
                    action[s, g] = Action[rule.action]
                    rule_of[s, g] = r
                    if rule.destination:
                        dest_of[s, g] = dest_ids.index(rule.destination)
                    start_day[s, g] = scn.day(rule.start)
                    priority[s, g] = rule.priority
                    break

    cats = [scn.categories[c] for c in cat_ids]
    cat_mult = np.array([scn.escapes.category_multiplier.get(c, 1.0) for c in cat_ids])
    base = np.array([scn.escapes.base_hazard_per_day.get(scn.sites[s].kind, 0.0)
                     for s in site_ids])
    base_hazard = base[:, None] * cat_mult[group_cat][None, :]

    crossing_ids = list(scn.crossings)
    fleet_ids = list(scn.fleets)
    routes = [
        RoutePlan(
            index=i,
            origin=site_ids.index(rt.origin),
            destination=dest_ids.index(rt.destination),
            fleet=fleet_ids.index(rt.fleet),
            crossing=crossing_ids.index(rt.via) if rt.via else -1,
            distance_km=rt.distance_km,
            closed_when_fighting=rt.closed_when_fighting,
        )
        for i, rt in enumerate(scn.routes)
    ]
    pairs = sorted({(s, int(dest_of[s, g])) for s in range(S) for g in range(G)
                    if action[s, g] == 1 and stock[s, g] > 0})

    return Plan(
        scenario=scn,
        horizon=scn.metadata.horizon_days,
        site_ids=site_ids,
        dest_ids=dest_ids,
        crossing_ids=crossing_ids,
        fleet_ids=fleet_ids,
        nat_ids=nat_ids,
        cat_ids=cat_ids,
        controller_ids=list(scn.controllers),
        group_nat=group_nat,
        group_cat=group_cat,
        initial_stock=stock,
        action=action,
        rule=rule_of,
        dest_of=dest_of,
        start_day=start_day,
        priority=priority,
        base_hazard=base_hazard,
        upkeep=np.array([cats[c].upkeep_per_day for c in group_cat]),
        guards_per_person=np.array([cats[c].guards_per_100 / 100.0 for c in group_cat]),
        security=np.array([SecurityLevel[cats[c].security_level] for c in group_cat]),
        site_cost=np.array([scn.sites[s].cost_per_person_day for s in site_ids]),
        site_capacity=np.array([scn.sites[s].capacity for s in site_ids], dtype=np.int64),
        routes=routes,
        pairs=pairs,
    )
