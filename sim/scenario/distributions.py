"""Probability distributions written in YAML as ``{dist: lognormal, mean: 1.5, sd: 0.5}``.

Each distribution knows its mean and variance and maps a uniform number in (0, 1) to a
value by its inverse CDF, so that every draw consumes exactly one uniform from its stream
(common random numbers stay synchronised whatever the state of the model).
"""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Literal

import numpy as np
from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

from sim.scenario.base import MAX_DURATION_DAYS, MAX_SPREAD
from sim.schema_words import Real

Param = Annotated[Real, Interval(ge=0, le=MAX_DURATION_DAYS)]
"""A parameter of a distribution: days (or a beta shape), 0 to 100 years."""
PositiveParam = Annotated[Real, Interval(gt=0, le=MAX_DURATION_DAYS)]
_CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
_NAMED = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)


class _Dist(BaseModel):
    model_config = _CONFIG
    member_word: ClassVar[str] = "distribution"
    described_as: ClassVar[str] = ("a distribution, e.g. {dist: fixed, value: 1} or "
                                   "{dist: lognormal, mean: 2, sd: 1}")

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def ppf(self, u: np.ndarray | float) -> np.ndarray | float:  # pragma: no cover
        raise NotImplementedError


class Fixed(_Dist):
    """A constant: ``{dist: fixed, value: 0.5}``."""

    dist: Literal["fixed"]
    value: Param

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def ppf(self, u):
        if isinstance(u, np.ndarray):
            return np.zeros_like(u, dtype=float) + self.value
        return self.value


