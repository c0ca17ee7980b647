"""Scenario variants the ratios compare, and the premise checks that make a ratio mean
something (both sides run the trips they are supposed to run)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
POLICIES_BATCH = ROOT / "scenarios" / "batches" / "policies.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"

NO_ESCAPES = {"escapes.base_hazard_per_day": {"camp": 0.0, "prison": 0.0},
              "escapes.mass_breakout.rate_per_year": 0.0}
"""Overrides that switch escapes off: the one random process whose draws depend on how many
people there are, so the only thing that keeps a scaled world from being an exact multiple."""


NOBODY_MOVES = {**NO_ESCAPES, "dispositions": [{"action": "stay"}]}
"""Overrides under which nobody moves: every group stays where it is held and nobody escapes.
A run still does everything else (set-up, days, record, costs, KPIs): the fixed cost of a
run of this engine."""


class PremiseError(RuntimeError):
    """The two sides of a ratio do not run the work the ratio assumes (e.g. not the same trips)."""


def scaled(scenario, people: int, units: int = 1):
    """``scenario`` with ``people`` times the people and ``units`` times the fleets' units.

    Every count of people is multiplied by ``people``: populations and capacities of the
    sites, beds and daily intake of the destinations, daily release rates, crossing quotas,
    repatriation batches, acceptance total and caps, the funds' thresholds and bed purchases.
    Each unit carries ``people / units`` times the seats (and minimum load and escorts), and
    every amount of money that does not already grow with the people (trip and per-km costs,
    budgets, fund pledges and purchase costs) is multiplied by ``people / units`` or
    ``people`` as the trips or the people are. So with ``units == 1`` the same trips carry
    ``people`` times the people each and every budget decision is the same;
    with ``units == people`` there are about ``people`` times as many trips of the same size.
    """
    from sim.scenario import scenario_from_dict, scenario_to_dict

    if people < 1 or units < 1 or people % units:
        raise ValueError(f"people ({people}) must be a positive multiple of units ({units})")
    per_unit = people // units
    data = scenario_to_dict(scenario)
    data.pop("uncertainties", None)  # their ranges describe the shipped numbers
    for site in data["sites"].values():
        site["capacity"] *= people
        site["population"] = {nat: {cat: n * people for cat, n in cats.items()}
                              for nat, cats in site["population"].items()}
    for dest in data["destinations"].values():
        dest["beds"] *= people
        dest["intake_per_day"] *= people
    for rule in data.get("dispositions", []):
        if rule.get("rate_per_day") is not None:
            rule["rate_per_day"] *= people
    for fleet in data["fleets"].values():
        fleet["units"] *= units
        fleet["seats"] *= per_unit
        if fleet.get("min_load") is not None:
            fleet["min_load"] *= per_unit
        fleet["escorts_per_trip"] = {lvl: n * per_unit
                                     for lvl, n in fleet["escorts_per_trip"].items()}
        fleet["cost_per_trip"] *= per_unit
        fleet["cost_per_km"] *= per_unit
    for crossing in data.get("crossings", {}).values():
        crossing["daily_throughput"] *= people
    for programme in data.get("repatriation", []):
        programme["batch_size"] *= people
    acceptance = data.get("acceptance")
    if acceptance:
        if acceptance.get("total") is not None:
            acceptance["total"] *= people
        for cap in acceptance.get("caps", []):
            cap["max_people"] *= people
    for policy in data.get("policies", {}).values():
        for budget in policy.get("budgets", {}).values():
            _scale_money(budget, people)
        fund = policy.get("fund")
        if fund:
            _scale_money(fund, people)
            fund["threshold"] *= people
            for item in fund["buy"]:
                item["cost"] *= people
                if item["kind"] == "beds":
                    item["amount"] *= people
    name = scenario.metadata.name
    return scenario_from_dict(data, source=f"{name} x{people} people, x{units} units")


def _scale_money(entry: dict, factor: int) -> None:
    for key in ("annual", "first_year"):
        if entry.get(key) is not None:
            entry[key] *= factor


def with_horizon(scenario, factor: int):
    """``scenario`` with ``factor`` times its horizon."""
    from sim.scenario import scenario_from_dict, scenario_to_dict

    data = scenario_to_dict(scenario)
    data["metadata"]["horizon_days"] *= factor
    return scenario_from_dict(data, source=f"{scenario.metadata.name} horizon x{factor}")


def budget_bound(scenario) -> list[str]:
    """The scenario's policies with a budget ceiling or a pooled fund."""
    return [name for name, p in scenario.policies.items()
            if p.fund is not None or any(b.annual is not None for b in p.budgets.values())]


def check_same_trips(what: str, trips: Sequence[int], other: Sequence[int]) -> int:
    """The trips of each replication on both sides; PremiseError unless they are equal.
    Returns the trips of the first replication."""
    if len(trips) != len(other) or not trips:
        raise PremiseError(f"{what}: {len(trips)} replications against {len(other)}")
    if list(trips) != list(other):
        raise PremiseError(f"{what}: not the same trips on both sides "
                           f"({list(trips)} against {list(other)})")
    return int(trips[0])


def check_nobody_moved(what: str, kpis: Sequence[dict[str, float]]) -> None:
    """PremiseError unless no run of ``kpis`` has a trip, a transfer or an escape."""
    for k in kpis:
        moved = {name: k[name] for name in ("trips", "transferred", "escaped") if k[name]}
        if moved:
            raise PremiseError(f"{what}: somebody moved ({moved})")


def check_trip_multiple(what: str, trips: Sequence[int], more: Sequence[int], factor: float,
                        tolerance: float = 0.2) -> float:
    """Mean ratio of ``more`` to ``trips`` per replication; PremiseError unless it is within
    ``tolerance`` (relative) of ``factor``."""
    if len(trips) != len(more) or not trips or min(trips) < 1:
        raise PremiseError(f"{what}: no trips to compare ({list(trips)}, {list(more)})")
    ratio = sum(m / t for m, t in zip(more, trips)) / len(trips)
    if abs(ratio / factor - 1) > tolerance:
        raise PremiseError(f"{what}: {ratio:.2f} times the trips, expected about {factor:g} "
                           f"times ({list(trips)} against {list(more)})")
    return ratio
