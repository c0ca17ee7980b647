"""Verification checks: each runs the model on a purpose-built scenario and compares it with a
result known independently (worked out by hand, or from probability and queueing theory),
within a stated tolerance. Stochastic checks use statistical tolerances over independent
replications (z-scores, chi-square p-values), never numbers pinned to a seed.

Every check returns a :class:`CheckResult`; :func:`run_checks` runs them all. ``size`` is
``"fast"`` (seconds; what the tests and docs/validation.md use) or ``"full"`` (more
replications, for nightly runs). The package's tests assert ``passed``; docs/validation.md
is written from the same results by ``python -m sim.verification``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.scenario import load_scenario
from sim.simulation import simulate
from sim.verification import scenarios as S
from sim.verification.invariants import little_origin, violations, waits

Z_LIMIT = 4.0
"""Two-sided z limit of the statistical checks (false alarm rate about 6e-5 per test)."""
P_LIMIT = 1e-3
"""Smallest acceptable p-value of the chi-square checks."""
LITTLE_TOLERANCE = 0.02
"""Little's law: largest relative difference between L and lambda x W."""


@dataclass
class CheckResult:
    id: str
    title: str
    claim: str
    """What is compared with what (the equation)."""
    tolerance: str
    measured: str
    passed: bool
    setup: str
    """Scenario, replications and seed."""
    values: dict[str, Any] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)
    """Mismatches, or one line per compared quantity."""
    seconds: float = 0.0
    informative: bool = False
    """Reported, not a pass/fail criterion (e.g. the fit of a calibrated replay)."""


SIZES = {
    "fast": {"reps_little": 5, "reps_steady": 8, "steady_days": 400, "reps_escape": 100,
             "reps_crowd": 200, "reps_breakout": 150, "reps_recapture": 50,
             "burden_days": 240, "history_reps": 20},
    "full": {"reps_little": 30, "reps_steady": 40, "steady_days": 600, "reps_escape": 400,
             "reps_crowd": 1000, "reps_breakout": 600, "reps_recapture": 200,
             "burden_days": 730, "history_reps": 50},
}


ROOT_SEED: int | None = None
"""Root seed of the stochastic checks (None: each scenario's own; the nightly tests set a
new one every day, so that no tolerance is tuned to one seed)."""


def _runs(data: dict, reps: int, policy: str | None = None):
    if ROOT_SEED is not None:
        data = {**data, "metadata": {**data["metadata"], "seed": ROOT_SEED}}
    scn = S.build(data)
    return scn, [simulate(scn, policy=policy, replication=r) for r in range(reps)]


def _setup(scn, reps: int, extra: str = "") -> str:
    m = scn.metadata
    days = f"{m.horizon_days} day{'s' if m.horizon_days != 1 else ''}"
    what = f"scenario `{m.name}`, {days}, replications 0-{reps - 1}, root seed {m.seed}"
    return f"{what}; {extra}" if extra else what


def _z(mean: float, se: float) -> float:
    return 0.0 if se == 0 and mean == 0 else (mean / se if se > 0 else math.inf)


