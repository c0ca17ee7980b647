"""Measures of the model in this process (1-4 of docs/performance.md).

A timed replication is what a batch worker does for one run: ``sim.simulate`` of the
scenario under the policy, then its KPIs. Replication ``i`` of round ``i`` is the same on
both sides of a ratio (same seeds, common random numbers).
"""

from __future__ import annotations

from benchmarks.harness import Row, Samples, Settings, at_least, at_most, interleave, median_load
from benchmarks.variants import (
    BASELINE,
    NO_ESCAPES,
    NOBODY_MOVES,
    budget_bound,
    check_nobody_moved,
    check_same_trips,
    check_trip_multiple,
    scaled,
    with_horizon,
)
from benchmarks.yardstick import run_mmc

RATE_BUDGET = 5.0  # cohort person-transfers/s over yardstick customers/s
POLICY_BUDGET = 1.3  # time under a budget-bound policy over time under no policy
SCALE_BUDGET = 1.3  # x100 people (same trips) over as shipped
TEN_TIMES_INFO = 10.0  # x10 people and units (ten times the trips): informative
HORIZON_BUDGET = 1.5  # x4 horizon (same trips) over as shipped


def replicate(scenario, policy: str | None):
    """One timed side: replication ``i`` of ``scenario`` under ``policy``, KPIs included."""
    import sim

    def run(i: int) -> dict[str, float]:
        return sim.simulate(scenario, policy=policy, replication=i).kpis

    return run


def _label(policy: str | None) -> str:
    return policy or "no policy"


def _trips(samples: Samples) -> list[int]:
    return [int(k["trips"]) for k in samples.values]


def _transferred(kpis: dict[str, float]) -> float:
    return kpis["transferred"]


def transfers_and_policies(s: Settings) -> list[Row]:
    """(1) Person-transfers/s of the baseline under no policy and each policy against the
    yardstick's customers/s, with (informative) the time of a run in which nobody moves
    against the time the budget allows for the whole run; and (2) each budget-bound
    policy's time against no policy's."""
    import sim

    base = sim.load_scenario(BASELINE)
    still = sim.load_scenario(BASELINE, overrides=NOBODY_MOVES)
    policies: list[str | None] = [None, *base.policies]
    sides = {}
    for p in policies:  # a yardstick sample right before each cohort sample
        sides[f"yardstick/{_label(p)}"] = lambda i: run_mmc(s.customers, seed=i)
        sides[_label(p)] = replicate(base, p)
        sides[f"nobody moves/{_label(p)}"] = replicate(still, p)
    got = interleave(sides, s.repeats)
    rows = []
    for p in policies:
        cohort, yard = got[_label(p)], got[f"yardstick/{_label(p)}"]
        c_rate = cohort.median_rate(_transferred)
        y_rate = yard.median_rate(lambda q: q.served)
        moved = sorted(_transferred(k) for k in cohort.values)
        rows.append(Row(
            f"person-transfers/s / M/M/10 customers/s, {_label(p)}", c_rate / y_rate,
            budget=at_least(RATE_BUDGET), load=median_load(cohort, yard),
            note=f"cohort {c_rate:,.0f} person-transfers/s ({moved[len(moved) // 2]:,.0f} "
                 f"moved in {cohort.median_s:.3f} s, median of {s.repeats} replications); "
                 f"yardstick {y_rate:,.0f} customers/s ({s.customers:,} customers)"))
        rows.append(_fixed_cost_row(p, got[f"nobody moves/{_label(p)}"], moved, y_rate,
                                    median_load(cohort, yard)))
    none = got[_label(None)]
    for p in budget_bound(base):
        side = got[_label(p)]
        rows.append(Row(
            f"run time {p} / no policy, same replications", side.median_s / none.median_s,
            budget=at_most(POLICY_BUDGET), load=median_load(side, none),
            note=f"{side.median_s:.3f} s against {none.median_s:.3f} s; trips "
                 f"{_trips(side)[0]} against {_trips(none)[0]} (replication 0)"))
    return rows


