"""Checks of flows and queues: a schedule worked out by hand, Little's law, fleet throughput,
reception as M/G/inf, screening as batch service."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.simulation import simulate
from sim.verification import scenarios as S
from sim.verification.checks import base
from sim.verification.checks.base import (
    LITTLE_TOLERANCE,
    P_LIMIT,
    SIZES,
    CheckResult,
    _runs,
    _setup,
    _t_test,
)
from sim.verification.invariants import little_origin, waits


# ----------------------------------------------------------------------------- by hand
def check_two_site_schedule(size: str = "fast") -> CheckResult:
    """Two sites, two destinations, a crossing quota, beds and a weekly cap, by hand."""
    scn = S.build(S.two_site_data())
    res = simulate(scn)
    details: list[str] = []
    trips = [(t.origin, t.destination, t.depart, t.arrive, t.back, t.people)
             for t in res.raw.trips]
    plan = res.raw.plan
    got = [(plan.site_ids[o], plan.dest_ids[d], dep, arr, back, n)
           for o, d, dep, arr, back, n in trips]
    if len(got) != len(S.TWO_SITE_TRIPS):
        details.append(f"{len(got)} trips, by hand {len(S.TWO_SITE_TRIPS)}")
    for i, (a, b) in enumerate(zip(got, S.TWO_SITE_TRIPS)):
        if a[:2] != b[:2] or a[5] != b[5] or not np.allclose(a[2:5], b[2:5], atol=1e-9):
            details.append(f"trip {i}: model {a}, by hand {b}")
    daily = res.daily
    for col, want in S.TWO_SITE_DAILY.items():
        have = daily[col].tolist()
        if have != want:
            details.append(f"daily {col}: model {have}, by hand {want}")
    k = res.kpis
    worst = 0.0
    for key, want in S.TWO_SITE_KPIS.items():
        diff = abs(k[key] - want) / max(abs(want), 1.0)
        worst = max(worst, diff)
        if diff > 1e-9:
            details.append(f"{key}: model {k[key]:.10g}, by hand {want:.10g}")
    ledger = res.ledger.groupby(["category", "location", "nationality", "measure"])[
        "amount"].sum()
    for key, want in S.TWO_SITE_LEDGER.items():
        have = float(ledger.get(key, 0.0))
        if not math.isclose(have, want, rel_tol=1e-9):
            details.append(f"ledger {key}: model {have:.10g}, by hand {want:.10g}")
    n = (len(S.TWO_SITE_TRIPS) + len(S.TWO_SITE_DAILY) + len(S.TWO_SITE_KPIS)
         + len(S.TWO_SITE_LEDGER))
    passed = not details
    return CheckResult(
        "schedule-by-hand", "Deterministic limit: two sites, two destinations, by hand",
        "every trip (time, route, load), the end-of-day stocks and blocking reasons of 15 "
        "days, completion day, mean wait, and every cost and personnel total equal the values "
        "worked out by hand (crossing quota 150/day, 80 beds with 2-day stays, weekly "
        "acceptance cap 250, priorities)",
        "exact (relative 1e-9)",
        f"{n - len(details)} of {n} quantities equal (largest relative difference "
        f"{worst:.1e}); completion day {k['completion_day']:g}, {k['trips']:g} trips, total "
        f"cost {k['cost_total']:,.0f} USD",
        passed, _setup(scn, 1, "deterministic (no random variate is used)"),
        {"quantities": n, "mismatches": len(details), "largest_rel_diff": worst}, details)


# ----------------------------------------------------------------------------- Little
def check_little_origin(size: str = "fast") -> CheckResult:
    """Little's law at the origin over a whole (closed) run: exact in record units, and
    within 2% against the continuous mean wait."""
    reps = SIZES[size]["reps_little"]
    scn, runs = _runs(S.origin_little_data(), reps)
    exact_gap, rel = [], []
    for res in runs:
        raw = res.raw
        area, by_departures = little_origin(raw)
        exact_gap.append(abs(area - by_departures))
        T = raw.plan.horizon
        wait, people = waits(raw)
        lam = people.sum() / T
        W = res.kpis["mean_wait_days"]
        L = raw.waiting.mean()
        rel.append(L / (lam * W) - 1.0)
    rel = np.array(rel)
    worst = float(np.abs(rel).max())
    passed = max(exact_gap) == 0 and worst <= LITTLE_TOLERANCE
    return CheckResult(
        "little-origin", "Little's law at the origin (closed system, whole run)",
        "L = lambda x W for the people waiting at the origin: (a) exactly, in record units: "
        "the sum over days of the end-of-day number waiting equals the sum over people moved "
        "of the end-of-day records they waited through; (b) L = time-average of the "
        "end-of-day number waiting, lambda = people moved / T, W = `mean_wait_days` "
        "(continuous time); (b) differs from (a) only because the records see whole days: "
        "each person is counted on about half a day less than they waited, so |L / "
        "(lambda W) - 1| <= 1 / W",
        f"(a) exact (0 person-days); (b) |L / (lambda W) - 1| <= {LITTLE_TOLERANCE:.0%} in "
        f"every replication",
        f"(a) largest gap {max(exact_gap):g} person-days; (b) relative difference "
        f"{rel.mean():+.2%} on average, largest {worst:.2%} (L {runs[0].raw.waiting.mean():.1f}"
        f" people, W {runs[0].kpis['mean_wait_days']:.1f} days in replication 0)",
        passed, _setup(scn, reps, "3,000 people, 2 units x 20 seats, lognormal travel, "
                                  "incidents, random fighting that slows the roads; transfers "
                                  "start on days 0 and 5"),
        {"exact_gap": max(exact_gap), "rel_mean": float(rel.mean()), "rel_max": worst})


_STEADY_CACHE: dict[tuple, tuple] = {}


def _steady(size: str):
    """Runs of the steady-state flow (shared by three checks)."""
    p = SIZES[size]
    key = (p["steady_days"], p["reps_steady"], base.ROOT_SEED)
    if key not in _STEADY_CACHE:
        _STEADY_CACHE.clear()
        _STEADY_CACHE[key] = _runs(S.steady_data(p["steady_days"]), p["reps_steady"])
    return _STEADY_CACHE[key]


WARM_UP = 100  # days dropped before the steady-state window


def check_little_transit(size: str = "fast") -> CheckResult:
    """Little's law for people on the road, in steady state."""
    scn, runs = _steady(size)
    T = scn.metadata.horizon_days
    rel, sums = [], np.zeros(3)
    for res in runs:
        area = res.raw.in_transit.sum(axis=1)[WARM_UP:T].sum()  # person-days (daily record)
        t = res.trips
        m = (t["depart"] >= WARM_UP) & (t["depart"] < T)
        people = t["people"][m].sum()
        person_days = ((t["arrive"] - t["depart"]) * t["people"])[m].sum()  # lambda W T
        rel.append(area / person_days - 1.0)
        sums += (area, people, person_days)
    rel = np.array(rel)
    mean, se, z, p = _t_test(rel)
    days = T - WARM_UP
    L, lam, W = sums[0] / days / len(runs), sums[1] / days / len(runs), sums[2] / sums[1]
    pooled = L / (lam * W) - 1.0
    passed = abs(pooled) <= LITTLE_TOLERANCE and p >= P_LIMIT
    return CheckResult(
        "little-transit", "Little's law for people in transit (steady state)",
        f"L = lambda x W over days {WARM_UP}-{T - 1}: L = time-average of the end-of-day "
        "number in transit (daily record), lambda = people dispatched per day, W = mean "
        "(arrive - depart) of their trips (trips table)",
        f"|L / (lambda W) - 1| <= {LITTLE_TOLERANCE:.0%} over all replications, and a t-test "
        f"of the per-replication differences (mean 0) with p >= {P_LIMIT:g}",
        f"L = {L:.1f} people, lambda = {lam:.2f} a day, W = {W:.3f} days: L / (lambda W) - 1 "
        f"= {pooled:+.2%}; per replication {mean:+.2%} on average (standard error {se:.2%}, "
        f"t = {z:+.2f}, p = {p:.2f}), from {rel.min():+.2%} to {rel.max():+.2%}",
        passed, _setup(scn, len(runs), _STEADY_NOTE),
        {"L": L, "lambda": lam, "W": W, "rel_pooled": pooled, "rel_mean": mean, "rel_se": se,
         "t": z, "p": p})


