"""The end-of-day diagnosis: why people wait, taken when it may have changed and computed in
bulk.

At the end of a day on which the waiting people or their pairs' reasons may have changed, the
dispatcher settles the reasons it left open and the diagnosis notes the day with what the
pairs' reasons were then (their last blocking reasons, the groups left off for money, which
hold cannot end, the people each budgeted payer still approves). Who waits is the record of
the sites' stocks at the end of that day, so the days noted with the same reasons are
diagnosed together when the run ends (:func:`sim.model.boarding.diagnose_days`): the same
integer counts as one day at a time. When a fund buys capacity from what was held back, the
people held back by each constraint are also counted at the end of each such day, because
the next day's orders read them.
"""

from __future__ import annotations

import numpy as np

from sim.model.boarding import REASON_INDEX, diagnose_days, held_by_payer_days, pair_reasons
from sim.model.dispatch import Dispatcher
from sim.model.funding import Treasury
from sim.model.reasons import BLOCK_REASONS
from sim.model.recorder import Recorder

_ACCEPTANCE = REASON_INDEX["acceptance"]


class Diagnosis:
    def __init__(self, dispatcher: Dispatcher, treasury: Treasury, recorder: Recorder,
                 n_sites: int, eager: bool):
        """``eager``: count the people held back at the end of each noted day (a fund reads
        them)."""
        self.dsp, self.treasury, self.recorder = dispatcher, treasury, recorder
        self.n_sites, self.eager = n_sites, eager
        self._days: list[int] = []  # noted days not diagnosed yet, in order
        self._context_of: list[int] = []  # each one's context
        self._contexts: list[tuple] = []  # (code, left, final, approvals): pair_reasons
        self._key: tuple | None = None  # the last context's key
        self._now: tuple | None = None  # (context, who waits) of the last day diagnosed at once
        self._blocked = np.zeros(0, dtype=np.int64)  # its people held back by each constraint
        self._pair_site = dispatcher._pair_site
        self._n_groups = dispatcher.compiled.n_groups

    def note(self, day: int) -> np.ndarray | None:
        """Note the end of ``day``; when ``eager``, return the people held back by each
        constraint now (None otherwise)."""
        dsp = self.dsp
        dsp.settle(day)
        approvals = self.treasury.approvals()
        key = (tuple(dsp.last_reason), tuple(dsp.final),
               tuple(None if u is None else u.tobytes() for u in dsp.unfunded),
               None if approvals is None else approvals.tobytes())
        if key != self._key:
            self._key = key
            self._contexts.append((*pair_reasons(dsp.last_reason, dsp.unfunded, dsp.final,
                                                 self._n_groups),
                                   None if approvals is None else approvals.copy()))
        self._days.append(day)
        self._context_of.append(len(self._contexts) - 1)
        if not self.eager:
            return None
        waiting = dsp.waiting_all(day)
        if dsp.closed:  # Iraq's total is used up: everyone waiting is held back by it
            blocked = np.zeros(len(BLOCK_REASONS), dtype=np.int64)
            blocked[_ACCEPTANCE] = waiting.sum()
            return blocked
        now = (len(self._contexts), waiting.tobytes())
        if now != self._now:  # who waits or why changed since the last day diagnosed
            self._now = now
            code, left, final, _ = self._contexts[-1]
            self._blocked = diagnose_days(waiting[None], code[None], left[None], final[None],
                                          self._pair_site, self.n_sites)[1][0]
        return self._blocked

    def finish(self) -> None:
        """Diagnose the days noted, from the record of the stocks, and write their rows."""
        if not self._days:
            return
        rec = self.recorder
        values, index = rec.distinct("site_stock")
        days = np.array(self._days, dtype=np.int64)
        stock = values[index[days]]  # [n, S, G]
        of = np.array(self._context_of, dtype=np.int64)  # each day's context
        code, left, final, approvals = (None if parts[0] is None else np.stack(parts)
                                        for parts in zip(*self._contexts))
        waiting = self.dsp.waiting_on(days, stock)  # [n, P, G]
        reasons, blocked, stuck, total = diagnose_days(
            waiting, code[of], left[of], final[of], self._pair_site, self.n_sites)
        held = held_by_payer_days(reasons, stock, approvals, of)
        for name, rows in (("reason", reasons), ("blocked", blocked), ("stuck", stuck),
                           ("waiting", total), ("held_for_funding", held)):
            rec.write_days(days, name, rows)