def _fixed_cost_row(policy: str | None, still: Samples, moved: list[float], y_rate: float,
                    load: float) -> Row:
    """Informative: a run of the baseline in which nobody moves, against the time that the
    person-transfers budget allows for a whole run that moves the median number of people
    (over 1: the budget cannot be met even if trips and escapes cost nothing)."""
    check_nobody_moved(f"nobody moves, {_label(policy)}", still.values)
    median_moved = moved[len(moved) // 2]
    allowed = median_moved / (RATE_BUDGET * y_rate)
    return Row(
        f"run time, nobody moving / whole run at {RATE_BUDGET:g}x the yardstick, "
        f"{_label(policy)}", still.median_s / allowed, budget=at_most(1.0, binding=False),
        load=load,
        note=f"a run of the baseline in which nobody moves (every group stays, no escapes) "
             f"takes {still.median_s * 1e3:.1f} ms; moving {median_moved:,.0f} people at "
             f"{RATE_BUDGET:g}x the yardstick's {y_rate:,.0f} customers/s leaves "
             f"{allowed * 1e3:.1f} ms for the whole run")


def cohort_scaling(s: Settings) -> list[Row]:
    """(3) The baseline (escapes off) with x100 people and x100 seats (the same trips), and
    with x10 people and x10 units (ten times the trips), against the baseline itself; under
    no policy and under the first budget-bound policy (budgets scaled too)."""
    import sim

    base = sim.load_scenario(BASELINE, overrides=NO_ESCAPES)
    big, ten = scaled(base, 100), scaled(base, 10, units=10)
    policies = [None, *budget_bound(base)[:1]]
    sides = {}
    for p in policies:
        sides[f"x1/{_label(p)}"] = replicate(base, p)
        sides[f"x100/{_label(p)}"] = replicate(big, p)
        sides[f"x10/{_label(p)}"] = replicate(ten, p)
    got = interleave(sides, s.repeats)
    rows = []
    for p in policies:
        one, hundred, tens = (got[f"{k}/{_label(p)}"] for k in ("x1", "x100", "x10"))
        trips = check_same_trips(f"x100 people and seats, {_label(p)}", _trips(one),
                                 _trips(hundred))
        multiple = check_trip_multiple(f"x10 people and units, {_label(p)}", _trips(one),
                                       _trips(tens), 10)
        moved = (_transferred(hundred.values[0]), _transferred(one.values[0]))
        rows.append(Row(
            f"run time x100 people and seats / as shipped, {_label(p)}",
            hundred.median_s / one.median_s, budget=at_most(SCALE_BUDGET),
            load=median_load(one, hundred),
            note=f"{hundred.median_s:.3f} s against {one.median_s:.3f} s; premise checked: the "
                 f"same trips in each of {s.repeats} replications ({trips} in replication 0), "
                 f"{moved[0]:,.0f} against {moved[1]:,.0f} people moved; escapes off on "
                 f"both sides"))
        rows.append(Row(
            f"run time x10 people and units / as shipped, {_label(p)}",
            tens.median_s / one.median_s, budget=at_most(TEN_TIMES_INFO, binding=False),
            load=median_load(one, tens),
            note=f"{tens.median_s:.3f} s against {one.median_s:.3f} s for {multiple:.2f} times "
                 f"the trips ({_trips(tens)[0]} against {_trips(one)[0]} in replication 0)"))
    return rows


def horizon(s: Settings) -> list[Row]:
    """(4) The baseline with a horizon four times as long, when the trips are the same (no
    policy: the programme ends well within the shipped horizon)."""
    import sim

    base = sim.load_scenario(BASELINE)
    longer = with_horizon(base, 4)
    got = interleave({"x1": replicate(base, None), "x4": replicate(longer, None)}, s.repeats)
    one, four = got["x1"], got["x4"]
    trips = check_same_trips("horizon x4, no policy", _trips(one), _trips(four))
    changed = (_stock_change_days(longer), _stock_change_days(base))
    return [Row(
        "run time horizon x4 / as shipped, no policy", four.median_s / one.median_s,
        budget=at_most(HORIZON_BUDGET), load=median_load(one, four),
        note=f"{four.median_s:.3f} s for {longer.metadata.horizon_days} days against "
             f"{one.median_s:.3f} s for {base.metadata.horizon_days}; premise checked: the same "
             f"trips in each of {s.repeats} replications ({trips} in replication 0); days on "
             f"which the sites' stocks change (escapes, recaptures, releases, repatriation, "
             f"trips; replication 0): {changed[0]:,} against {changed[1]:,} "
             f"({changed[0] / changed[1]:.2f}x)")]


def _stock_change_days(scenario) -> int:
    """Days of replication 0 (no policy) on which the sites' stocks differ from the day
    before."""
    import numpy as np

    import sim

    stock = sim.simulate(scenario, replication=0).raw.site_stock
    return int((np.diff(stock.reshape(len(stock), -1), axis=0) != 0).any(axis=1).sum())
