"""A policy compiled against a scenario: share matrices, controller schedule, fiscal years.

Shares never depend on the amount, so each rule is evaluated once per (category, location,
controller, nationality); the results form matrices ``[N, P]`` (nationality -> payer) and a
cost vector by nationality times the matrix gives the amount each payer pays.
Compiled policies are cached per scenario object (scenarios are immutable).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from sim.model.plan import COST_CATEGORIES, PERSONNEL_KINDS
from sim.policy.rules import ACTIVITY_OF, BoundRule, Context, Entry, RuleError
from sim.policy.spec import Policy, parse_month_day
from sim.scenario.schema import Scenario

_SECURITY = COST_CATEGORIES.index("security")
_CAPACITY = COST_CATEGORIES.index("capacity_expansion")


@dataclass
class FiscalCalendar:
    """Fiscal years of one payer (or fund) over the horizon."""

    index: np.ndarray  # [T] fiscal-year number of each day (0 = the year of day 0)
    days_left: np.ndarray  # [T] days after this one until the fiscal year ends
    starts: list[int]  # days (within the horizon) on which a fiscal year starts, after day 0
    first_fraction: float  # part of the first fiscal year left on day 0
    n_years: int


def fiscal_calendar(start: dt.date, horizon: int, month_day: str) -> FiscalCalendar:
    month, day = parse_month_day(month_day)

    def fy_start(d: dt.date) -> dt.date:
        s = dt.date(d.year, month, day)
        return s if d >= s else dt.date(d.year - 1, month, day)

    first = fy_start(start)
    index = np.zeros(horizon, dtype=np.int64)
    days_left = np.zeros(horizon, dtype=np.int64)
    starts = []
    for t in range(horizon):
        d = start + dt.timedelta(days=t)
        s = fy_start(d)
        index[t] = s.year - first.year
        end = dt.date(s.year + 1, month, day)
        days_left[t] = (end - d).days - 1
        if t and s == d:
            starts.append(t)
    length = (dt.date(first.year + 1, month, day) - first).days
    frac = ((dt.date(first.year + 1, month, day) - start).days) / length
    return FiscalCalendar(index, days_left, starts, frac, int(index[-1]) + 1 if horizon else 1)


def controller_schedule(scn: Scenario) -> np.ndarray:
    """Controller index of each origin site on each day ([T, S]), as the world computes it."""
    ctl_ids = list(scn.controllers)
    T, S = scn.metadata.horizon_days, len(scn.sites)
    out = np.zeros((T, S), dtype=np.int64)
    for s, (sid, site) in enumerate(scn.sites.items()):
        periods = [(scn.day(p.start), ctl_ids.index(p.controller)) for p in site.controller]
        periods += [(scn.day(ev.start), ctl_ids.index(ev.controller))
                    for ev in scn.conflict.timeline
                    if ev.kind == "control_change" and ev.site == sid]
        for start, c in sorted(periods):
            out[max(start, 0):, s] = c
    return out


@dataclass
class CompiledPolicy:
    name: str
    policy: Policy
    scenario: Scenario
    payer_ids: list[str]  # = scenario countries (also the nationality order)
    location_ids: list[str]  # sites, then destinations
    loc_ctrl: np.ndarray  # [T, L] controller index of each location (C for destinations)
    cost: np.ndarray  # [K, L, C+1, N, P] shares of each cost category
    escort_cost: np.ndarray  # [L, C+1, N, P] shares of escort costs (security, transfer)
    personnel: np.ndarray  # [2, L, C+1, N, P] shares of personnel-days (security rule)
    reference: np.ndarray | None  # [P] the policy's key, if any
    budget: np.ndarray  # [P] annual ceiling (inf = none)
    budget_first: np.ndarray  # [P] available in the first fiscal year
    calendars: dict[int, FiscalCalendar]  # payer index -> fiscal calendar (budgeted only)
    fund_calendar: FiscalCalendar | None
    fund_targets: list[int]  # index of each purchase's destination / fleet

    @property
    def budgeted(self) -> np.ndarray:
        return np.flatnonzero(np.isfinite(self.budget))

    def payers_used(self) -> set[str]:
        """Payers that can get a positive share of something under this policy."""
        used = (self.cost.sum(axis=(0, 1, 2, 3)) + self.escort_cost.sum(axis=(0, 1, 2))
                + self.personnel.sum(axis=(0, 1, 2, 3)))
        return {self.payer_ids[p] for p in np.flatnonzero(used > 0)}


_CACHE: OrderedDict[tuple[int, str], tuple[Scenario, CompiledPolicy]] = OrderedDict()
_CACHE_SIZE = 64


def compile_policy(scn: Scenario, name: str) -> CompiledPolicy:
    """Compile policy ``name`` of ``scn`` (cached; raises KeyError / RuleError)."""
    hit = _CACHE.get((id(scn), name))
    if hit is not None and hit[0] is scn:
        _CACHE.move_to_end((id(scn), name))
        return hit[1]
    if name not in scn.policies:
        raise KeyError(name)
    compiled = _compile(scn, name, Policy.model_validate(dict(scn.policies[name])))
    _CACHE[(id(scn), name)] = (scn, compiled)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def _compile(scn: Scenario, name: str, policy: Policy) -> CompiledPolicy:
    ctx = Context(scn, policy.receiving)
    payers = list(scn.countries)
    site_ids, dest_ids = list(scn.sites), list(scn.destinations)
    ctl_ids = list(scn.controllers)
    S, D, N, P, C = len(site_ids), len(dest_ids), len(payers), len(payers), len(ctl_ids)
    L, K = S + D, len(COST_CATEGORIES)
    T = scn.metadata.horizon_days

    sched = controller_schedule(scn)
    loc_ctrl = np.concatenate([sched, np.full((T, D), C, dtype=np.int64)], axis=1)
    combos = [(loc, int(c)) for loc in range(L) for c in np.unique(loc_ctrl[:, loc])]

    main = ctx.bind(policy.main)
    security = ctx.bind(policy.security) if policy.security is not None else main
    fund = ctx.bind(policy.fund.contributions) if policy.fund is not None else None
    col = {p: i for i, p in enumerate(payers)}

    def entry(category: str, loc: int, c: int, nat: str, activity: str, measure: str) -> Entry:
        side = "syria" if loc < S else "iraq"
        return Entry(category=category, location=(site_ids + dest_ids)[loc], nationality=nat,
                     side=side, controller=ctl_ids[c] if c < C else None,
                     activity=activity, measure=measure)

    def fill(out: np.ndarray, rule: BoundRule, category: str, activity: str, measure: str,
             loc: int, c: int) -> None:
        for n, nat in enumerate(payers):
            e = entry(category, loc, c, nat, activity, measure)
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

    start = scn.metadata.start_date
    budget = np.full(P, np.inf)
    first = np.full(P, np.inf)
    calendars = {}
    for payer, b in policy.budgets.items():
        if b.annual is None:
            continue
        p = col[payer]
        cal = fiscal_calendar(start, T, b.fiscal_year_start)
        calendars[p] = cal
        budget[p] = b.annual
        first[p] = b.first_year if b.first_year is not None else b.annual * cal.first_fraction
    fund_cal = None
    targets = []
    if policy.fund is not None:
        fund_cal = fiscal_calendar(start, T, policy.fund.fiscal_year_start)
        for item in policy.fund.buy:
            ids = dest_ids if item.kind == "beds" else list(scn.fleets)
            targets.append(ids.index(item.target))
    return CompiledPolicy(
        name=name, policy=policy, scenario=scn, payer_ids=payers,
        location_ids=site_ids + dest_ids, loc_ctrl=loc_ctrl, cost=cost, escort_cost=escort,
        personnel=pers, reference=reference, budget=budget, budget_first=first,
        calendars=calendars, fund_calendar=fund_cal, fund_targets=targets,
    )


def report_payers(scn: Scenario) -> list[str]:
    """Payers reported in KPIs: those any policy of ``scn`` can bill, in country order."""
    used: set[str] = set()
    for name in scn.policies:
        cp = compile_policy(scn, name)
        used |= cp.payers_used()
        used |= {cp.payer_ids[p] for p in cp.budgeted}
    return [c for c in scn.countries if c in used]


def budgeted_payers(scn: Scenario) -> list[str]:
    """Payers with a ceiling in any policy of ``scn``, in country order."""
    used: set[str] = set()
    for name in scn.policies:
        cp = compile_policy(scn, name)
        used |= {cp.payer_ids[p] for p in cp.budgeted}
    return [c for c in scn.countries if c in used]