class Uniform(_Dist):
    """``{dist: uniform, low: 1, high: 2}``."""

    dist: Literal["uniform"]
    low: Param
    high: Param

    @model_validator(mode="after")
    def _order(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    def ppf(self, u):
        return self.low + (self.high - self.low) * u


class Triangular(_Dist):
    """``{dist: triangular, low: 1, mode: 2, high: 4}``."""

    dist: Literal["triangular"]
    low: Param
    mode: Param
    high: Param

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("expected low <= mode <= high with low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def ppf(self, u):
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        if isinstance(u, float):  # scalar fast path (one draw per trip)
            if u < fc:
                return a + math.sqrt(u * (b - a) * (c - a))
            return b - math.sqrt((1 - u) * (b - a) * (b - c))
        u = np.asarray(u, dtype=float)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        out = np.where(u < fc, left, right)
        return out if out.ndim else float(out)


class Exponential(_Dist):
    """``{dist: exponential, mean: 10}``."""

    dist: Literal["exponential"]
    mean_: PositiveParam = Field(alias="mean")

    model_config = _NAMED

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def ppf(self, u):
        return -self.mean_ * np.log1p(-np.asarray(u, dtype=float)) if isinstance(
            u, np.ndarray
        ) else -self.mean_ * math.log1p(-u)


class Lognormal(_Dist):
    """``{dist: lognormal, mean: 1.5, sd: 0.5}`` (mean and sd of the variable itself)."""

    dist: Literal["lognormal"]
    mean_: PositiveParam = Field(alias="mean")
    sd: Param

    model_config = _NAMED

    @model_validator(mode="after")
    def _spread(self):
        if self.sd > MAX_SPREAD * self.mean_:
            raise ValueError(f"sd ({self.sd:g}) is more than {MAX_SPREAD:g} times the mean "
                             f"({self.mean_:g}) (expected sd <= {MAX_SPREAD:g} x mean)")
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def _params(self) -> tuple[float, float]:
        s2 = math.log1p((self.sd / self.mean_) ** 2)
        return math.log(self.mean_) - 0.5 * s2, math.sqrt(s2)

    def ppf(self, u):
        mu, sigma = self._params()
        if isinstance(u, float):  # scalar fast path (one draw per trip)
            return math.exp(mu + sigma * float(special.ndtri(u)))
        z = special.ndtri(np.asarray(u, dtype=float))
        out = np.exp(mu + sigma * z)
        return out if np.ndim(out) else float(out)


class Gamma(_Dist):
    """``{dist: gamma, mean: 120, sd: 40}``."""

    dist: Literal["gamma"]
    mean_: PositiveParam = Field(alias="mean")
    sd: PositiveParam

    model_config = _NAMED

    @model_validator(mode="after")
    def _spread(self):
        if not self.mean_ / MAX_SPREAD <= self.sd <= MAX_SPREAD * self.mean_:
            raise ValueError(f"sd ({self.sd:g}) is not within 1/{MAX_SPREAD:g} to "
                             f"{MAX_SPREAD:g} times the mean ({self.mean_:g}) (expected "
                             f"mean/{MAX_SPREAD:g} <= sd <= {MAX_SPREAD:g} x mean; a fixed "
                             f"value for an sd close to 0)")
        return self

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    def ppf(self, u):
        shape = (self.mean_ / self.sd) ** 2
        scale = self.sd**2 / self.mean_
        out = special.gammaincinv(shape, np.asarray(u, dtype=float)) * scale
        return out if np.ndim(out) else float(out)


class Beta(_Dist):
    """``{dist: beta, a: 2, b: 20}`` on [0, 1] (used for fractions)."""

    dist: Literal["beta"]
    a: PositiveParam
    b: PositiveParam

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    @property
    def variance(self) -> float:
        s = self.a + self.b
        return self.a * self.b / (s * s * (s + 1))

    def ppf(self, u):
        out = special.betaincinv(self.a, self.b, np.asarray(u, dtype=float))
        return out if np.ndim(out) else float(out)


Distribution = Annotated[
    Fixed | Uniform | Triangular | Exponential | Lognormal | Gamma | Beta,
    Field(discriminator="dist"),
]
DIST_NAMES = ("fixed", "uniform", "triangular", "exponential", "lognormal", "gamma", "beta")


def binomial_ppf(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Inverse CDF of Binomial(n, p) at uniforms ``u`` (elementwise): the smallest k with
    P(X <= k) >= u. One uniform per count, so streams stay aligned whatever the state.

    Daily escape draws are almost all 0, so 0 is settled first from cdf(0) = (1 - p)^n; the
    few others are found by a short upward search, or by scipy's inversion for large counts.
    """
    u, n, p = np.asarray(u, dtype=float), np.asarray(n), np.asarray(p, dtype=float)
    if not u.shape == n.shape == p.shape:
        u, n, p = np.broadcast_arrays(u, n, p)
    if p.size and (p.min() < 0.0 or p.max() >= 1.0):
        p = np.clip(p, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            cdf0 = np.where(n > 0, np.exp(n * np.log1p(-p)), 1.0)
        return _invert(u, n, p, cdf0)
    return binomial_ppf_small(u, n, p)


def binomial_ppf_small(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """:func:`binomial_ppf` for arrays of one shape with 0 <= p <= 1: the daily escape
    draws. A hazard so large that p rounds to 1 (everyone escapes) takes the general way."""
    if p.size and p.max() >= 1.0:
        return binomial_ppf(u, n, p)
    return _invert(u, n, p, np.exp(n * np.log1p(-p)))


def _invert(u: np.ndarray, n: np.ndarray, p: np.ndarray, cdf0: np.ndarray) -> np.ndarray:
    out = np.zeros(u.shape, dtype=np.int64)
    live = np.flatnonzero(u > cdf0)
    if live.size == 0:
        return out
    flat = out.reshape(-1)
    flat[live] = binomial_ppf_live(u.reshape(-1)[live].tolist(), n.reshape(-1)[live].tolist(),
                                   p.reshape(-1)[live].tolist())
    return out


def binomial_ppf_live(u: list[float], n: list[int], p: list[float]) -> list[int]:
    """Binomial quantiles of draws known not to be zero (each ``u`` above P(X = 0)): a
    scalar search for a few, the vectorised inversion for more."""
    if len(u) <= 8:  # a few non-zero draws: scalar search is cheapest
        return [_binomial_ppf_one(a, int(b), c) for a, b, c in zip(u, n, p)]
    return _binomial_ppf_many(np.array(u, dtype=float), np.array(n, dtype=np.int64),
                              np.array(p, dtype=float)).tolist()


def _binomial_ppf_many(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Vectorised inversion: a Cornish-Fisher first guess, then exact steps on the CDF."""
    full = (p >= 1.0) | (u >= 1.0)  # P(X <= n) = 1: the quantile at u = 1 is n
    q = np.where(p >= 1.0, 0.5, p)
    u = np.where(full, 0.5, u)
    mean = n * q
    sd = np.sqrt(np.maximum(mean * (1.0 - q), 1e-12))
    z = special.ndtri(u)
    guess = mean + sd * z + (1.0 - 2.0 * q) * (z * z - 1.0) / 6.0 - 0.5
    # u is in (0, 1) here and sd > 0, so the guess is finite
    k = np.clip(np.floor(guess), 0, n).astype(np.int64)
    # exact steps: go up while cdf(k) < u; go down while cdf(k - 1) >= u (usually one step)
    cdf = special.bdtr(k, n, q)
    low = cdf < u
    active = np.flatnonzero((low & (k < n)) | (~low & (k > 0)))
    while active.size:
        up = low[active]
        probe = np.where(up, k[active] + 1, k[active] - 1)
        hit = special.bdtr(probe, n[active], q[active]) >= u[active]
        move = up | hit  # up: always step; down: step while cdf(k - 1) >= u
        k[active[move]] = probe[move]
        keep = np.where(up, ~hit & (probe < n[active]), hit & (probe > 0))
        active = active[keep]
    return np.where(full, n, k)


def _binomial_ppf_one(u: float, n: int, p: float) -> int:
    if p >= 1.0:
        return n
    if n * p < 20:
        k = 1
        while k < n and special.bdtr(k, n, p) < u:
            k += 1
        return k
    k = int(min(max(math.ceil(special.bdtrik(u, n, p)), 0), n))
    while k > 0 and special.bdtr(k - 1, n, p) >= u:
        k -= 1
    while k < n and special.bdtr(k, n, p) < u:
        k += 1
    return k
