"""Cross-reference and consistency checks on a validated scenario.

Each check yields ``(path, message)``; the loader adds file and line. Paths follow the YAML.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from typing import Any

from sim.costs import COST_CATEGORIES
from sim.rules import Context, RuleError, check_ref
from sim.scenario.base import MAX_COUNT, MAX_TRIPS
from sim.scenario.policies import Policy
from sim.scenario.schema import Scenario
from sim.scenario.shares import policy_shares
from sim.scenario.uncertainties import check_uncertainties
from sim.scenario.vocabulary import CONFLICT_STATES

Finding = tuple[tuple, str]


MAX_CELLS = 20_000_000
"""Largest daily record of the model: days x (sites + destinations) x groups of people, and
the size of a policy's share tables; a run keeps a few arrays of this many 64-bit numbers
(160 MB each) in every worker."""


def check_references(scn: Scenario, data: dict[str, Any] | None = None) -> list[Finding]:
    """Every problem a schema cannot see: unknown ids, dates outside the horizon, overlaps."""
    out: list[Finding] = list(_size(scn))
    if out:  # too big to check further (a policy's share tables are computed below)
        return out
    for check in (_people, _controllers, _sites, _dispositions, _routes, _dates, _timeline,
                  _escapes, _policies):
        out.extend(check(scn))
    out.extend(check_uncertainties(scn, check_references))
    return out


def _groups(scn: Scenario) -> int:
    return len({(nat, cat) for site in scn.sites.values()
                for nat, cats in site.population.items() for cat in cats})


def most_trips(scn: Scenario) -> tuple[int, str | None]:
    """An upper bound on the trips of a run of ``scn``, and the fleet on a route with the
    fewest seats (None without routes).

    Nobody is moved twice (nobody comes back from Iraq), and a trip's load is the least of
    its fleet's seats, the people its pair has waiting, the crossing's quota left today,
    Iraq's room and the destination's free beds. So a trip either is full, or empties its
    pair's queue (which refills only when a disposition starts for a group or recaptured
    people come back, once a day), or uses up the day's quota (renewed each day and, if the
    states' quotas differ, when the conflict state switches: counted as 3 times a day, as
    half of all spells last a day or more), or fills Iraq's room for the period of a cap (or
    its total), or the destination's free beds (which grow at most once a day). Besides, a
    trip carries at least its fleet's min_load (or seats if fewer) unless it empties a
    queue, Iraq's total or beds that never free. The bound is the smaller of the two counts.
    """
    fleets = {r.fleet: scn.fleets[r.fleet] for r in scn.routes if r.fleet in scn.fleets}
    if not fleets:
        return 0, None
    people, days = scn.total_population, scn.metadata.horizon_days + 1
    pairs = len({(r.origin, r.destination) for r in scn.routes})
    partial = pairs * (_groups(scn) + 1 + (days if scn.escapes.recapture else 0)) + 1
    least = min(min(f.min_load, f.seats) for f in fleets.values())
    by_load = -(-people // least) + partial + len(scn.destinations) + len(scn.conflict.timeline)
    effects = scn.conflict.effects
    quotas = {effects[s].crossing_quota if s in effects else 1.0 for s in CONFLICT_STATES}
    renewals = days * (1 + 3 * (len(quotas) > 1))
    periods = sum(-(-days // c.period_days) + 1 for c in scn.acceptance.caps)
    fleet = min(fleets, key=lambda f: fleets[f].seats)
    by_seats = (-(-people // fleets[fleet].seats) + partial + periods
                + len({r.via for r in scn.routes if r.via}) * renewals
                + len(scn.destinations) * (days + len(scn.conflict.timeline)))
    return min(by_load, by_seats), fleet


def _size(scn: Scenario) -> Iterator[Finding]:
    """The whole population within :data:`MAX_COUNT`, the trips within :data:`MAX_TRIPS`,
    and the model's arrays within :data:`MAX_CELLS` (so that no accepted scenario takes
    hours or runs out of memory)."""
    total = scn.total_population
    if total > MAX_COUNT:
        yield ("sites",), (f"{total:,} people in all sites together (expected at most "
                           f"{MAX_COUNT:,}: counts are summed over sites and days in 64-bit "
                           f"integers)")
        return
    trips, fleet = most_trips(scn)
    if trips > MAX_TRIPS:
        yield ("fleets", fleet, "seats"), (
            f"a run could need {trips:,} trips for {total:,} people, {scn.fleets[fleet].seats:,} "
            f"at most at a time in this fleet (expected at most {MAX_TRIPS:,} trips: the "
            f"model simulates and records every trip; more seats)")
    groups = _groups(scn)
    places = len(scn.sites) + len(scn.destinations)
    days = scn.metadata.horizon_days + 1
    cells = days * places * groups
    if cells > MAX_CELLS:
        yield ("sites",), (f"the model's daily record would hold {cells:,} numbers ({days} days "
                           f"x {places} sites and destinations x {groups} groups of people) "
                           f"(expected at most {MAX_CELLS:,}: fewer sites, nationalities, "
                           f"categories or days)")
    n = len(scn.countries)
    tables = len(COST_CATEGORIES) * places * (len(scn.controllers) + 1) * n * n
    if scn.policies and tables > MAX_CELLS:
        yield ("countries",), (f"each policy's share tables would hold {tables:,} numbers "
                               f"({n} countries x {n} payers x {places} places x "
                               f"{len(scn.controllers) + 1} custodians x "
                               f"{len(COST_CATEGORIES)} cost categories) (expected at most "
                               f"{MAX_CELLS:,}: fewer countries or places)")


def _unknown(kind: str, ref: str, known) -> str:
    if not known:
        return f"unknown {kind} '{ref}' (expected a {kind} defined in the scenario; none is)"
    names = ", ".join(sorted(k if k and k.isprintable() and k.strip() == k else repr(k)
                             for k in map(str, known)))
    close = difflib.get_close_matches(str(ref), [str(k) for k in known], n=1, cutoff=0.75)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown {kind} '{ref}' (expected one of: {names}{hint})"


def _people(scn: Scenario) -> Iterator[Finding]:
    if scn.total_population == 0:
        yield ("sites",), "empty population: no site holds anyone (expected at least one person)"
    for sid, site in scn.sites.items():
        for nat, cats in site.population.items():
            if nat not in scn.countries:
                yield ("sites", sid, "population", nat), _unknown("country", nat, scn.countries)
            for cat in cats:
                if cat not in scn.categories:
                    yield (("sites", sid, "population", nat, cat),
                           _unknown("category", cat, scn.categories))


def _controllers(scn: Scenario) -> Iterator[Finding]:
    for cid, ctl in scn.controllers.items():
        if ctl.country is not None and ctl.country not in scn.countries:
            yield ("controllers", cid, "country"), _unknown("country", ctl.country, scn.countries)
        for backer in ctl.backers:
            if backer not in scn.countries:
                yield (("controllers", cid, "backers", backer),
                       _unknown("country", backer, scn.countries))
        if ctl.backers:
            total = sum(ctl.backers.values())
            if abs(total - 1.0) > 1e-6:
                yield (("controllers", cid, "backers"),
                       f"backer shares sum to {total:g} (expected shares summing to 1)")


def _sites(scn: Scenario) -> Iterator[Finding]:
    for sid, site in scn.sites.items():
        days = [scn.day(p.start) for p in site.controller]
        if days[0] != 0:
            yield (("sites", sid, "controller", 0, "start"),
                   f"first controller period starts on day {days[0]} (expected day 0, the start "
                   f"date {scn.metadata.start_date})")
        if any(b <= a for a, b in zip(days, days[1:], strict=False)):
            yield (("sites", sid, "controller"),
                   "controller periods are not in order (expected each start after the last)")
        for i, period in enumerate(site.controller):
            if period.controller not in scn.controllers:
                yield (("sites", sid, "controller", i, "controller"),
                       _unknown("controller", period.controller, scn.controllers))
        closures = sorted((scn.day(c.start), scn.day(c.end), i)
                          for i, c in enumerate(site.closures))
        for (s1, e1, _), (s2, _e2, j) in zip(closures, closures[1:], strict=False):
            if s2 < e1:
                yield (("sites", sid, "closures", j),
                       f"closure overlaps another closure of this site (days {s1}-{e1}) "
                       f"(expected closures of one site not to overlap)")


def _selected(scn: Scenario, rule, attr: str, known) -> Iterator[Finding]:
    sel = getattr(rule, attr)
    if sel == "*":
        return
    for i, ref in enumerate(sel):
        if ref not in known:
            yield (attr, i), ref


def _dispositions(scn: Scenario) -> Iterator[Finding]:
    kinds = {"sites": ("site", scn.sites), "nationalities": ("country", scn.countries),
             "categories": ("category", scn.categories)}
    for r, rule in enumerate(scn.dispositions):
        for attr, (kind, known) in kinds.items():
            for (a, i), ref in _selected(scn, rule, attr, known):
                yield ("dispositions", r, a, i), _unknown(kind, ref, known)
        if rule.destination is not None and rule.destination not in scn.destinations:
            yield (("dispositions", r, "destination"),
                   _unknown("destination", rule.destination, scn.destinations))
            continue
        if rule.action == "transfer":
            sites = scn.sites if rule.sites == "*" else [s for s in rule.sites if s in scn.sites]
            for sid in sites:
                if not any(rt.origin == sid and rt.destination == rule.destination
                           for rt in scn.routes):
                    yield (("dispositions", r),
                           f"no route from site '{sid}' to destination '{rule.destination}' "
                           f"(expected a route in routes:)")


def _routes(scn: Scenario) -> Iterator[Finding]:
    for i, rt in enumerate(scn.routes):
        if rt.origin not in scn.sites:
            yield ("routes", i, "origin"), _unknown("site", rt.origin, scn.sites)
        if rt.destination not in scn.destinations:
            yield ("routes", i, "destination"), _unknown("destination", rt.destination,
                                                         scn.destinations)
        if rt.fleet not in scn.fleets:
            yield ("routes", i, "fleet"), _unknown("fleet", rt.fleet, scn.fleets)
        if rt.via is not None and rt.via not in scn.crossings:
            yield ("routes", i, "via"), _unknown("crossing", rt.via, scn.crossings)
        if rt.fleet in scn.fleets and scn.fleets[rt.fleet].mode == "road" and rt.via is None:
            yield (("routes", i, "via"), "a road route must name the border crossing it uses "
                   f"(expected via: one of {', '.join(sorted(scn.crossings)) or 'crossings:'})")
    for i, prog in enumerate(scn.repatriation):
        if prog.country not in scn.countries:
            yield ("repatriation", i, "country"), _unknown("country", prog.country, scn.countries)


def _dates(scn: Scenario) -> Iterator[Finding]:
    horizon = scn.metadata.horizon_days
    try:
        last = scn.date_of(horizon)
    except OverflowError:
        yield (("metadata", "start_date"),
               f"start_date {scn.metadata.start_date} plus {horizon} days is past the last "
               f"date the calendar can hold (expected a start date before 9990)")
        return

    def within(path: tuple, when) -> Iterator[Finding]:
        day = scn.day(when)
        if day is not None and not (0 <= day <= horizon):
            what = f"day {day}" if isinstance(when, int) else f"date {when} is day {day},"
            yield path, (f"{what} outside the horizon (expected between "
                         f"{scn.metadata.start_date} (day 0) and {last} "
                         f"(day {horizon}))")

    def ordered(path: tuple, start, end) -> Iterator[Finding]:
        # the schema compares two dates or two day numbers; here a date with a day number
        if end is not None and type(start) is not type(end) and scn.day(end) <= scn.day(start):
            yield path + ("end",), (f"end {end} (day {scn.day(end)}) is not after start {start} "
                                    f"(day {scn.day(start)}) (expected end after start)")

    for sid, site in scn.sites.items():
        for i, p in enumerate(site.controller):
            yield from within(("sites", sid, "controller", i, "start"), p.start)
        for i, c in enumerate(site.closures):
            yield from within(("sites", sid, "closures", i, "start"), c.start)
            yield from within(("sites", sid, "closures", i, "end"), c.end)
            yield from ordered(("sites", sid, "closures", i), c.start, c.end)
    for i, d in enumerate(scn.dispositions):
        yield from within(("dispositions", i, "start"), d.start)
    for i, prog in enumerate(scn.repatriation):
        yield from within(("repatriation", i, "start"), prog.start)
        yield from within(("repatriation", i, "end"), prog.end)
        yield from ordered(("repatriation", i), prog.start, prog.end)
    for i, cap in enumerate(scn.acceptance.caps):
        yield from within(("acceptance", "caps", i, "start"), cap.start)
        yield from within(("acceptance", "caps", i, "end"), cap.end)
        yield from ordered(("acceptance", "caps", i), cap.start, cap.end)
    for i, ev in enumerate(scn.conflict.timeline):
        yield from within(("conflict", "timeline", i, "start"), ev.start)
        yield from within(("conflict", "timeline", i, "end"), ev.end)
        yield from ordered(("conflict", "timeline", i), ev.start, ev.end)
    for i, obs in enumerate(scn.observed):
        yield from within(("observed", i, "date"), obs.date)
        yield from within(("observed", i, "date_from"), obs.date_from)
        if obs.site is not None and obs.site not in scn.sites:
            yield ("observed", i, "site"), _unknown("site", obs.site, scn.sites)


_TARGET = {"control_change": "site", "crossing_closed": "crossing", "site_closed": "site",
           "capacity_change": "destination", "breakout": "site", "ceasefire": None,
           "fighting": None}
_KNOWN = {"site": "sites", "crossing": "crossings", "destination": "destinations",
          "controller": "controllers"}


def _timeline(scn: Scenario) -> Iterator[Finding]:
    spans: dict[tuple, list[tuple[int, int, int]]] = {}
    for i, ev in enumerate(scn.conflict.timeline):
        for field, section in _KNOWN.items():
            ref = getattr(ev, field)
            known = getattr(scn, section)
            if ref is not None and ref not in known:
                yield ("conflict", "timeline", i, field), _unknown(field, ref, known)
        start = scn.day(ev.start)
        end = scn.day(ev.end) if ev.end is not None else start + 1
        target = getattr(ev, _TARGET[ev.kind]) if _TARGET[ev.kind] else None
        group = "state" if ev.kind in ("ceasefire", "fighting") else ev.kind
        spans.setdefault((group, target), []).append((start, end, i))
    for (group, target), items in spans.items():
        items.sort()
        for (s1, e1, i1), (s2, _e2, i2) in zip(items, items[1:], strict=False):
            if s2 < e1:
                what = f" for '{target}'" if target else ""
                yield (("conflict", "timeline", i2),
                       f"overlapping timeline events: {group}{what} overlaps event {i1} "
                       f"(days {s1}-{e1}) (expected events of one kind and target not to "
                       f"overlap)")


def _escapes(scn: Scenario) -> Iterator[Finding]:
    for cat in scn.escapes.category_multiplier:
        if cat not in scn.categories:
            yield (("escapes", "category_multiplier", cat),
                   _unknown("category", cat, scn.categories))


def _policies(scn: Scenario) -> Iterator[Finding]:
    """Each policy's references, its rules' parameters, and that every ledger entry of the
    scenario gets valid shares under it."""
    for name, policy in scn.policies.items():
        base = ("policies", name)
        found = list(_non_finite(policy.model_dump(by_alias=True), base))
        found += list(_policy(name, policy, base, scn)) if not found else []
        yield from found
        if found:
            continue
        try:
            policy_shares(scn, name)
        except RuleError as exc:
            yield base + ("rule",), str(exc)
        except Exception as exc:  # a user's rule failed: report it, do not crash the loader
            yield base + ("rule",), (f"rule '{policy.rule}' failed while computing shares: "
                                     f"{type(exc).__name__}: {exc}")


def _non_finite(value: Any, path: tuple) -> Iterator[Finding]:
    """Infinite or NaN numbers anywhere, e.g. in the parameters of a rule without a schema
    (every typed field is finite already)."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path, f"invalid value {value!r} (expected a finite number; .inf and .nan are " \
                    f"not numbers a scenario can hold)"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, path + (key,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _non_finite(item, path + (i,))


def _policy(name: str, p: Policy, base: tuple, scn: Scenario) -> Iterator[Finding]:
    if p.receiving not in scn.countries:
        yield base + ("receiving",), _unknown("country", p.receiving, scn.countries)
        return
    ctx = Context(scn, p.receiving)
    yield from check_ref(p.main, base, ctx)
    for payer in p.budgets:
        if payer not in scn.countries:
            yield base + ("budgets", payer), _unknown("payer country", payer, scn.countries)
    for field in ("security", "reference"):
        ref = getattr(p, field)
        if ref is not None:
            yield from check_ref(ref, base + (field,), ctx)
    if p.fund is not None:
        yield from check_ref(p.fund.contributions, base + ("fund", "contributions"), ctx)
        for i, item in enumerate(p.fund.buy):
            known = scn.destinations if item.kind == "beds" else scn.fleets
            if item.target not in known:
                what = "destination" if item.kind == "beds" else "fleet"
                yield (base + ("fund", "buy", i, "target"),
                       _unknown(what, item.target, known))
