"""Calibration: the ABC-SMC fit finds known inputs again, is reproducible from its seed on
any executor, and its pieces (distance, weights, kernel) match their definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from sim.calibration import Settings, calibrate
from sim.calibration.abc import (
    Generation,
    abc_smc,
    kernel_density,
    weighted_quantile,
)
from tests.calibration.conftest import TRUE

SMALL = Settings(population=60, max_generations=4, min_acceptance=0.05)


@pytest.fixture(scope="module")
def fitted(synthetic):
    return calibrate(synthetic, settings=SMALL, workers=0)


def test_calibration_recovers_the_true_inputs_within_their_90_intervals(fitted):
    iv = fitted.intervals(0.9).set_index("parameter")
    for name, value in TRUE.items():
        low, high = iv.loc[name, "low"], iv.loc[name, "high"]
        assert low <= value <= high, f"{name}: true {value} outside [{low}, {high}]"
    # and the data are informative: the cap's interval is narrower than its prior range
    assert iv.loc["cap", "high"] - iv.loc["cap", "low"] < 0.5 * (80 - 20)


def test_tolerance_falls_and_weights_are_a_distribution(fitted):
    h = fitted.history()
    assert h["epsilon"].iloc[0] == math.inf
    assert (np.diff(h["epsilon"].to_numpy()[1:]) < 0).all()
    for g in fitted.generations:
        assert g.weights.sum() == pytest.approx(1.0)
        assert (g.weights > 0).all()
        assert 1 <= g.ess <= len(g.weights) + 1e-9
        assert (g.distances <= g.epsilon).all()
        assert ((g.units >= 0) & (g.units <= 1)).all()


def test_same_seed_gives_the_same_posterior_on_any_executor(synthetic, fitted):
    small = Settings(population=30, max_generations=2)
    inline = calibrate(synthetic, settings=small, workers=0)
    pool = calibrate(synthetic, settings=small, workers=2)
    a, b = inline.posterior(), pool.posterior()
    assert a.equals(b)
    other = calibrate(synthetic, settings=small, workers=0, seed=inline.seed + 1)
    assert not other.posterior()[["u:cap"]].equals(a[["u:cap"]])


def test_sample_rows_follow_the_weights(fitted):
    rows = fitted.sample_rows(400)
    post = fitted.posterior()
    mean_w = float(np.sum(post["weight"] * post["cap"]))
    mean_rows = float(np.mean([r["cap"] for r in rows]))
    sd = float(np.sqrt(np.sum(post["weight"] * (post["cap"] - mean_w) ** 2)))
    assert abs(mean_rows - mean_w) <= 0.1 * sd + 1e-9  # systematic resampling: tiny error
    assert all(isinstance(r["start"], int) for r in rows)


# ----------------------------------------------------------------------------- theory
def test_abc_smc_approaches_a_known_posterior():
    """theta ~ U(0, 1), x | theta ~ N(theta, 0.05), observed x = 0.3: as the tolerance goes
    to 0 the ABC posterior tends to N(0.3, 0.05) (truncation at 0 and 1 is negligible)."""
    from sim.rng import stream

    def evaluate(units, ids):
        noise = np.array([stream(7, int(i), "toy").normal() for i in ids])
        x = units[:, 0] + 0.05 * noise
        return np.abs(x - 0.3), {}

    gens = abc_smc(1, evaluate, Settings(population=400, max_generations=8,
                                         min_acceptance=0.02), seed=3)
    g = gens[-1]
    mean = float(g.weights @ g.units[:, 0])
    sd = float(np.sqrt(g.weights @ (g.units[:, 0] - mean) ** 2))
    assert mean == pytest.approx(0.3, abs=0.02)
    # the tolerance adds at most its own spread to the posterior's
    assert 0.04 <= sd <= math.hypot(0.05, g.epsilon) + 0.01


def test_truncated_kernel_is_a_density_on_the_unit_interval():
    centres = np.array([[0.02], [0.5], [0.97]])
    sigma = np.array([0.3])
    for c in range(len(centres)):
        total, _ = integrate.quad(
            lambda x, c=c: kernel_density(np.array([[x]]), centres[c:c + 1], sigma)[0, 0],
            0, 1)
        assert total == pytest.approx(1.0, abs=1e-6)


def test_weighted_quantile_by_hand():
    x = np.array([3.0, 1.0, 2.0, 4.0])
    w = np.array([0.1, 0.4, 0.4, 0.1])
    assert weighted_quantile(x, w, 0.4) == 1.0
    assert weighted_quantile(x, w, 0.5) == 2.0
    assert weighted_quantile(x, w, 0.95) == 4.0


def test_generation_ess_by_hand():
    g = Generation(1, 0.1, np.zeros((4, 1)), np.zeros(4), np.array([0.5, 0.5, 0.0, 0.0]),
                   np.arange(4), 8, 6)
    assert g.ess == pytest.approx(2.0)
    assert g.acceptance_rate == pytest.approx(4 / 6)


def test_crps_matches_the_normal_closed_form():
    from sim.calibration.predict import crps
    from sim.rng import stream

    samples = stream(1, 0, "test:crps").normal(10.0, 2.0, size=4000)
    for y in (7.0, 10.0, 13.5):
        z = (y - 10.0) / 2.0
        exact = 2.0 * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / math.sqrt(math.pi))
        assert crps(y, samples) == pytest.approx(exact, rel=0.05)
    assert crps(5.0, np.full(10, 5.0)) == 0.0  # a perfect point forecast scores 0
