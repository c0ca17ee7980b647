"""Daily escapes from origin sites, mass breakouts and recaptures.

For site s and group g on a day, with h = base hazard x controller x conflict x crowding
multipliers, escapes ~ Binomial(n, 1 - exp(-h)), drawn by inverse CDF from one uniform per
group from the stream ``escape:<site>`` (one column per group that starts with people at the
site, in group order: a site's draws do not depend on other sites, nor on nationalities and
categories that do not live there). Mass breakouts arrive as a Poisson process
(``breakout:<site>``, two uniforms a day: whether one starts, and its fraction) and free a
Beta-distributed fraction of each group. A recaptured share (``recapture:<site>``, one
uniform per site a day: Binomial(escaped there, p), split over that site's groups pro rata
by largest remainder) returns to the site after a delay. The number of uniforms drawn never
depends on the state, so common random numbers stay aligned across policies.

**Only the days that can have an escape are visited.** No site ever holds more of a group
than it starts with, and crowding only grows with the number held, so
``P(no escape) = (1 - p)^n`` is at least its value for the starting count at the day's
largest hazard. A group can escape on a day only if its uniform exceeds that bound: those
(day, site, group) *candidates* are found for the whole horizon at once, and each is then
decided exactly as the full daily computation would.
"""

from __future__ import annotations

import numpy as np

from sim.model.plan import Plan
from sim.model.reception import split_count, split_nonzero
from sim.rng import Streams
from sim.scenario.distributions import _invert, binomial_ppf, binomial_ppf_live

_MARGIN = 1.0 - 1e-12  # candidates: a hair more than needed, never fewer