_STEADY_NOTE = ("10 units x 5 seats never idle (a million people wait); lognormal travel "
                "(mean 0.6, sd 0.3), uniform turnaround 0.1-0.5, 10% incidents with "
                "exponential delays (mean 1); lognormal stays (mean 20, sd 10)")


def cycle_mean() -> float:
    """Mean cycle of a unit of the steady flow: load + out + back + turnaround + incident
    delay x incident probability (days)."""
    travel = S.STEADY_TRAVEL["mean"]
    turn = 0.5 * (S.STEADY_TURN["low"] + S.STEADY_TURN["high"])
    return 0.1 + 2 * travel + turn + S.STEADY_INCIDENT * S.STEADY_DELAY["mean"]


def check_fleet_throughput(size: str = "fast") -> CheckResult:
    """Renewal-reward: a saturated fleet moves units x seats / E[cycle] people a day."""
    scn, runs = _steady(size)
    T = scn.metadata.horizon_days
    theory = S.STEADY_UNITS * S.STEADY_SEATS / cycle_mean()
    rel = []
    for res in runs:
        t = res.trips
        m = (t["depart"] >= WARM_UP) & (t["depart"] < T)
        rel.append(t["people"][m].sum() / (T - WARM_UP) / theory - 1.0)
    mean, se, z, p = _t_test(np.array(rel))
    passed = p >= P_LIMIT and abs(mean) <= LITTLE_TOLERANCE
    return CheckResult(
        "fleet-throughput", "Fleet throughput (renewal-reward theorem)",
        "people dispatched per day in steady state = units x seats / E[cycle], with E[cycle] "
        f"= load 0.1 + 2 x travel 0.6 + turnaround 0.3 + 0.1 x delay 1.0 = {cycle_mean():.2f} "
        f"days, so {theory:.2f} people a day",
        f"mean relative difference within {LITTLE_TOLERANCE:.0%}, and a t-test of the "
        f"per-replication differences (mean 0) with p >= {P_LIMIT:g}",
        f"{theory * (1 + mean):.2f} people a day: {mean:+.2%} (standard error {se:.2%}, "
        f"t = {z:+.2f}, p = {p:.2f})",
        passed, _setup(scn, len(runs), _STEADY_NOTE),
        {"theory": theory, "rel_mean": mean, "rel_se": se, "t": z, "p": p})


