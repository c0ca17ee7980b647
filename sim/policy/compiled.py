"""A policy compiled against a scenario: its share matrices, payers' budgets and fiscal years.

The share matrices come from :func:`sim.scenario.shares.policy_shares` (evaluated once per
scenario object); this adds what the treasury needs to throttle the programme. Compiled
policies are kept with the scenario object (scenarios are immutable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.scenario.policies import Policy, parse_month_day
from sim.scenario.schema import Scenario
from sim.scenario.shares import PolicyShares, policy_shares


@dataclass
class FiscalCalendar:
    """Fiscal years of one payer (or fund) over the horizon."""

    index: np.ndarray  # [T] fiscal-year number of each day (0 = the year of day 0)
    days_left: np.ndarray  # [T] days after this one until the fiscal year ends
    starts: list[int]  # days (within the horizon) on which a fiscal year starts, after day 0
    first_fraction: float  # part of the first fiscal year left on day 0
    n_years: int
    year_days: np.ndarray  # [T] days of each day's fiscal year from its first day in the run


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
    firsts = np.concatenate([[0], np.flatnonzero(np.diff(index)) + 1]) if horizon else []
    year_days = np.zeros(horizon, dtype=np.int64)
    for a in firsts:
        year_days[index == index[a]] = days_left[a] + 1
    return FiscalCalendar(index, days_left, starts, frac, int(index[-1]) + 1 if horizon else 1,
                          year_days)


@dataclass
class CompiledPolicy:
    name: str
    policy: Policy
    scenario: Scenario
    shares: PolicyShares
    budget: np.ndarray  # [P] annual ceiling (inf = none)
    budget_first: np.ndarray  # [P] available in the first fiscal year
    calendars: dict[int, FiscalCalendar]  # payer index -> fiscal calendar (budgeted only)
    fund_calendar: FiscalCalendar | None
    fund_targets: list[int]  # index of each purchase's destination / fleet

    @property
    def payer_ids(self) -> list[str]:
        return self.shares.payer_ids

    @property
    def location_ids(self) -> list[str]:
        return self.shares.location_ids

    @property
    def loc_ctrl(self) -> np.ndarray:
        return self.shares.loc_ctrl

    @property
    def cost(self) -> np.ndarray:
        return self.shares.cost

    @property
    def escort_cost(self) -> np.ndarray:
        return self.shares.escort_cost

    @property
    def personnel(self) -> np.ndarray:
        return self.shares.personnel

    @property
    def reference(self) -> np.ndarray | None:
        return self.shares.reference

    @property
    def budgeted(self) -> np.ndarray:
        return np.flatnonzero(np.isfinite(self.budget))

    def payers_used(self) -> set[str]:
        return self.shares.payers_used()


def compile_policy(scn: Scenario, name: str) -> CompiledPolicy:
    """Compile policy ``name`` of ``scn`` (once per scenario object; raises KeyError and
    :class:`sim.rules.RuleError`)."""
    shares = policy_shares(scn, name)
    return scn.derived(f"policy:{name}", lambda: _compile(scn, name, shares))


def _compile(scn: Scenario, name: str, shares: PolicyShares) -> CompiledPolicy:
    policy = scn.policies[name]
    payers = shares.payer_ids
    col = {p: i for i, p in enumerate(payers)}
    P, T = len(payers), scn.metadata.horizon_days
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
            ids = list(scn.destinations) if item.kind == "beds" else list(scn.fleets)
            targets.append(ids.index(item.target))
    return CompiledPolicy(name=name, policy=policy, scenario=scn, shares=shares, budget=budget,
                          budget_first=first, calendars=calendars, fund_calendar=fund_cal,
                          fund_targets=targets)


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
