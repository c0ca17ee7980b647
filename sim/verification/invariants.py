"""Invariants that every run must satisfy, whatever the scenario: conservation, capacities,
records that agree with each other, Little's law in its exact discrete form, and payer
allocations that add up. :func:`violations` returns what is broken (empty when all hold).

Used by the verification tests over hypothesis-generated scenarios and by
``python -m sim.verification`` (docs/validation.md).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.costs import CostCategory, PersonnelKind
from sim.kpis import long_table
from sim.model.conflict import END_OF_DAY as _END_OF_DAY
from sim.scenario.vocabulary import Action

if TYPE_CHECKING:
    from sim.model.records import RawRun
    from sim.results import RunResult

_TRANSFER = int(Action.transfer)
_TRANSPORT = int(CostCategory.transport)
_ESCORT = int(PersonnelKind.escort)
REL = 1e-9


def _close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-6)


def record_times(horizon: int) -> np.ndarray:
    """The instants at which the end of each day is recorded."""
    return np.arange(horizon) + _END_OF_DAY


def days_waited(wait: float) -> int:
    """End-of-day records at which someone who left ``wait`` days after the start of their
    transfer (an integer day) was still waiting: the records at ``d + _END_OF_DAY < depart``."""
    return max(math.ceil(wait - _END_OF_DAY), 0)


def waits(raw: RawRun) -> tuple[np.ndarray, np.ndarray]:
    """Days each group on each trip waited since its transfer could start, and how many
    people (from the dispatcher's departure records)."""
    if not raw.departures:
        return np.zeros(0), np.zeros(0)
    if len(raw.departures[0]) == 2:  # (wait, people) per trip and group
        return (np.array([w for w, _ in raw.departures], dtype=float),
                np.array([n for _, n in raw.departures], dtype=float))
    times = np.array([t for t, _, _ in raw.departures], dtype=float)  # (time, site, people)
    sites = np.array([s for _, s, _ in raw.departures], dtype=np.int64)
    people = np.stack([p for _, _, p in raw.departures]).astype(float)
    wait = times[:, None] - raw.plan.start_day[sites]
    mask = people > 0
    return wait[mask], people[mask]


def little_origin(raw: RawRun) -> tuple[float, float]:
    """Both sides of Little's law at the origin in record units, exact for a run in which
    transfers are the only way out of waiting (no escapes):

    sum over days of people waiting at the end of the day  ==
    sum over people who left of the records they waited  +  (T - start) for those still
    waiting at the end of the horizon.
    """
    plan, T = raw.plan, raw.plan.horizon
    area = float(raw.waiting.sum())
    wait, people = waits(raw)
    left = float(sum(n * days_waited(w) for w, n in zip(wait.tolist(), people.tolist())))
    still = (plan.action == _TRANSFER) & (plan.start_day < T)
    censored = float((raw.site_stock[-1] * still * (T - plan.start_day)).sum())
    return area, left + censored


def violations(res: RunResult) -> list[str]:
    """Every broken invariant of a run, as text (empty list: all hold)."""
    raw = res.raw
    out: list[str] = []
    out += _conservation(raw)
    out += _capacities(raw)
    out += _records_agree(raw)
    out += _kpis_agree(res)
    if res.payers is not None:
        out += payer_violations(res)
    return out


def _conservation(raw: RawRun) -> list[str]:
    out = []
    per_group = (raw.site_stock.sum(axis=1) + raw.in_transit + raw.dest_stock.sum(axis=1)
                 + raw.discharged + raw.released + raw.repatriated + raw.escaped
                 - raw.recaptured)
    initial = raw.plan.initial_stock.sum(axis=0)
    bad = np.argwhere(per_group != initial[None, :])
    if bad.size:
        d, g = bad[0]
        out.append(f"conservation: day {d} group {g} accounts for {per_group[d, g]} people, "
                   f"{initial[g]} at the start")
    for name in ("site_stock", "dest_stock", "in_transit"):
        if getattr(raw, name).min(initial=0) < 0:
            out.append(f"negative stock in {name}")
    for name in ("arrived", "discharged", "released", "repatriated", "escaped", "recaptured"):
        if (np.diff(getattr(raw, name), axis=0) < 0).any():
            out.append(f"cumulative {name} falls")
    if (raw.discharged > raw.arrived).any():
        out.append("more people discharged than arrived")
    if (raw.recaptured > raw.escaped).any():
        out.append("more people recaptured than escaped")
    if not np.array_equal(raw.escaped_by_site.sum(axis=0), raw.escaped[-1]):
        out.append("escapes by site do not add up to the escapes")
    return out


def _capacities(raw: RawRun) -> list[str]:
    out = []
    plan, scn = raw.plan, raw.plan.scenario
    T = plan.horizon
    occupancy = raw.dest_stock.sum(axis=2)
    if (occupancy > raw.beds).any():
        out.append("a destination holds more people than its beds")
    seats = [scn.fleets[f].seats for f in plan.fleet_ids]
    quota_max = {c: math.floor(scn.crossings[c].daily_throughput * max(
        [1.0] + [e.crossing_quota for e in scn.conflict.effects.values()]))
        for c in plan.crossing_ids}
    through: dict[tuple[int, int], int] = {}
    for t in raw.trips:
        if not 0 < t.people <= seats[t.fleet]:
            out.append(f"trip {t.id} carries {t.people} people in {seats[t.fleet]} seats")
        if not t.depart <= t.arrive <= t.back:
            out.append(f"trip {t.id}: depart {t.depart}, arrive {t.arrive}, back {t.back}")
        if t.crossing >= 0:
            key = (t.crossing, int(t.depart))
            through[key] = through.get(key, 0) + t.people
    for (c, day), n in through.items():
        if n > quota_max[plan.crossing_ids[c]]:
            out.append(f"crossing {plan.crossing_ids[c]} let {n} through on day {day}")
    acc = scn.acceptance
    sent = sum(t.people for t in raw.trips)
    if acc.total is not None and sent > acc.total:
        out.append(f"{sent} people sent to Iraq, acceptance total {acc.total}")
    for i, cap in enumerate(acc.caps):
        start = scn.day(cap.start)
        end = scn.day(cap.end) if cap.end is not None else T + 1
        per: dict[int, int] = {}
        for t in raw.trips:
            day = int(t.depart)
            if start <= day < end:
                k = (day - start) // cap.period_days
                per[k] = per.get(k, 0) + t.people
        over = {k: n for k, n in per.items() if n > cap.max_people}
        if over:
            out.append(f"acceptance cap {i} exceeded in periods {sorted(over)}")
    # beds are reserved at dispatch: people there plus people on the way never exceed beds
    # (unless a capacity_change took beds away, in which case nobody is evicted)
    times = record_times(T)
    for d in range(len(plan.dest_ids)):
        if (np.diff(raw.beds[:, d]) < 0).any() or raw.beds[0, d] < scn.destinations[
                plan.dest_ids[d]].beds:
            continue
        coming = np.zeros(T, dtype=np.int64)
        for t in raw.trips:
            if t.destination == d:
                coming += ((t.depart <= times) & (times < t.arrive)) * t.people
        if (occupancy[:, d] + coming > raw.beds[:, d]).any():
            out.append(f"destination {plan.dest_ids[d]}: occupancy plus reservations above "
                       f"its beds")
    return out


def _records_agree(raw: RawRun) -> list[str]:
    out = []
    plan, scn = raw.plan, raw.plan.scenario
    T = plan.horizon
    times = record_times(T)
    departed = np.zeros(T, dtype=np.int64)
    arrived = np.zeros(T, dtype=np.int64)
    for t in raw.trips:
        departed += (t.depart <= times) * t.people
        arrived += (t.arrive <= times) * t.people
    if not np.array_equal(arrived, raw.arrived.sum(axis=1)):
        out.append("daily arrivals differ from the trips that had arrived")
    if not np.array_equal(departed, raw.arrived.sum(axis=1) + raw.in_transit.sum(axis=1)):
        out.append("daily departures differ from the trips that had left")
    if not np.array_equal(raw.blocked.sum(axis=1), raw.waiting):
        day = int(np.flatnonzero(raw.blocked.sum(axis=1) != raw.waiting)[0])
        out.append(f"day {day}: {int(raw.blocked[day].sum())} people held back by some reason, "
                   f"{int(raw.waiting[day])} waiting")
    # trips and the ledger: transport cost and escort-days booked for exactly these trips
    fleets = [scn.fleets[f] for f in plan.fleet_ids]
    transport = sum(fleets[t.fleet].cost_per_trip + fleets[t.fleet].cost_per_km * 2
                    * plan.routes[t.route].distance_km for t in raw.trips)
    escort_days = sum(t.escorts * (t.back - t.depart) for t in raw.trips)
    if not _close(raw.cost[:, _TRANSPORT].sum(), transport):
        out.append(f"transport booked {raw.cost[:, _TRANSPORT].sum():.6g}, trips cost "
                   f"{transport:.6g}")
    if not _close(raw.personnel[:, _ESCORT].sum(), escort_days, 1e-7):
        out.append(f"escort-days booked {raw.personnel[:, _ESCORT].sum():.6g}, trips need "
                   f"{escort_days:.6g}")
    trip_cost = sum(t.cost for t in raw.trips)
    rate = scn.costs.escort_cost_per_person_day
    if not _close(trip_cost, transport + rate * escort_days, 1e-7):
        out.append(f"trip costs {trip_cost:.6g} differ from transport + escorts")
    # Little's law at the origin, exact in record units, when transfers are the only exit
    if raw.escaped[-1].sum() == 0:
        area, waits = little_origin(raw)
        if area != waits:
            out.append(f"Little's law at the origin: {area} person-days waiting recorded, "
                       f"{waits} from the departures")
    return out


def _kpis_agree(res: RunResult) -> list[str]:
    raw, k = res.raw, res.kpis
    out = []
    checks = {
        "transferred": raw.arrived[-1].sum(),
        "escaped": raw.escaped[-1].sum(),
        "trips": len(raw.trips),
        "cost_total": raw.cost.sum(),
        "personnel_days": raw.personnel.sum(),
        "remaining_at_sites": raw.site_stock[-1].sum(),
    }
    for name, value in checks.items():
        if not _close(k[name], float(value)):
            out.append(f"KPI {name} = {k[name]}, records say {value}")
    table = long_table(k)
    moved = table.loc[table["kpi"] == "moved", "value"].sum()
    if moved != sum(t.people for t in raw.trips):
        out.append("moved:* do not add up to the people on trips")
    wait, people = waits(raw)
    if people.sum():
        mean = float(wait @ people / people.sum())
        if not _close(k["mean_wait_days"], mean, 1e-7):
            out.append(f"mean_wait_days {k['mean_wait_days']} != {mean}")
    return out


def payer_violations(res: RunResult) -> list[str]:
    """Payer allocation adds up: per ledger entry, over payers, and in the KPIs."""
    out = []
    k = res.kpis
    cost_total, pers_total = k["cost_total"], k["personnel_days"]
    table = long_table(k)
    by_payer = table[table["kpi"] == "cost_by_payer"]
    payers, paid = list(by_payer["payer"]), float(by_payer["value"].sum())
    allocated = float(res.payers.totals["cost"].sum())
    if not _close(allocated, cost_total, 1e-9):
        out.append(f"payers are allocated {allocated:.10g} of a ledger of {cost_total:.10g}")
    if not _close(paid, cost_total, 1e-9) and len(payers) == len(res.payers.payer_ids):
        out.append(f"cost:payer:* add up to {paid:.10g}, cost_total is {cost_total:.10g}")
    staff = float(res.payers.totals["personnel_days"].sum())
    if not _close(staff, pers_total, 1e-9):
        out.append(f"payers' personnel-days {staff:.10g}, ledger {pers_total:.10g}")
    if cost_total > 0 and len(payers) == len(res.payers.payer_ids):
        shares = float(table.loc[table["kpi"] == "share_by_payer", "value"].sum())
        if not _close(shares, 1.0, 1e-9):
            out.append(f"payer shares add up to {shares:.12g}")
    out += _entries_add_up(res)
    return out


def _entries_add_up(res: RunResult) -> list[str]:
    """Each ledger entry (day, category, location, nationality, measure) is fully paid, and
    the shares of its payers add up to 1."""
    keys = ["day", "category", "location", "nationality", "measure"]
    ledger = res.ledger
    lp = res.ledger_payers
    if ledger.empty and (lp is None or lp.empty):
        return []
    want = ledger.groupby(keys)["amount"].sum()
    got = lp.groupby(keys)["amount"].sum().reindex(want.index, fill_value=0.0)
    err = (got - want).abs() / want.abs().clip(lower=1e-6)
    out = []
    if len(want) and float(err.max()) > 1e-9:
        worst = err.idxmax()
        out.append(f"ledger entry {worst}: payers pay {got[worst]:.10g} of {want[worst]:.10g}")
    extra = lp.groupby(keys)["amount"].sum().index.difference(want.index)
    if len(extra):
        out.append(f"payers are allocated entries that are not in the ledger: "
                   f"{list(extra[:3])}")
    # shares of one entry: escort and guard pay share the category 'security' but are
    # allocated apart (activity transfer / holding), so sum shares per activity as well
    by_entry = lp.groupby([*keys, "activity"])["share"].sum()
    if len(by_entry) and float((by_entry - 1.0).abs().max()) > 1e-9:
        out.append(f"payer shares of an entry add up to {float(by_entry.max()):.12g} / "
                   f"{float(by_entry.min()):.12g}")
    return out