def expected_record_stay(stay: Any, n: int = 2_000_000) -> float:
    """E[max(1, ceil(S))], the mean stay in whole days as the model applies it (midpoint
    rule on the inverse CDF; accurate to about 1e-6)."""
    u = (np.arange(n) + 0.5) / n
    return float(np.maximum(1.0, np.ceil(np.asarray(stay.ppf(u), dtype=float))).mean())


def check_reception_mginf(size: str = "fast") -> CheckResult:
    """Infinite-server reception: mean occupancy = arrival rate x mean time in the records."""
    scn, runs = _steady(size)
    T = scn.metadata.horizon_days
    stay = scn.destinations["centre"].stay
    W = 1.0 + expected_record_stay(stay)  # the arrival day, then the whole-day stay
    rel = []
    for res in runs:
        arrived = res.raw.arrived.sum(axis=1)
        lam = (arrived[T - 1] - arrived[WARM_UP - 1]) / (T - WARM_UP)
        L = res.raw.dest_stock.sum(axis=(1, 2))[WARM_UP:T].mean()
        rel.append(L / (lam * W) - 1.0)
    mean, se, z, p = _t_test(np.array(rel))
    passed = p >= P_LIMIT and abs(mean) <= LITTLE_TOLERANCE
    return CheckResult(
        "reception-mginf", "Reception as an infinite-server queue (M/G/infinity)",
        "mean end-of-day occupancy of the centre over days "
        f"{WARM_UP}-{T - 1} = arrival rate x W, with W = 1 + E[max(1, ceil(S))] = {W:.4f} "
        "record-days for lognormal stays S (mean 20, sd 10): screened the day after arrival "
        "(unlimited intake and beds), counted on the arrival day and every day of the stay",
        f"mean relative difference within {LITTLE_TOLERANCE:.0%}, and a t-test of the "
        f"per-replication differences (mean 0) with p >= {P_LIMIT:g}",
        f"relative difference {mean:+.2%} (standard error {se:.2%}, t = {z:+.2f}, "
        f"p = {p:.2f})",
        passed, _setup(scn, len(runs), _STEADY_NOTE),
        {"W": W, "rel_mean": mean, "rel_se": se, "t": z, "p": p})


SCREEN_INTAKE, SCREEN_STAY = 32, 3


def check_screening_batch_service(size: str = "fast") -> CheckResult:
    """Screening as a discrete-time batch-service queue (Lindley recursion), exactly."""
    reps = SIZES[size]["reps_little"]
    data = S.steady_data(200)
    data["metadata"]["name"] = "screening_queue"
    data["destinations"]["centre"].update(intake_per_day=SCREEN_INTAKE,
                                          stay=S.fixed(SCREEN_STAY))
    scn, runs = _runs(data, reps)
    c, s = SCREEN_INTAKE, SCREEN_STAY
    worst, queue_max, served = 0, 0, []
    for res in runs:
        arrived = res.raw.arrived.sum(axis=1)  # by the end of each day
        discharged = np.diff(np.concatenate([[0], res.raw.discharged.sum(axis=1)]))
        screened = discharged[s:]  # fixed stays: screened on day d, discharged on d + s
        done = 0
        for d in range(len(screened)):
            waiting = (arrived[d - 1] if d else 0) - done  # arrived before day d, unscreened
            want = min(c, waiting)
            worst = max(worst, abs(int(screened[d]) - want))
            queue_max = max(queue_max, waiting)
            done += int(screened[d])
        served.append(done / len(screened))
    rate = float(np.mean(served))
    passed = worst == 0
    return CheckResult(
        "screening-batch-service", "Screening as a batch-service queue (Lindley recursion)",
        f"intake screening is a discrete-time queue served in batches of c = {c} a day: the "
        "number screened on day d is min(c, people who arrived by the end of day d-1 and are "
        f"not yet screened); with stays fixed at {s} days, those screened on day d are "
        f"discharged on day d + {s}. Random arrivals from the steady flow (about 29.4 a "
        "day, so the queue forms and clears)",
        "exact (0 people on every day)",
        f"largest difference {worst} people; longest queue {queue_max} people; "
        f"{rate:.2f} screened a day",
        passed, _setup(scn, reps, f"the steady flow with intake {c} a day and {s}-day stays"),
        {"largest_gap": worst, "queue_max": queue_max, "served_per_day": rate})


