"""Every KPI, declared once: name, meaning, unit, direction, tier and computation.

Adding a KPI is adding one function here with the ``@kpi`` decorator; results, batches,
comparisons, tables, figures and the report pick it up from the catalogue. Declaration order
is display order. Values are floats (NaN where undefined); a broken-down KPI returns
``{dimension values: float}`` in a stable order.
"""

from __future__ import annotations

import math

import numpy as np

from sim.costs import COST_CATEGORIES, PERSONNEL_KINDS
from sim.kpis.catalogue import kpi
from sim.kpis.run import Run, weighted_quantile
from sim.model.reasons import BLOCK_REASONS
from sim.scenario.vocabulary import Action

MILLION = {"shown_unit": "USD million", "scale": 1e-6}
PERCENT = {"shown_unit": "% of total", "scale": 100.0}


# ----------------------------------------------------------------------------- people
@kpi("transferred", "People transferred to Iraq", "people", "higher", tier="headline",
     description="people who reached a facility in Iraq by the horizon")
def transferred(r: Run) -> float:
    return float(r.raw.arrived[r.last].sum())


@kpi("released", "People released in Syria", "people", "lower", tier="summary")
def released(r: Run) -> float:
    return float(r.raw.released[r.last].sum())


@kpi("repatriated", "People repatriated", "people", "higher", tier="summary")
def repatriated(r: Run) -> float:
    return float(r.raw.repatriated[r.last].sum())


@kpi("discharged", "People discharged in Iraq", "people", "higher")
def discharged(r: Run) -> float:
    return float(r.raw.discharged[r.last].sum())


@kpi("escaped", "Escapes (gross)", "people", "lower", tier="headline",
     description="gross escapes from the Syrian sites (recaptured ones included)")
def escaped(r: Run) -> float:
    return float(r.raw.escaped[r.last].sum())


@kpi("recaptured", "Recaptured", "people", "higher")
def recaptured(r: Run) -> float:
    return float(r.raw.recaptured[r.last].sum())


@kpi("at_large", "Escapees at large", "people", "lower", tier="summary",
     description="escapees not back at a site by the horizon (escaped minus recaptured; "
                 "people caught but still on their way back count as at large)")
def at_large(r: Run) -> float:
    return float(r.raw.escaped[r.last].sum() - r.raw.recaptured[r.last].sum())


@kpi("escaped_by_category", "Escapes: {category}", "people", "lower", dims=("category",),
     template="escaped:{category}")
def escaped_by_category(r: Run) -> dict:
    esc, plan = r.raw.escaped[r.last], r.plan
    return {(cat,): float(esc[plan.group_cat == c].sum()) for c, cat in enumerate(plan.cat_ids)}


@kpi("remaining_at_sites", "Still at the Syrian sites at the end", "people", "lower",
     tier="headline")
def remaining_at_sites(r: Run) -> float:
    return float(r.raw.site_stock[r.last].sum())


# ----------------------------------------------------------------------------- time
def _completion(r: Run) -> list[float]:
    """Days on which the transfer programme can count as complete: nobody is on a transfer
    and nobody waits for one for a reason that could end (those held back because Iraq's
    total is reached or beds that never free up are full have moved as far as they may); or
    Iraq has received the total it accepts."""
    raw, last = r.raw, r.last
    pending = raw.waiting - raw.stuck + raw.in_transit.sum(axis=1)
    arrived = r.arrived
    busy = np.flatnonzero(pending > 0)
    candidates = []
    if pending[last] == 0 and arrived[last] > 0:
        candidates.append(float(busy[-1] + 1) if busy.size else 0.0)
    total = r.scenario.acceptance.total
    if total is not None and total > 0 and arrived[last] >= total:
        candidates.append(float(np.argmax(arrived >= total)))
    return candidates


@kpi("completion_day", "Completion day", "days", "lower", tier="headline",
     shown_unit="days from start",
     description="day the transfer programme finished (NaN when it did not within the horizon)")
def completion_day(r: Run) -> float:
    candidates = _completion(r)
    return min(candidates) if candidates else float("nan")


@kpi("completed", "Share of runs completed", "share", "higher", **PERCENT)
def completed(r: Run) -> float:
    return 1.0 if _completion(r) else 0.0


@kpi("mean_wait_days", "Mean wait before departure", "days", "lower", tier="headline")
def mean_wait_days(r: Run) -> float:
    waits, weights = r.waits
    return float(waits @ weights / weights.sum()) if weights.sum() else math.nan


@kpi("p90_wait_days", "90th percentile wait before departure", "days", "lower",
     tier="summary")
def p90_wait_days(r: Run) -> float:
    waits, weights = r.waits
    return weighted_quantile(waits, weights, 0.9)


@kpi("person_days_at_risk", "Person-days under a changed custodian", "person-days", "lower",
     tier="summary")
def person_days_at_risk(r: Run) -> float:
    raw = r.raw
    t, s = np.nonzero(raw.controller != raw.controller[0][None, :])
    return float(raw.site_stock[t, s].sum())  # people: a sum exact in any order


