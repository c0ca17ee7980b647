"""Who pays what under a policy: share matrices from the policy's payer rules.

Shares never depend on the amount, so each rule is evaluated once per (category, location,
controller, nationality) ledger entry; the results form matrices ``[N, P]`` (nationality ->
payer), and a cost vector by nationality times the matrix gives each payer's amount. The
tables are computed once per scenario object and policy (the loader computes them to check
that every entry can be shared out; the simulation reuses them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.costs import ACTIVITY_OF, COST_CATEGORIES, PERSONNEL_KINDS, CostCategory
from sim.rules import BoundRule, Context, Entry, RuleError
from sim.scenario.schema import Scenario
from sim.scenario.timeline import controller_schedule

_CAPACITY = CostCategory.capacity_expansion


@dataclass(frozen=True)
class PolicyShares:
    """Share matrices of one policy; ``C`` controllers, index ``C`` = a destination."""

    payer_ids: list[str]  # = scenario countries (also the nationality order)
    location_ids: list[str]  # sites, then destinations
    loc_ctrl: np.ndarray  # [T, L] controller index of each location (C for destinations)
    cost: np.ndarray  # [K, L, C+1, N, P] shares of each cost category
    escort_cost: np.ndarray  # [L, C+1, N, P] shares of escort costs (security, transfer)
    personnel: np.ndarray  # [2, L, C+1, N, P] shares of personnel-days (security rule)
    reference: np.ndarray | None  # [P] the policy's key, if any

    def payers_used(self) -> set[str]:
        """Payers that can get a positive share of something under this policy."""
        used = (self.cost.sum(axis=(0, 1, 2, 3)) + self.escort_cost.sum(axis=(0, 1, 2))
                + self.personnel.sum(axis=(0, 1, 2, 3)))
        return {self.payer_ids[p] for p in np.flatnonzero(used > 0)}


def policy_shares(scn: Scenario, name: str) -> PolicyShares:
    """The share matrices of policy ``name`` of ``scn`` (raises KeyError, RuleError)."""
    if name not in scn.policies:
        raise KeyError(name)
    return scn.derived(f"shares:{name}", lambda: _evaluate(scn, name))


def _evaluate(scn: Scenario, name: str) -> PolicyShares:
    policy = scn.policies[name]
    ctx = Context(scn, policy.receiving)
    payers = list(scn.countries)
    site_ids, dest_ids = list(scn.sites), list(scn.destinations)
    ctl_ids = list(scn.controllers)
    S, D, N, P, C = len(site_ids), len(dest_ids), len(payers), len(payers), len(ctl_ids)
    L, K = S + D, len(COST_CATEGORIES)
    T = scn.metadata.horizon_days

    sched = controller_schedule(scn)[:T]
    loc_ctrl = np.concatenate([sched, np.full((T, D), C, dtype=np.int64)], axis=1)
    combos = [(loc, int(c)) for loc in range(L) for c in np.unique(loc_ctrl[:, loc])]

    main = ctx.bind(policy.main)
    security = ctx.bind(policy.security) if policy.security is not None else main
    fund = ctx.bind(policy.fund.contributions) if policy.fund is not None else None
    col = {p: i for i, p in enumerate(payers)}
    locations = site_ids + dest_ids

    def fill(out: np.ndarray, rule: BoundRule, category: str, activity: str, measure: str,
             loc: int, c: int) -> None:
        for n, nat in enumerate(payers):
            e = Entry(category=category, location=locations[loc], nationality=nat,
                      side="syria" if loc < S else "iraq",
                      controller=ctl_ids[c] if c < C else None,
                      activity=activity, measure=measure)
            try:
                shares = rule(e)
            except RuleError as exc:
                raise RuleError(f"{exc} (entry: {category} at {e.location}, nationality "
                                f"{nat})") from None
            for p, v in shares.items():
                out[n, col[p]] = v

    cost = np.zeros((K, L, C + 1, N, P))
    escort = np.zeros((L, C + 1, N, P))
    pers = np.zeros((len(PERSONNEL_KINDS), L, C + 1, N, P))
    for loc, c in combos:
        for k, cat in enumerate(COST_CATEGORIES):
            rule = fund if (k == _CAPACITY and fund is not None) else main
            fill(cost[k, loc, c], rule, cat, ACTIVITY_OF[cat], "cost", loc, c)
        fill(escort[loc, c], main, "security", "transfer", "cost", loc, c)
        for i, kind in enumerate(PERSONNEL_KINDS):
            fill(pers[i, loc, c], security, kind, ACTIVITY_OF[kind], "personnel", loc, c)

    ref_rule = ctx.bind(policy.reference) if policy.reference is not None else main
    ref = ref_rule.reference()
    reference = None
    if ref is not None:
        reference = np.zeros(P)
        for p, v in ref.items():
            reference[col[p]] = v
    return PolicyShares(payers, locations, loc_ctrl, cost, escort, pers, reference)
