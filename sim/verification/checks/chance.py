"""Checks of the random mechanisms: escapes (binomial, crowding), breakouts (Poisson),
recaptures (binomial)."""

from __future__ import annotations

import math

import numpy as np

from sim.verification import scenarios as S
from sim.verification.checks.base import (
    P_LIMIT,
    SIZES,
    Z_LIMIT,
    CheckResult,
    _runs,
    _setup,
)


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