# ----------------------------------------------------------------------------- fairness
@kpi("left_behind", "Left behind at the end", "people", "lower", tier="summary",
     description="people whose transfer had started and who are still at a site at the end")
def left_behind(r: Run) -> float:
    return float(r.left_behind.sum())


def _by_site_nationality(r: Run, values: np.ndarray, reduce: np.ufunc) -> dict:
    """``reduce`` (``np.add`` of counts, or ``np.maximum``: exact in any order) of ``values``
    ([S, G]) over the groups of each site and nationality that start with people whose
    transfer starts within the horizon (the same keys every run), by site then
    nationality."""
    plan = r.plan
    moving = ((plan.action == int(Action.transfer)) & (plan.initial_stock > 0)
              & (plan.start_day <= r.last))
    s, g = np.nonzero(moving)
    if not s.size:
        return {}
    N = len(plan.nat_ids)
    key = s * N + np.asarray(plan.group_nat)[g]
    order = np.argsort(key, kind="stable")
    key, s, g = key[order], s[order], g[order]
    first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    got = reduce.reduceat(values[s, g], first)
    return {(plan.site_ids[k // N], plan.nat_ids[k % N]): float(v)
            for k, v in zip(key[first].tolist(), got.tolist())}


@kpi("left_behind_by_group", "Left behind at {site}: {nationality}", "people", "lower",
     dims=("site", "nationality"), template="left_behind:{site}:{nationality}")
def left_behind_by_group(r: Run) -> dict:
    return _by_site_nationality(r, r.left_behind, np.add)


@kpi("max_wait_days", "Longest wait for a transfer", "days", "lower", tier="summary",
     description="longest wait of anyone whose transfer had started: days to departure, or "
     "to the end of the horizon for those still waiting")
def max_wait_days(r: Run) -> float:
    waits = r.longest_waits
    return float(waits.max()) if (waits >= 0).any() else float("nan")


@kpi("max_wait_by_group", "Longest wait at {site}: {nationality}", "days", "lower",
     dims=("site", "nationality"), template="max_wait:{site}:{nationality}")
def max_wait_by_group(r: Run) -> dict:
    longest = _by_site_nationality(r, r.longest_waits, np.maximum)
    return {k: v if v >= 0 else float("nan") for k, v in longest.items()}


# ----------------------------------------------------------------------------- capacity
@kpi("peak_beds", "Peak occupancy at {destination}", "people", "lower", dims=("destination",),
     template="peak_beds:{destination}")
def peak_beds(r: Run) -> dict:
    peak = r.raw.dest_stock.sum(axis=2).max(axis=0)  # people: sums exact in any order
    return {(did,): float(peak[d]) for d, did in enumerate(r.plan.dest_ids)}


@kpi("trips_by_fleet", "Trips by {fleet}", "trips", "lower", dims=("fleet",),
     template="trips:{fleet}")
def trips_by_fleet(r: Run) -> dict:
    trips = r.raw.trips
    return {(fid,): float(sum(1 for t in trips if t.fleet == f))
            for f, fid in enumerate(r.plan.fleet_ids)}


@kpi("trips", "Trips", "trips", "lower", tier="summary")
def trips(r: Run) -> float:
    return float(len(r.raw.trips))


@kpi("moved", "Moved from {site} to {destination}", "people", "higher",
     dims=("site", "destination"), template="moved:{site}>{destination}")
def moved(r: Run) -> dict:
    plan = r.plan
    out: dict[tuple[int, int], int] = {pair: 0 for pair in plan.pairs}
    for t in r.raw.trips:
        out[(t.origin, t.destination)] = out.get((t.origin, t.destination), 0) + t.people
    return {(plan.site_ids[s], plan.dest_ids[d]): float(n) for (s, d), n in out.items()}


@kpi("parameter", "Drawn input: {kind}", "as the input", "higher", dims=("kind",),
     template="parameter:{kind}",
     description="the value a run drew for an uncertain input (scenarios with parameters:; "
                 "a categorical input as the index of its value)")
def parameter(r: Run) -> dict:
    params = getattr(r.scenario, "parameters", None)
    if params is None or params.values is None:
        return {}
    return {(name,): float(v) for name, v in params.values.items()}


# ----------------------------------------------------------------------------- costs
@kpi("cost_by_category", "Cost: {cost_category}", "USD", "lower", dims=("cost_category",),
     template="cost:{cost_category}", **MILLION)
def cost_by_category(r: Run) -> dict:
    by_cat = r.cost_by_category
    return {(name,): float(by_cat[c]) for c, name in enumerate(COST_CATEGORIES)}


@kpi("cost_total", "Total cost", "USD", "lower", tier="headline", **MILLION)
def cost_total(r: Run) -> float:
    return float(r.cost_by_category.sum())


@kpi("personnel_days_by_kind", "Personnel-days: {kind}", "person-days", "lower",
     dims=("kind",), template="personnel_days:{kind}")
def personnel_days_by_kind(r: Run) -> dict:
    pers = r.personnel_by_kind
    return {(name,): float(pers[i]) for i, name in enumerate(PERSONNEL_KINDS)}


@kpi("personnel_days", "Security personnel", "person-days", "lower", tier="headline",
     description="escort and guard personnel-days (the security burden)")
def personnel_days(r: Run) -> float:
    return float(r.personnel_by_kind.sum())


@kpi("days_blocked", "Days with people held back", "days", "lower")
def days_blocked(r: Run) -> float:
    return float((r.raw.blocked.sum(axis=1) > 0).sum())


@kpi("days_blocked_by_reason", "Days held back by {reason}", "days", "lower",
     dims=("reason",), template="days_blocked:{reason}")
def days_blocked_by_reason(r: Run) -> dict:
    blocked = r.raw.blocked
    return {(reason,): float((blocked[:, i] > 0).sum()) for i, reason in enumerate(BLOCK_REASONS)}


# ----------------------------------------------------------------------------- payers
@kpi("cost_by_payer", "Cost paid by {payer}", "USD", "lower", dims=("payer",),
     template="cost:payer:{payer}", needs_policy=True, **MILLION)
def cost_by_payer(r: Run) -> dict:
    return {(p,): float(r.payer_cost[r.payer_index[p]]) for p in r.report_payers}


@kpi("share_by_payer", "Share paid by {payer}", "share", "lower", dims=("payer",),
     template="share:payer:{payer}", needs_policy=True, **PERCENT)
def share_by_payer(r: Run) -> dict:
    return {(p,): float(r.payer_shares[r.payer_index[p]]) for p in r.report_payers}


@kpi("personnel_days_by_payer", "Personnel provided by {payer}", "person-days", "lower",
     dims=("payer",), template="personnel_days:payer:{payer}", needs_policy=True)
def personnel_days_by_payer(r: Run) -> dict:
    pers = r.payers.totals["personnel_days"]
    return {(p,): float(pers[r.payer_index[p]]) for p in r.report_payers}


@kpi("share_iraq", "Iraq's share of the cost", "share", "lower", tier="headline",
     needs_policy=True, description="share of the receiving state", **PERCENT)
def share_iraq(r: Run) -> float:
    rec = r.payers.cp.policy.receiving
    return float(r.payer_shares[r.payer_index[rec]]) if rec in r.payer_index else float("nan")


@kpi("largest_share", "Largest payer's share", "share", "lower", tier="headline",
     needs_policy=True, **PERCENT)
def largest_share(r: Run) -> float:
    return float(np.nanmax(r.payer_shares)) if float(r.payer_cost.sum()) > 0 else float("nan")


@kpi("share_deviation", "Deviation from the key", "share", "lower", tier="summary",
     needs_policy=True, description="half the sum of absolute differences between realised "
     "shares and the policy's reference key (0 = the key, 1 = disjoint)", **PERCENT)
def share_deviation(r: Run) -> float:
    ref = r.payers.cp.reference
    if ref is None or float(r.payer_cost.sum()) <= 0:
        return float("nan")
    return float(0.5 * np.abs(r.payer_shares - ref).sum())


@kpi("overrun_by_payer", "Budget overrun of {payer}", "USD", "lower", dims=("payer",),
     template="overrun:payer:{payer}", needs_policy=True, **MILLION)
def overrun_by_payer(r: Run) -> dict:
    return {(p,): float(r.overrun[r.payer_index[p]]) for p in r.budgeted_payers}


@kpi("overrun_total", "Budget overrun", "USD", "lower", needs_policy=True, **MILLION)
def overrun_total(r: Run) -> float:
    return float(r.overrun.sum())


# ----------------------------------------------------------------------------- pooled fund
@kpi("fund_orders", "Pooled fund: orders", "orders", "lower", template="fund:orders",
     needs_policy=True)
def fund_orders(r: Run) -> float:
    return float(len(r.payers.treasury.orders_made))


@kpi("fund_spent", "Pooled fund: spent", "USD", "lower", template="fund:spent",
     needs_policy=True, **MILLION)
def fund_spent(r: Run) -> float:
    orders = r.payers.treasury.orders_made
    return float(sum(o.cost for o in orders if o.day < r.plan.horizon))


@kpi("fund_beds", "Pooled fund: beds bought", "beds", "higher", template="fund:beds",
     needs_policy=True)
def fund_beds(r: Run) -> float:
    return float(sum(o.amount for o in r.payers.treasury.orders_made if o.kind == "beds"))


@kpi("fund_units", "Pooled fund: units bought", "units", "higher", template="fund:units",
     needs_policy=True)
def fund_units(r: Run) -> float:
    return float(sum(o.amount for o in r.payers.treasury.orders_made if o.kind == "units"))


@kpi("fund_pledged", "Pooled fund: pledged", "USD", "lower", template="fund:pledged",
     needs_policy=True, **MILLION)
def fund_pledged(r: Run) -> float:
    return float(r.payers.treasury.credited)
