"""Daily escapes from origin sites, mass breakouts and recaptures.

For site s and group g on a day, with h = base hazard x controller x conflict x crowding
multipliers, escapes ~ Binomial(n, 1 - exp(-h)), drawn by inverse CDF from one uniform per
group from the stream ``escape:<site>`` (one column per group that starts with people at the
site, in group order: a site's draws do not depend on other sites, nor on nationalities and
categories that do not live there). Mass breakouts arrive as a Poisson process
(``breakout:<site>``, two uniforms a day: whether one starts, and its fraction) and free a
Beta-distributed fraction of each group. A recaptured share (``recapture:<site>``, one
uniform per site a day: Binomial(escaped there, p), split over that site's groups pro rata
by largest remainder) returns to
the site after a delay. The number of uniforms drawn never depends on the state, so common
random numbers stay aligned across policies.
"""

from __future__ import annotations

import numpy as np

from sim.model.plan import Plan
from sim.model.reception import split_count
from sim.rng import Streams
from sim.scenario.distributions import binomial_ppf, binomial_ppf_small


class Escapes:
    def __init__(self, plan: Plan, streams: Streams):
        self.plan = plan
        self.streams = streams
        spec = plan.scenario.escapes
        self.spec = spec
        S, G = plan.initial_stock.shape
        self.escaped = np.zeros(G, dtype=np.int64)  # gross, cumulative
        self.recaptured = np.zeros(G, dtype=np.int64)  # returned to a site, cumulative
        self.by_site = np.zeros((S, G), dtype=np.int64)  # gross escapes per site
        delay = spec.recapture.delay_days if spec.recapture else 0
        self.returns = np.zeros((plan.horizon + delay + 1, S, G), dtype=np.int64)
        self.delay = delay
        self._names = [(f"escape:{s}", f"breakout:{s}", f"recapture:{s}", f"recapture-event:{s}")
                       for s in plan.site_ids]
        # The daily draws are taken for the whole horizon at once: a generator yields the same
        # sequence whether asked for T x G numbers in one call or G numbers T times.
        T = plan.horizon
        self._u_escape = np.zeros((T, S, G))  # 0 never exceeds P(no escape): nobody there
        for s, names in enumerate(self._names):
            lives = np.flatnonzero(plan.initial_stock[s] > 0)
            self._u_escape[:, s, lives] = streams.uniform(names[0], (T, lives.size))
        self._u_breakout = np.stack([streams.uniform(n[1], (T, 2)) for n in self._names], axis=1)
        self._u_recapture = np.stack([streams.uniform(n[2], T) for n in self._names], axis=1)

    def step(self, day: int, stock: np.ndarray, controller_mult: np.ndarray,
             escape_mult: float, breakout_mult: float) -> np.ndarray:
        """Draw one day's escapes at every site; update ``stock`` in place; return [S, G]."""
        plan, spec = self.plan, self.spec
        site_mult = controller_mult * escape_mult
        if spec.crowding_exponent:
            occupancy = stock.sum(axis=1) / plan.site_capacity
            site_mult = site_mult * np.where(occupancy > 1.0,
                                             occupancy ** spec.crowding_exponent, 1.0)
        hazard = plan.base_hazard * site_mult[:, None]
        out = binomial_ppf_small(self._u_escape[day], stock, -np.expm1(-hazard))
        if spec.mass_breakout is not None:
            # at least one Poisson arrival today iff u > P(N = 0) = exp(-rate)
            rate = spec.mass_breakout.rate_per_year / 365.0 * breakout_mult * controller_mult
            ub = self._u_breakout[day]
            for s in np.flatnonzero(ub[:, 0] > np.exp(-rate)):
                frac = min(max(float(spec.mass_breakout.fraction.ppf(ub[s, 1])), 0.0), 1.0)
                out[s] += np.floor((stock[s] - out[s]) * frac).astype(np.int64)
        self._register(day, stock, out, self._u_recapture[day])
        return out

    def breakout(self, day: int, stock: np.ndarray, s: int, fraction: float) -> np.ndarray:
        """A dated mass escape freeing ``fraction`` of site ``s`` (timeline event)."""
        out = np.zeros_like(stock)
        out[s] = np.floor(stock[s] * fraction).astype(np.int64)
        u = np.array([self.streams.uniform(n[3]) for n in self._names])
        self._register(day, stock, out, u)
        return out

    def _register(self, day: int, stock: np.ndarray, out: np.ndarray, u: np.ndarray) -> None:
        """Book escapes ``out`` ([S, G]); the recaptured share of each site's escapees,
        Binomial(escaped there, p) from one uniform per site (``u``, [S]), is split over
        groups pro rata and comes back after the delay."""
        stock -= out
        self.escaped += out.sum(axis=0)
        self.by_site += out
        rec = self.spec.recapture
        if rec is None or not out.any():
            return
        caught = binomial_ppf(u, out.sum(axis=1), rec.probability)
        back = self.returns[day + self.delay]
        for s in np.flatnonzero(caught):  # each site on its own: largest remainder
            back[s] += split_count(out[s], int(caught[s]))

    def recapture(self, day: int, stock: np.ndarray) -> None:
        """Return recaptured people due on ``day`` to their sites."""
        back = self.returns[day]
        if back.any():
            stock += back
            self.recaptured += back.sum(axis=0)
