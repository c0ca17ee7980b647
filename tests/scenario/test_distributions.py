"""Distributions: moments of the inverse CDF on a stratified grid, and the exact discrete
inverse CDFs (binomial, Poisson) against scipy.stats. No random numbers: deterministic."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from pydantic import TypeAdapter
from scipy import stats

from sim.scenario.distributions import (
    DIST_NAMES,
    Beta,
    Distribution,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
    Uniform,
    binomial_ppf,
)

N = 200_000
GRID = (np.arange(N) + 0.5) / N  # stratified uniforms: one per stratum, at its midpoint

DISTS = [
    Fixed(dist="fixed", value=0.5),
    Fixed(dist="fixed", value=0.0),
    Uniform(dist="uniform", low=1, high=3),
    Uniform(dist="uniform", low=2, high=2),
    Triangular(dist="triangular", low=1, mode=2, high=4),
    Triangular(dist="triangular", low=0, mode=0, high=4),
    Triangular(dist="triangular", low=0, mode=4, high=4),
    Exponential(dist="exponential", mean=10),
    Exponential(dist="exponential", mean=0.01),
    Lognormal(dist="lognormal", mean=1.5, sd=0.5),
    Lognormal(dist="lognormal", mean=2, sd=2),
    Lognormal(dist="lognormal", mean=3, sd=0),
    Gamma(dist="gamma", mean=120, sd=40),
    Gamma(dist="gamma", mean=2, sd=3),
    Beta(dist="beta", a=2, b=20),
    Beta(dist="beta", a=0.5, b=0.5),
]


@pytest.mark.parametrize("d", DISTS, ids=lambda d: repr(d))
def test_ppf_moments_match_mean_and_variance(d):
    x = np.asarray(d.ppf(GRID), dtype=float)
    assert x.shape == GRID.shape and np.isfinite(x).all()
    mean, var = x.mean(), x.var()
    assert mean == pytest.approx(d.mean, rel=0.01, abs=1e-12)
    assert var == pytest.approx(d.variance, rel=0.03, abs=1e-12)


@pytest.mark.parametrize("d", DISTS, ids=lambda d: repr(d))
def test_ppf_is_monotone_and_scalar_in_scalar_out(d):
    x = np.asarray(d.ppf(GRID[::97]), dtype=float)
    assert (np.diff(x) >= -1e-12).all()
    one = d.ppf(0.3)
    assert isinstance(one, float)
    assert one == pytest.approx(float(np.asarray(d.ppf(np.array([0.3])))[0]))


def test_every_distribution_kind_is_tested():
    assert {d.dist for d in DISTS} == set(DIST_NAMES)


def test_distributions_parse_from_yaml_style_mappings():
    adapter = TypeAdapter(Distribution)
    assert adapter.validate_python({"dist": "exponential", "mean": 4}).mean == 4
    assert adapter.validate_python({"dist": "lognormal", "mean": 2, "sd": 1}).variance == 1


# ----------------------------------------------------------------------------- binomial
US = np.concatenate([
    [2.0**-53, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3],  # 2**-53: smallest nonzero uniform
    (np.arange(1999) + 0.37) / 1999,  # avoids exact ties such as u = 0.5 (see below)
    [1 - 1e-3, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12],
])
NS = [0, 1, 2, 3, 5, 10, 37, 100, 1000, 12345, 100_000, 1_000_000]
PS = [0.0, 1e-12, 1e-9, 1e-6, 1e-4, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999999,
      1 - 1e-12, 1.0]


def _scipy(fn, *args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def test_binomial_ppf_agrees_exactly_with_scipy():
    u, n, p = (a.ravel() for a in np.meshgrid(US, NS, PS, indexing="ij"))
    ours = binomial_ppf(u, n, p)
    ref = _scipy(stats.binom.ppf, u, n, p)
    assert ours.dtype.kind == "i"
    bad = np.flatnonzero(ours != ref)
    assert bad.size == 0, [(u[i], n[i], p[i], ours[i], ref[i]) for i in bad[:10]]


def test_binomial_ppf_broadcasts_and_keeps_shape():
    u = np.array([[0.1, 0.5, 0.9]])
    n = np.array([[10], [20]])
    out = binomial_ppf(u, n, 0.3)
    assert out.shape == (2, 3)
    assert (out == _scipy(stats.binom.ppf, u, n, 0.3)).all()


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_binomial_ppf_edges(n):
    assert binomial_ppf(0.0, n, 0.5) == 0  # u = 0 (scipy answers -1 here)
    assert binomial_ppf(np.nextafter(1.0, 0), n, 1.0) == n  # p = 1: everyone
    assert binomial_ppf(0.999, n, 0.0) == 0  # p = 0: no one
    assert binomial_ppf(0.5, n, 1.5) == n  # p clipped to [0, 1]
    assert binomial_ppf(0.5, n, -0.5) == 0


def test_binomial_ppf_at_exact_ties_is_within_one_of_scipy():
    """Where the true CDF equals u exactly (u = 0.5, p = 0.5, odd n), floating point
    decides: each implementation may land on either neighbour."""
    for n in (1, 37, 12345):
        ours, ref = binomial_ppf(0.5, n, 0.5), _scipy(stats.binom.ppf, 0.5, n, 0.5)
        assert abs(int(ours) - int(ref)) <= 1


def test_binomial_ppf_very_large_n_is_close_to_scipy():
    u = np.array([1e-6, 0.1, 0.5 + 1e-7, 0.9, 1 - 1e-6])
    for n in (10**7, 2**31 - 1):
        for p in (1e-6, 0.01, 0.5, 0.99):
            ours = binomial_ppf(u, n, p)
            ref = _scipy(stats.binom.ppf, u, n, p)
            sd = math.sqrt(n * p * (1 - p))
            assert np.all(np.abs(ours - ref) <= max(3, 1e-6 * sd)), (n, p, ours, ref)


def test_binomial_ppf_mean_on_a_grid():
    """One uniform per count, and the counts have the right distribution."""
    u = (np.arange(100_000) + 0.5) / 100_000
    k = binomial_ppf(u, 50, 0.2)
    assert k.mean() == pytest.approx(10, rel=1e-3)
    assert k.var() == pytest.approx(8, rel=1e-2)


