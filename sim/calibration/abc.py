"""ABC-SMC (approximate Bayesian computation by sequential Monte Carlo) in the unit hypercube.

The algorithm of Toni et al. (2009) with the weights and kernel of Beaumont et al. (2009) and
the adaptive tolerances of Del Moral et al. (2012), as pyABC implements it by default; here
every generation is proposed in whole rounds and evaluated as one batch, so that the result
does not depend on which worker finishes first:

- parameters live in the unit hypercube (each uncertainty's inverse distribution function
  maps a coordinate to a value), so every prior is uniform there;
- generation 0 draws ``population`` points from the prior and keeps them all;
- generation t proposes a point by picking a particle of generation t-1 by weight and moving
  it with a Gaussian kernel truncated to the hypercube (per coordinate; variance twice the
  weighted variance of the previous population), runs it, and keeps it when its distance is at
  most the tolerance epsilon_t, the ``quantile`` of the previous generation's distances
  (weighted); proposals are made in rounds, and the first ``population`` kept in proposal
  order form the generation;
- a kept particle's weight is prior / proposal density: 1 / sum_j W_j K(u | u_j);
- it stops after ``max_generations``, when a generation's acceptance rate falls below
  ``min_acceptance``, when epsilon reaches ``min_epsilon``, or when the quantile no longer
  lowers the tolerance.

Randomness: proposals of generation t, round i come from the named stream
``calibration:propose:i`` of replication t (:mod:`sim.rng`); each proposal's run has its own
replication number (:func:`run_id`), so the same seed gives the same posterior bit for bit on
any executor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from sim.rng import stream

PER_GENERATION = 1_000_000
"""Run numbers of generation t are t * PER_GENERATION + proposal index."""


@dataclass(frozen=True)
class Settings:
    population: int = 300
    max_generations: int = 6
    quantile: float = 0.5
    min_acceptance: float = 0.05
    min_epsilon: float = 0.0
    max_rounds: int = 12
    """Rounds of proposals per generation before it is cut short."""


@dataclass
class Generation:
    t: int
    epsilon: float
    units: np.ndarray  # (population, k)
    distances: np.ndarray
    weights: np.ndarray  # normalised
    ids: np.ndarray  # run numbers of the kept particles
    evaluated: int  # proposals run
    used: int  # proposals up to the last one kept
    extra: dict = field(default_factory=dict, repr=False)  # per kept particle, from evaluate

    @property
    def acceptance_rate(self) -> float:
        return len(self.distances) / max(self.used, 1)

    @property
    def ess(self) -> float:
        """Effective sample size (sum w)^2 / sum w^2."""
        return float(1.0 / np.sum(self.weights ** 2))


Evaluate = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, dict]]
"""(units (n, k), run numbers (n,)) -> (distances (n,), per-run arrays keyed by name)."""


def run_id(t: int, index: int) -> int:
    return t * PER_GENERATION + index


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``x`` under weights ``w`` (the smallest x with cumulative weight
    >= q)."""
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order]) / np.sum(w)
    return float(x[order][min(np.searchsorted(cum, q - 1e-12), len(x) - 1)])


def kernel_scales(units: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-coordinate standard deviation of the perturbation kernel (Beaumont et al.: twice
    the weighted variance), at least 1e-3."""
    mean = weights @ units
    var = weights @ (units - mean) ** 2
    return np.maximum(np.sqrt(2.0 * var), 1e-3)


def kernel_density(x: np.ndarray, centres: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """(len(x), len(centres)): density at x of the kernel truncated to [0, 1]^k around each
    centre."""
    z = (x[:, None, :] - centres[None, :, :]) / sigma
    mass = norm.cdf((1 - centres) / sigma) - norm.cdf(-centres / sigma)
    return np.prod(norm.pdf(z) / sigma / mass[None, :, :], axis=2)


def propose(prev: Generation, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` proposals around particles of ``prev`` picked by weight."""
    sigma = kernel_scales(prev.units, prev.weights)
    parents = prev.units[rng.choice(len(prev.weights), size=n, p=prev.weights)]
    lo = norm.cdf(-parents / sigma)
    hi = norm.cdf((1 - parents) / sigma)
    u = lo + rng.random(parents.shape) * (hi - lo)  # inverse CDF of the truncated normal
    return np.clip(parents + sigma * norm.ppf(np.clip(u, 1e-300, 1 - 1e-16)), 0.0, 1.0)


def abc_smc(k: int, evaluate: Evaluate, settings: Settings, seed: int,
            report: Callable[[Generation], None] | None = None) -> list[Generation]:
    """Run ABC-SMC over ``k`` unit coordinates; the generations, last = posterior."""
    n = settings.population
    rng = stream(seed, 0, "calibration:propose:0")
    units = rng.random((n, k))
    ids = np.array([run_id(0, i) for i in range(n)])
    dist, extra = evaluate(units, ids)
    gens = [Generation(0, math.inf, units, dist, np.full(n, 1.0 / n), ids, n, n, extra)]
    if report:
        report(gens[-1])
    while len(gens) <= settings.max_generations:
        prev = gens[-1]
        ok = np.isfinite(prev.distances)
        eps = weighted_quantile(prev.distances[ok], prev.weights[ok], settings.quantile)
        if len(gens) > 1 and (eps >= prev.epsilon or prev.epsilon <= settings.min_epsilon):
            break
        gen = _generation(len(gens), prev, max(eps, settings.min_epsilon), evaluate,
                          settings, seed)
        if gen is None:
            break
        gens.append(gen)
        if report:
            report(gen)
        if gen.acceptance_rate < settings.min_acceptance:
            break
    return gens


def _generation(t: int, prev: Generation, eps: float, evaluate: Evaluate, settings: Settings,
                seed: int) -> Generation | None:
    n = settings.population
    rate = prev.acceptance_rate if t > 1 else settings.quantile
    kept_u, kept_d, kept_id, kept_extra = [], [], [], []
    evaluated = used = 0
    for rnd in range(settings.max_rounds):
        need = n - len(kept_d)
        size = int(min(math.ceil(need / max(rate, settings.min_acceptance) * 1.15) + 8,
                       20 * n))
        rng = stream(seed, t, f"calibration:propose:{rnd}")
        units = propose(prev, size, rng)
        ids = np.array([run_id(t, evaluated + i) for i in range(size)])
        dist, extra = evaluate(units, ids)
        hits = np.flatnonzero(dist <= eps)[:need]
        for i in hits:
            kept_u.append(units[i])
            kept_d.append(dist[i])
            kept_id.append(ids[i])
            kept_extra.append({key: v[i] for key, v in extra.items()})
        used = evaluated + (int(hits[-1]) + 1 if len(kept_d) == n else size)
        evaluated += size
        rate = max(len(hits) / size, 1.0 / (size + 1))
        if len(kept_d) == n:
            break
    if not kept_d:
        return None
    units = np.array(kept_u)
    sigma = kernel_scales(prev.units, prev.weights)
    w = 1.0 / (kernel_density(units, prev.units, sigma) @ prev.weights)
    extra = {key: np.array([e[key] for e in kept_extra]) for key in kept_extra[0]}
    return Generation(t, eps, units, np.array(kept_d), w / w.sum(), np.array(kept_id),
                      evaluated, used, extra)
