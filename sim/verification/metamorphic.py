"""Metamorphic relations: how outputs must move when an input moves, whatever the scenario.

Each relation runs a scenario and a changed copy of it on the same replications (common
random numbers) and checks the expected relation between the two:

- **unrelated** -- a site whose people stay where they are (with a fleet and a route nobody
  uses) added to a scenario leaves every other site's daily record, the escapes there, the
  destinations and the trips bit-identical;
- **more capacity** -- more units, seats, beds, crossing quota, a larger acceptance cap or
  a larger budget never lowers the mean number of people transferred, nor the share of
  runs that complete (a larger acceptance *total* is a larger programme: only the number
  transferred must not fall);
- **hazard** -- a higher escape hazard never lowers mean escapes;
- **who pays** -- a policy that changes only who pays (no budget, no fund) leaves every
  physical outcome bit-identical to the run without a policy.

The functions take a scenario as a dict (the YAML's data) and return a list of violations
(empty when the relation holds); tests run them on the shipped scenarios and on generated
ones (hypothesis).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from sim.scenario import scenario_from_dict
from sim.simulation import simulate

PHYSICAL = ("site_stock", "dest_stock", "in_transit", "arrived", "discharged", "released",
            "repatriated", "escaped", "recaptured", "beds", "units", "waiting", "reason")
"""Daily records that say where people are (every one but the costs)."""

Change = Callable[[dict], None]


def _runs(data: dict, policy: str | None, reps: int):
    scn = scenario_from_dict(data)
    return [simulate(scn, policy=policy, replication=r) for r in range(reps)]


def with_unrelated_site(data: dict) -> dict:
    """``data`` plus a camp whose people stay (a nationality and category already present),
    with a fleet and a route nobody uses."""
    out = copy.deepcopy(data)
    nat = next(iter(out["countries"]))
    cat = next(iter(out["categories"]))
    ctl = next(iter(out["controllers"]))
    dest = next(iter(out["destinations"]))
    out["sites"]["unrelated_camp"] = {
        "name": "Unrelated camp", "kind": "camp", "lat": 36.0, "lon": 40.0, "capacity": 1000,
        "population": {nat: {cat: 500}}, "controller": [{"start": 0, "controller": ctl}],
        "cost_per_person_day": 1.0}
    out["dispositions"] = [{"sites": ["unrelated_camp"], "action": "stay"},
                           *out["dispositions"]]
    out["fleets"]["unrelated_fleet"] = {
        "mode": "air", "units": 1, "seats": 10, "load_time": {"dist": "fixed", "value": 0.1},
        "turnaround": {"dist": "fixed", "value": 0.1}}
    out.setdefault("routes", []).append({
        "origin": "unrelated_camp", "destination": dest, "fleet": "unrelated_fleet",
        "distance_km": 100, "travel_time": {"dist": "fixed", "value": 0.5}})
    return out


def unrelated(data: dict, policy: str | None = None, reps: int = 2) -> list[str]:
    """The unrelated-site relation (see the module doc)."""
    bad = []
    extra = with_unrelated_site(data)
    for a, b in zip(_runs(data, policy, reps), _runs(extra, policy, reps)):
        S, F = len(a.raw.plan.site_ids), len(a.raw.plan.fleet_ids)
        if not np.array_equal(a.raw.escaped_by_site, b.raw.escaped_by_site[:S]):
            bad.append(f"replication {a.replication}: escapes at the other sites changed")
        for name in PHYSICAL:
            if name in ("escaped", "recaptured"):  # totals: the new camp's escapes add
                continue
            x, y = getattr(a.raw, name), getattr(b.raw, name)
            if name in ("site_stock", "reason"):
                y = y[:, :S]
            elif name == "units":
                y = y[:, :F]
            if not np.array_equal(x, y):
                bad.append(f"replication {a.replication}: {name} changed")
        if [(t.origin, t.destination, t.depart, t.people) for t in a.raw.trips] != \
                [(t.origin, t.destination, t.depart, t.people) for t in b.raw.trips]:
            bad.append(f"replication {a.replication}: trips changed")
    return bad


def _means(runs, kpi: str) -> float:
    return float(np.mean([r.kpis[kpi] for r in runs]))


def more_is_not_less(data: dict, change: Change, policy: str | None = None,
                     reps: int = 3, kpis: tuple[str, ...] = ("transferred", "completed")
                     ) -> list[str]:
    """``change`` adds capacity (or money): the means of ``kpis`` (by default transferred
    and the share of completed runs) must not fall."""
    more = copy.deepcopy(data)
    change(more)
    a, b = _runs(data, policy, reps), _runs(more, policy, reps)
    bad = []
    for kpi in kpis:
        if _means(b, kpi) < _means(a, kpi):
            bad.append(f"{kpi}: {_means(a, kpi):g} -> {_means(b, kpi):g}")
    return bad


def hazard(data: dict, factor: float = 2.0, policy: str | None = None,
           reps: int = 3) -> list[str]:
    """Escape hazards times ``factor`` (> 1): mean escapes must not fall."""
    more = copy.deepcopy(data)
    base = more["escapes"]["base_hazard_per_day"]
    for kind in base:
        base[kind] = base[kind] * factor
    a, b = _runs(data, policy, reps), _runs(more, policy, reps)
    if _means(b, "escaped") < _means(a, "escaped"):
        return [f"escaped: {_means(a, 'escaped'):g} -> {_means(b, 'escaped'):g}"]
    return []


def who_pays(data: dict, policy: dict, reps: int = 2) -> list[str]:
    """A policy without budget or fund: physical outcomes bit-identical to no policy."""
    with_policy = copy.deepcopy(data)
    with_policy["policies"] = {"p": policy}
    bad = []
    for a, b in zip(_runs(data, None, reps), _runs(with_policy, "p", reps)):
        for name in PHYSICAL:
            if not np.array_equal(getattr(a.raw, name), getattr(b.raw, name)):
                bad.append(f"replication {a.replication}: {name} changed")
        if [(t.depart, t.arrive, t.people) for t in a.raw.trips] != \
                [(t.depart, t.arrive, t.people) for t in b.raw.trips]:
            bad.append(f"replication {a.replication}: trips changed")
    return bad


def scale(path: str, factor: float, add: float = 0.0) -> Change:
    """A change that multiplies the number at dotted ``path`` (list items by index) by
    ``factor`` and adds ``add``, keeping whole numbers whole."""

    def change(data: dict) -> None:
        *head, last = path.split(".")
        node = data
        for part in head:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key = int(last) if isinstance(node, list) else last
        value = node[key]
        new = value * factor + add
        node[key] = int(round(new)) if isinstance(value, int) else new

    return change