def least_count(u: np.ndarray, log_q: np.ndarray, cap: int) -> np.ndarray:
    """For each uniform ``u`` and ``log_q`` = log(1 - p): the smallest count n in [1, cap]
    with ``u > np.exp(n * log_q)``, the test by which a Binomial(n, p) draw from ``u`` is not
    zero (``cap + 1`` where no n up to ``cap`` passes it). The test is monotone in n, so a
    draw is non-zero exactly when n >= the result; found by bisection with the very
    expression the daily test evaluates, so the two never disagree. The bisection starts
    from a bracket of two around log(u) / log(1 - p) wherever the test confirms it, and from
    [1, cap + 1] elsewhere: the same boundary either way."""
    u, log_q = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(log_q, dtype=float))

    def passes(n: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            return u > np.exp(n * log_q)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        guess = np.log(u) / log_q  # the boundary in real numbers, where it is finite
    guess = np.where(np.isfinite(guess), np.clip(guess, 0.0, cap + 1.0), 0.0).astype(np.int64)
    lo = np.clip(guess - 2, 1, cap + 1)
    hi = np.clip(guess + 2, 1, cap + 1)
    # a bracket holds when the test fails below lo and passes at hi (or hi is past cap)
    holds = ((lo == 1) | ~passes(lo - 1)) & ((hi == cap + 1) | passes(hi))
    lo = np.where(holds, lo, 1)
    hi = np.where(holds, hi, cap + 1)
    while (open_ := lo < hi).any():
        mid = (lo + hi) // 2
        hit = passes(mid)
        hi = np.where(open_ & hit, mid, hi)
        lo = np.where(open_ & ~hit, mid + 1, lo)
    return lo


class Escapes:
    def __init__(self, plan: Plan, streams: Streams, controller_mult: np.ndarray,
                 escape_mult: np.ndarray, breakout_mult: np.ndarray):
        """``controller_mult`` [T, S], ``escape_mult`` and ``breakout_mult`` [T]: the
        multipliers of each day (controllers, and the conflict state at the day's start)."""
        self.plan = plan
        self.streams = streams
        spec = plan.scenario.escapes
        self.spec = spec
        S, G = plan.initial_stock.shape
        T = plan.horizon
        self.escaped = np.zeros(G, dtype=np.int64)  # gross, cumulative
        self.recaptured = np.zeros(G, dtype=np.int64)  # returned to a site, cumulative
        self.by_site = np.zeros((S, G), dtype=np.int64)  # gross escapes per site
        delay = spec.recapture.delay_days if spec.recapture else 0
        self.returns: dict[int, dict[tuple[int, int], int]] = {}  # day -> people coming
        # back to each (site, group)
        self.delay = delay
        self._names = [(f"escape:{s}", f"breakout:{s}", f"recapture:{s}", f"recapture-event:{s}")
                       for s in plan.site_ids]
        self._cm, self._em, self._bm = controller_mult, escape_mult, breakout_mult
        self._crowding = bool(spec.crowding_exponent) and bool(
            (plan.initial_stock.sum(axis=1) > plan.site_capacity).any())
        # The daily draws are taken for the whole horizon at once: a generator yields the same
        # sequence whether asked for T x G numbers in one call or G numbers T times.
        self._lives = [np.flatnonzero(plan.initial_stock[s] > 0) for s in range(S)]
        self._u_escape = [streams.uniform(n[0], (T, lives.size))
                          for n, lives in zip(self._names, self._lives)]
        self._u_breakout = np.stack([streams.uniform(n[1], (T, 2)) for n in self._names], axis=1)
        self._u_recapture = np.stack([streams.uniform(n[2], T) for n in self._names], axis=1)
        self._cap = int(plan.initial_stock.sum())  # nobody comes in: no count exceeds it
        self._find_candidates()
        rec = spec.recapture
        self._rec_p = float(rec.probability) if rec is not None else 0.0
        # log(1 - p) of the recapture draws, as binomial_ppf computes it (None: p >= 1)
        self._rec_log_q = (np.log1p(-np.asarray(self._rec_p, dtype=float))
                           if rec is not None and 0.0 <= self._rec_p < 1.0 else None)
        # each day's and site's escapees of whom somebody is recaptured: at least this many
        self._rec_least = (least_count(self._u_recapture, self._rec_log_q, self._cap).tolist()
                           if self._rec_log_q is not None else None)
        self._u_rec_list = self._u_recapture.tolist()
        self.breakouts: dict[int, np.ndarray] = {}  # day -> sites where a breakout starts
        if spec.mass_breakout is not None:
            rate = spec.mass_breakout.rate_per_year / 365.0 * breakout_mult[:, None] \
                * controller_mult
            # at least one Poisson arrival today iff u > P(N = 0) = exp(-rate)
            start = self._u_breakout[:, :, 0] > np.exp(-rate)
            for d in np.flatnonzero(start.any(axis=1)):
                self.breakouts[int(d)] = np.flatnonzero(start[d])

    def _find_candidates(self) -> None:
        """The candidates of the whole horizon, ordered by day, site and group: their
        uniforms and, without crowding (a candidate's probability then depends on its day
        only), p and log(1 - p), by the same elementwise operations as :meth:`step`'s."""
        plan, cm, em = self.plan, self._cm, self._em
        occupancy = plan.initial_stock.sum(axis=1) / plan.site_capacity
        crowd = np.where(occupancy > 1.0, occupancy ** self.spec.crowding_exponent, 1.0) \
            if self._crowding else np.ones(len(occupancy))
        parts = []
        for s, lives in enumerate(self._lives):
            if lives.size == 0:
                continue
            mult = cm[:, s] * em * crowd[s]  # [T] largest site multiplier
            values, day_value = np.unique(mult, return_inverse=True)
            hazard = plan.base_hazard[s, lives][None, :] * values[:, None]
            n0 = plan.initial_stock[s, lives]
            with np.errstate(divide="ignore"):  # a certain escape: log(0), bound 0
                bound = np.exp(n0 * np.log1p(np.expm1(-hazard))) * _MARGIN  # P(no escape) >=
            days, cols = np.nonzero(self._u_escape[s] > bound[day_value])
            parts.append((days, np.full(days.size, s), cols, self._u_escape[s][days, cols]))
        T = plan.horizon
        day, site, col, u = (np.concatenate([p[k] for p in parts]).astype(
            float if k == 3 else np.int64) if parts else np.zeros(0, dtype=float if k == 3
                                                                   else np.int64)
            for k in range(4))
        order = np.argsort(day, kind="stable")  # day, then site, then group
        day, site, col, u = day[order], site[order], col[order], u[order]
        lives = np.zeros((len(self._lives), max((x.size for x in self._lives), default=0)),
                         dtype=np.int64)  # [S, columns]: the group of each column
        for s, x in enumerate(self._lives):
            lives[s, :x.size] = x
        group = lives[site, col]
        self._day_of = set(day.tolist())  # days with a candidate
        self._starts = np.searchsorted(day, np.arange(T + 1)).tolist()
        self._site, self._group, self._col, self._u = site, group, col, u
        if not self._crowding:
            self._p = -np.expm1(-(plan.base_hazard[site, group] * (cm[day, site] * em[day])))
            # a candidate escapes iff its group's count that day is at least this
            self._least = least_count(u, np.log1p(-self._p), self._cap).tolist()
            self._cand = list(zip(site.tolist(), group.tolist(), u.tolist(),
                                  self._p.tolist(), self._least))

    def _candidates(self, day: int) -> list[tuple[int, np.ndarray]]:
        """Day ``day``'s candidates: (site, columns of its groups) for each site."""
        a, b = self._starts[day], self._starts[day + 1]
        sites = self._site[a:b]
        return [(int(s), self._col[a:b][sites == s]) for s in np.unique(sites)]

    def due(self, day: int) -> bool:
        """Whether anything can happen on ``day`` (escapes, a breakout, people coming back)."""
        return day in self._day_of or day in self.breakouts or day in self.returns

    def step(self, day: int, stock: np.ndarray
             ) -> np.ndarray | list[tuple[int, int, int]] | None:
        """One day's escapes at every site; update ``stock`` in place; return them as [S, G]
        or as (site, group, count) cells (None when nobody escapes)."""
        plan, spec = self.plan, self.spec
        burst = self.breakouts.get(day, ())
        if day not in self._day_of and not len(burst):
            return None
        controller_mult, escape_mult, breakout_mult = self._cm[day], self._em[day], self._bm[day]
        if not self._crowding:
            return self._step(day, stock, controller_mult, breakout_mult, burst)
        cand = self._candidates(day) if day in self._day_of else ()
        site_mult = controller_mult * escape_mult
        if self._crowding:
            occupancy = stock.sum(axis=1) / plan.site_capacity
            site_mult = site_mult * np.where(occupancy > 1.0,
                                             occupancy ** spec.crowding_exponent, 1.0)
        out = np.zeros_like(stock)
        for s, cols in cand:
            g = self._lives[s][cols]
            hazard = plan.base_hazard[s, g] * site_mult[s]
            p = -np.expm1(-hazard)
            n = stock[s, g]
            with np.errstate(divide="ignore", invalid="ignore"):  # p = 1: a certain escape
                cdf0 = np.where(n > 0, np.exp(n * np.log1p(-p)), 1.0)
            out[s, g] = _invert(self._u_escape[s][day, cols], n, p, cdf0)
        if len(burst):
            self._breakouts(day, stock, out, controller_mult, breakout_mult)
        if not out.any():
            return None
        self._register(day, stock, out, self._u_recapture[day])
        return out

    def _step(self, day: int, stock: np.ndarray, controller_mult: np.ndarray,
              breakout_mult: float, burst) -> np.ndarray | list[tuple[int, int, int]] | None:
        """:meth:`step` without crowding: each candidate decided from its precomputed p, as
        ``_invert`` decides it site by site."""
        found: list[tuple[int, int, int]] = []  # (site, group, escapes)
        a, b = self._starts[day], self._starts[day + 1]
        hits = [c for c in self._cand[a:b] if stock[c[0], c[1]] >= c[4]]
        if hits:
            for s in sorted({c[0] for c in hits}):  # as _invert decides them, site by site
                mine = [c for c in hits if c[0] == s]
                k = binomial_ppf_live([c[2] for c in mine], [int(stock[s, c[1]]) for c in mine],
                                      [c[3] for c in mine])
                found += [(s, c[1], y) for c, y in zip(mine, k) if y]
        if len(burst):
            out = np.zeros_like(stock)
            for s, g, k in found:
                out[s, g] = k
            self._breakouts(day, stock, out, controller_mult, breakout_mult)
            if not out.any():
                return None
            self._register(day, stock, out, self._u_recapture[day])
            return out
        if not found:
            return None
        self._register_cells(day, stock, found)
        return found

    def _register_cells(self, day: int, stock: np.ndarray,
                        found: list[tuple[int, int, int]]) -> None:
        """:meth:`_register` for escapes ``found`` cell by cell ((site, group, count) in site
        and group order): the same numbers, the recaptured share drawn as
        :func:`binomial_ppf` draws it."""
        escaped, by_site = self.escaped, self.by_site
        total: dict[int, int] = {}
        for s, g, k in found:
            stock[s, g] -= k
            escaped[g] += k
            by_site[s, g] += k
            total[s] = total.get(s, 0) + k
        rec = self.spec.recapture
        if rec is None:
            return
        sites = sorted(total)
        if self._rec_log_q is None:  # p outside [0, 1): binomial_ppf's own path
            n = np.array([total[s] for s in sites], dtype=np.int64)
            caught = binomial_ppf(self._u_recapture[day, sites], n, rec.probability).tolist()
        else:  # those with someone caught are the sites with at least the least count
            least, u = self._rec_least[day], self._u_rec_list[day]
            live = [t for t in sites if total[t] >= least[t]]
            kept = dict(zip(live, binomial_ppf_live([u[t] for t in live],
                                                    [total[t] for t in live],
                                                    [self._rec_p] * len(live))))
            caught = [kept.get(t, 0) for t in sites]
        for s, k in zip(sites, caught):
            if k:  # split over the site's escapees by largest remainder, as split_count does
                groups = [g for t, g, _ in found if t == s]
                counts = [n for t, _, n in found if t == s]
                take = split_nonzero(counts, k)
                if take is None:  # ties shared with empty groups: the full row decides
                    row = np.zeros(stock.shape[1], dtype=np.int64)
                    row[groups] = counts
                    take, groups = split_count(row, k).tolist(), None
                self._comes_back(day, s, take, groups)

    def _comes_back(self, day: int, s: int, take, groups=None) -> None:
        """Book ``take`` recaptured people of site ``s`` (by group, or for ``groups``) to
        come back after the delay."""
        back = self.returns.setdefault(day + self.delay, {})
        for g, k in zip(range(len(take)) if groups is None else groups, take):
            if k:
                back[s, g] = back.get((s, g), 0) + int(k)

    def _breakouts(self, day: int, stock: np.ndarray, out: np.ndarray,
                   controller_mult: np.ndarray, breakout_mult: float) -> None:
        """Add to ``out`` ([S, G]) the mass breakouts starting on ``day``: a Beta-distributed
        fraction of each group still at the site after the day's ordinary escapes."""
        mb = self.spec.mass_breakout
        rate = mb.rate_per_year / 365.0 * breakout_mult * controller_mult
        ub = self._u_breakout[day]
        for s in np.flatnonzero(ub[:, 0] > np.exp(-rate)):
            frac = min(max(float(mb.fraction.ppf(ub[s, 1])), 0.0), 1.0)
            out[s] += np.floor((stock[s] - out[s]) * frac).astype(np.int64)

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
        total = out.sum(axis=1)
        sites = np.flatnonzero(total)  # the others catch nobody (Binomial(0, p) = 0)
        caught = binomial_ppf(u[sites], total[sites], rec.probability)
        if not caught.any():
            return
        for s, k in zip(sites.tolist(), caught.tolist()):  # each site on its own
            if k:
                self._comes_back(day, s, split_count(out[s], k).tolist())  # largest remainder

    def recapture(self, day: int, stock: np.ndarray) -> list[tuple[int, int, int]] | None:
        """Return recaptured people due on ``day`` to their sites; return them as (site,
        group, count) cells (None when nobody)."""
        back = self.returns.pop(day, None)
        if not back:
            return None
        cells = sorted((s, g, k) for (s, g), k in back.items())
        recaptured = self.recaptured
        for s, g, k in cells:
            stock[s, g] += k
            recaptured[g] += k
        return cells