def _t_test(x: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard error, t statistic and two-sided p-value (t with n-1 df) of the
    hypothesis that the replications' values have mean 0."""
    from scipy import stats

    mean, se = _mean_se(x)
    t = _z(mean, se)
    p = float(2 * stats.t.sf(abs(t), len(x) - 1)) if math.isfinite(t) else 0.0
    return mean, se, t, p


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else math.nan


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
    key = (p["steady_days"], p["reps_steady"], ROOT_SEED)
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


# ----------------------------------------------------------------------------- escapes
def escape_probability(scn) -> dict[tuple[str, str], float]:
    """Probability that a person at each (site, category) escapes within the horizon when
    nobody moves: 1 - exp(-sum over days of the daily hazard)."""
    T = scn.metadata.horizon_days
    fighting = np.zeros(T, dtype=bool)
    for ev in scn.conflict.timeline:
        if ev.kind == "fighting":
            fighting[scn.day(ev.start):scn.day(ev.end)] = True
    eff = np.where(fighting, scn.conflict.effects["fighting"].escape, 1.0)
    out = {}
    for sid, site in scn.sites.items():
        ctrl = np.zeros(T)
        for period in site.controller:
            ctrl[scn.day(period.start):] = scn.controllers[period.controller].escape_multiplier
        base = scn.escapes.base_hazard_per_day.get(site.kind, 0.0)
        for cat in scn.categories:
            mult = scn.escapes.category_multiplier.get(cat, 1.0)
            out[(sid, cat)] = 1.0 - math.exp(-float((base * mult * ctrl * eff).sum()))
    return out


def check_escapes_binomial(size: str = "fast") -> CheckResult:
    """Escape totals per (site, category) against their binomial distribution."""
    from scipy import stats

    reps = SIZES[size]["reps_escape"]
    scn, runs = _runs(S.escapes_data(), reps)
    q = escape_probability(scn)
    plan = runs[0].raw.plan
    cells, expected, var, observed = [], [], [], []
    for s, sid in enumerate(plan.site_ids):
        for c, cat in enumerate(plan.cat_ids):
            groups = np.flatnonzero(plan.group_cat == c)
            n = int(plan.initial_stock[s, groups].sum())
            if n == 0:
                continue
            cells.append(f"{sid}/{cat}")
            expected.append(n * q[(sid, cat)])
            var.append(n * q[(sid, cat)] * (1 - q[(sid, cat)]))
            observed.append([int(r.raw.escaped_by_site[s, groups].sum()) for r in runs])
    expected, var = np.array(expected), np.array(var)
    observed = np.array(observed, dtype=float)  # [cells, reps]
    z = (observed.mean(axis=1) - expected) / np.sqrt(var / reps)
    chi_mean = float((z ** 2).sum())
    p_mean = float(stats.chi2.sf(chi_mean, len(cells)))
    chi_disp = float((((observed - expected[:, None]) ** 2) / var[:, None]).sum())
    p_disp = float(stats.chi2.sf(chi_disp, observed.size))
    passed = p_mean >= P_LIMIT and p_disp >= P_LIMIT and float(np.abs(z).max()) < Z_LIMIT
    details = [f"{cell}: expected {e:.1f}, mean {o:.2f} (z = {zz:+.2f})"
               for cell, e, o, zz in zip(cells, expected, observed.mean(axis=1), z)]
    return CheckResult(
        "escapes-binomial", "Escapes against the binomial distribution",
        "with nobody moving, the escapes of each (site, category) cell over the horizon are "
        "Binomial(N, 1 - exp(-sum_d h_d)), h_d = base hazard x category x controller(d) x "
        "conflict(d): a prison whose controller changes on day 20 (x1 -> x1.5), an SDF camp, "
        "a contested camp (x5), forced fighting on days 10-19 (x3), children x0.5",
        f"chi-square of the cell means (df {len(cells)}) and of every replication's counts "
        f"(df {observed.size}, the binomial variance) with p >= {P_LIMIT:g}; every cell "
        f"|z| < {Z_LIMIT:g}",
        f"means: chi-square {chi_mean:.1f}, p = {p_mean:.3f}; dispersion: chi-square "
        f"{chi_disp:.0f} on {observed.size} df, p = {p_disp:.3f}; largest |z| "
        f"{float(np.abs(z).max()):.2f}",
        passed, _setup(scn, reps, f"{len(cells)} cells, {int(plan.initial_stock.sum()):,} "
                                  f"people"),
        {"chi_mean": chi_mean, "p_mean": p_mean, "chi_disp": chi_disp, "p_disp": p_disp,
         "max_abs_z": float(np.abs(z).max())}, details)


def check_escapes_crowding(size: str = "fast") -> CheckResult:
    """The crowding multiplier on one day: 2,000 people in a camp for 1,000."""
    reps = SIZES[size]["reps_crowd"]
    scn, runs = _runs(S.crowding_data(), reps)
    n, cap = 2000, 1000
    h = 0.01 * (n / cap) ** 2.0
    p = -math.expm1(-h)
    x = np.array([r.kpis["escaped"] for r in runs], dtype=float)
    z = (x.mean() - n * p) / math.sqrt(n * p * (1 - p) / reps)
    ratio = x.var(ddof=1) / (n * p * (1 - p))
    band = Z_LIMIT * math.sqrt(2 / (reps - 1))
    passed = abs(z) < Z_LIMIT and abs(ratio - 1) < band
    return CheckResult(
        "escapes-crowding", "Crowding multiplier",
        f"one day at a camp at twice its capacity, crowding exponent 2: escapes ~ "
        f"Binomial(2000, 1 - exp(-0.01 x 2^2)), mean {n * p:.2f}",
        f"|z| of the mean < {Z_LIMIT:g}; variance ratio within {band:.2f} of 1",
        f"mean {x.mean():.2f} (z = {z:+.2f}); variance / binomial variance {ratio:.3f}",
        passed, _setup(scn, reps), {"z": z, "var_ratio": ratio})


def check_breakouts_poisson(size: str = "fast") -> CheckResult:
    """Mass breakouts: at most one a day, with P(one) = 1 - exp(-rate/365 x multipliers)."""
    reps = SIZES[size]["reps_breakout"]
    scn, runs = _runs(S.breakout_data(), reps)
    T = scn.metadata.horizon_days
    fight = np.zeros(T)
    fight[30:40] = 1
    eff = np.where(fight > 0, S.BREAKOUT_FIGHTING, 1.0)
    rows = []
    for label, mult, sites in (("SDF (x1)", 1.0, range(4)), ("contested (x5)", 5.0,
                                                             range(4, 8))):
        lam = S.BREAKOUT_RATE / 365.0 * mult * eff
        p_empty = 1.0 - math.exp(-float(lam.sum()))
        hits = sum(int(r.raw.escaped_by_site[s].sum() == 10) for r in runs for s in sites)
        trials = reps * len(sites)
        z = (hits - trials * p_empty) / math.sqrt(trials * p_empty * (1 - p_empty))
        rows.append((label, p_empty, hits, trials, z))
    passed = all(abs(r[4]) < Z_LIMIT for r in rows)
    return CheckResult(
        "breakouts-poisson", "Mass breakouts (Poisson arrivals, at most one a day)",
        f"with breakouts only ({S.BREAKOUT_RATE:g} a site-year, fraction 1), a site is "
        f"emptied within the horizon with probability 1 - exp(-sum_d rate/365 x "
        f"controller x conflict(d)); fighting on days 30-39 x{S.BREAKOUT_FIGHTING:g}",
        f"binomial |z| < {Z_LIMIT:g} for each controller",
        "; ".join(f"{label}: {hits}/{trials} emptied, expected {p:.3f} (z = {z:+.2f})"
                  for label, p, hits, trials, z in rows),
        passed, _setup(scn, reps, "8 camps of 10 people"),
        {"z": [r[4] for r in rows]})


def check_recapture_binomial(size: str = "fast") -> CheckResult:
    """Recaptures are a binomial thinning of the escapes."""
    reps = SIZES[size]["reps_recapture"]
    scn, runs = _runs(S.recapture_data(), reps)
    T = scn.metadata.horizon_days
    # escapes of days 0 .. T-1-delay come back within the horizon
    eligible = sum(int(r.raw.escaped[T - 1 - S.RECAPTURE_DELAY].sum()) for r in runs)
    back = sum(int(r.raw.recaptured[-1].sum()) for r in runs)
    p = S.RECAPTURE_P
    z = (back - p * eligible) / math.sqrt(eligible * p * (1 - p))
    passed = abs(z) < Z_LIMIT and eligible > 0
    return CheckResult(
        "recapture-binomial", "Recapture as binomial thinning",
        f"recaptured people (back by the horizon) ~ Binomial(escapes up to day T-1-"
        f"{S.RECAPTURE_DELAY}, {p:g}), summed over replications (recaptured people may "
        f"escape again)",
        f"|z| < {Z_LIMIT:g}",
        f"{back:,} back of {eligible:,} escapes (expected {p * eligible:,.1f}; z = {z:+.2f})",
        passed, _setup(scn, reps), {"z": z, "eligible": eligible, "back": back})


# ----------------------------------------------------------------------------- invariants
def check_burden_shares(size: str = "fast") -> CheckResult:
    """Every policy of the baseline: payers' amounts add up to the ledger, entry by entry."""
    from pathlib import Path

    days = SIZES[size]["burden_days"]
    path = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
    scn = load_scenario(path, overrides={"metadata.horizon_days": days})
    details, worst_rows = [], []
    for policy in scn.policies:
        res = simulate(scn, policy=policy, replication=0)
        bad = violations(res)
        details += [f"{policy}: {b}" for b in bad]
        table = res.kpi_table
        paid = table.loc[table["kpi"] == "cost_by_payer", "value"].sum()
        worst_rows.append(abs(paid - res.kpis["cost_total"]) / res.kpis["cost_total"])
    passed = not details
    return CheckResult(
        "burden-shares", "Burden shares add up to the totals",
        "under every policy of the baseline (incl. budgets that bind and a pooled fund): for "
        "every ledger entry (day, category, location, nationality, measure) the payers' "
        "amounts add up to the entry and their shares to 1; cost:payer:* add up to "
        "cost_total, share:payer:* to 1, personnel_days by payer to personnel_days; and "
        "every invariant of the run holds",
        "relative 1e-9",
        f"{len(scn.policies)} policies, {len(details)} violations; largest |sum of "
        f"cost:payer:* - cost_total| / cost_total = {max(worst_rows):.1e}",
        passed, f"scenarios/baseline.yaml with horizon {days} days, replication 0, root "
                f"seed {scn.metadata.seed}; policies {', '.join(scn.policies)}",
        {"largest_rel_diff": max(worst_rows), "violations": len(details)}, details)


def check_invariants(size: str = "fast", examples: int | None = None) -> CheckResult:
    """Conservation and capacity invariants over hypothesis-generated scenarios (needs the
    repository's tests/strategies.py and hypothesis)."""
    n = examples or (200 if size == "fast" else 2000)
    try:
        from sim.verification.sweep import sweep
    except ImportError as exc:  # pragma: no cover - outside the repository
        return CheckResult("invariants", "Invariants over generated scenarios", "", "", "",
                           True, f"not run ({exc})", informative=True)
    stats = sweep(n)
    passed = not stats["failures"]
    return CheckResult(
        "invariants", "Conservation and capacity invariants over generated scenarios",
        "every day and group: initial = at sites + in transit + in Iraq + discharged + "
        "released + repatriated + escaped - recaptured; no negative stock, cumulative counts "
        "never fall; occupancy <= beds and occupancy + reservations <= beds; seats, crossing "
        "quota, acceptance total and caps never exceeded; daily arrivals/departures = the "
        "trips; held back by some reason = waiting; transport and escort-days = the trips; "
        "KPIs = the records; Little's law exact at the origin (runs without escapes); payer "
        "allocations add up (runs under a policy)",
        "no violation in any generated scenario",
        f"{stats['examples']} scenarios ({stats['with_policy']} under a policy, "
        f"{stats['escape_free']} without escapes, {stats['trips']:,} trips), "
        f"{len(stats['failures'])} with a violation",
        passed, f"hypothesis, tests/strategies.py (1-3 sites, 1-2 destinations, every "
                f"mechanism), derandomized, {n} examples",
        stats, [str(f) for f in stats["failures"][:5]])


CHECKS: dict[str, Callable[..., CheckResult]] = {
    "schedule-by-hand": check_two_site_schedule,
    "little-origin": check_little_origin,
    "little-transit": check_little_transit,
    "fleet-throughput": check_fleet_throughput,
    "reception-mginf": check_reception_mginf,
    "screening-batch-service": check_screening_batch_service,
    "escapes-binomial": check_escapes_binomial,
    "escapes-crowding": check_escapes_crowding,
    "breakouts-poisson": check_breakouts_poisson,
    "recapture-binomial": check_recapture_binomial,
    "burden-shares": check_burden_shares,
    "invariants": check_invariants,
}
"""Every check, by id (the order of docs/validation.md)."""


def run_check(check_id: str, size: str = "fast") -> CheckResult:
    t0 = time.perf_counter()
    result = CHECKS[check_id](size)
    result.seconds = time.perf_counter() - t0
    return result


def run_checks(size: str = "fast", only: list[str] | None = None) -> list[CheckResult]:
    return [run_check(c, size) for c in (only or CHECKS)]
