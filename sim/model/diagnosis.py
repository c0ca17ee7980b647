"""The end-of-day diagnosis: why people wait, taken when it may have changed and computed in
bulk.

At the end of a day on which the waiting people or their pairs' reasons may have changed, the
dispatcher settles the reasons it left open and the diagnosis notes the day with what the
pairs' reasons were then (their last blocking reasons, the groups left off for money, which
hold cannot end, the people each budgeted payer still approves). Who waits is the record of
the sites' stocks at the end of that day, so the days noted with the same reasons are
diagnosed together when the run ends (:func:`sim.model.boarding.diagnose_days`): the same
integer counts as one day at a time. When a fund buys capacity from what was held back, each
day is diagnosed at once, because the next day's orders read it.
"""

from __future__ import annotations

import numpy as np

from sim.model.boarding import diagnose_days, held_by_payer_days
from sim.model.dispatch import Dispatcher
from sim.model.funding import Treasury
from sim.model.recorder import Recorder


class Diagnosis:
    def __init__(self, dispatcher: Dispatcher, treasury: Treasury, recorder: Recorder,
                 n_sites: int, eager: bool):
        """``eager``: diagnose every noted day at once (a fund reads what was held back)."""
        self.dsp, self.treasury, self.recorder = dispatcher, treasury, recorder
        self.n_sites, self.eager = n_sites, eager
        self._days: list[int] = []  # noted days not diagnosed yet, in order
        self._context_of: list[int] = []  # each one's context
        self._contexts: list[tuple] = []  # (last_reason, unfunded, final, approvals)
        self._key: tuple | None = None  # the last context's key
        dsp = dispatcher
        self._pair_site = dsp._pair_site
        self._carries = dsp._carries
        self._start = dsp.compiled.start_day[dsp._pair_site]  # [P, G]

    def note(self, day: int, stock: np.ndarray) -> np.ndarray | None:
        """Note the end of ``day`` (``stock``: the sites' stocks now); return the people held
        back by each constraint when diagnosed at once (None otherwise)."""
        dsp = self.dsp
        dsp.settle(day)
        approvals = self.treasury.approvals()
        key = (tuple(dsp.last_reason), tuple(dsp.final),
               tuple(None if u is None else u.tobytes() for u in dsp.unfunded),
               None if approvals is None else approvals.tobytes())
        if key != self._key:
            self._key = key
            self._contexts.append((list(dsp.last_reason), list(dsp.unfunded), list(dsp.final),
                                   None if approvals is None else approvals.copy()))
        self._days.append(day)
        self._context_of.append(len(self._contexts) - 1)
        if self.eager:
            return self._diagnose(stock[None])[-1]
        return None

    def finish(self) -> None:
        """Diagnose the days noted and not diagnosed yet, from the record of the stocks."""
        if self._days:
            values, index = self.recorder.distinct("site_stock")
            self._diagnose(values[index[self._days]])

    def _diagnose(self, stock: np.ndarray) -> np.ndarray:
        """Diagnose the noted days (``stock``: theirs, [n, S, G]), write their rows; return
        the people held back by each constraint ([n, R])."""
        days = np.array(self._days, dtype=np.int64)
        of = np.array(self._context_of, dtype=np.int64)
        rec = self.recorder
        blocked_all = np.zeros((len(days), len(rec.initial["blocked"])), dtype=np.int64)
        for c in np.unique(of).tolist():
            at = np.flatnonzero(of == c)
            last_reason, unfunded, final, approvals = self._contexts[c]
            mask = self._carries & (self._start <= days[at, None, None])  # [n, P, G]
            waiting = stock[at][:, self._pair_site] * mask.astype(np.int64)
            reasons, blocked, stuck, total = diagnose_days(
                waiting, last_reason, unfunded, final, self._pair_site, self.n_sites)
            held = held_by_payer_days(reasons, stock[at], approvals)
            for name, rows in (("reason", reasons), ("blocked", blocked), ("stuck", stuck),
                               ("waiting", total), ("held_for_funding", held)):
                rec.write_days(days[at], name, rows)
            blocked_all[at] = blocked
        self._days, self._context_of = [], []
        self._contexts = self._contexts[-1:]  # the next noted day may share the last one
        return blocked_all
