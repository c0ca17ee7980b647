"""The queue a payer plans its fiscal year on: who waits for a transfer, in the order the
dispatcher serves them, and what moving one of them is estimated to cost."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.costs import CostCategory
from sim.model.dispatch import Dispatcher
from sim.model.funding import QueuedGroup, Step

_TRANSPORT = int(CostCategory.transport)
_SCREENING = int(CostCategory.screening)


class FundingQueue:
    """The queue a payer plans its fiscal year on, for one run: every group with a
    transfer, in the programme's priority order (the group's disposition priority, then its
    site's escape risk, highest first, then scenario order), with the estimated cost of
    moving one person: transport and escorts at a full load on the pair's first route,
    screening, and the holding costs the move shifts from the site to the destination
    (``move_holding(site, destination, group)``). Each group's estimate never changes, and
    the order changes only with the sites' risks: both are kept from one call to the next,
    and in ``kept`` (the scenario's) from one run to the next, since they depend on the
    scenario alone."""

    def __init__(self, disp: Dispatcher, move_holding: Callable[[int, int, int], Step],
                 kept: tuple[dict, dict] | None = None):
        self.disp, self.move_holding = disp, move_holding
        # (s, d, g) -> the estimate; risks -> the order, as (s, d, g)
        self._steps, self._orders = kept if kept is not None else ({}, {})

    def __call__(self, day: int) -> list[QueuedGroup]:
        disp = self.disp
        plan, state = disp.compiled, disp.state
        risk = state.site_risk(day)
        order = self._orders.get(risk.tobytes())
        if order is None:
            entries = [(int(plan.priority[s, g]), -risk[s], (s, d), int(g))
                       for (s, d), i in disp._pair_index.items()
                       for g in np.flatnonzero(disp._carries[i])]
            order = self._orders[risk.tobytes()] = [(s, d, g) for _, _, (s, d), g
                                                    in sorted(entries)]
        stock, steps = state.stock.tolist(), self._steps
        out = []
        for s, d, g in order:
            step = steps.get((s, d, g))
            if step is None:
                step = steps[(s, d, g)] = _per_person(disp, self.move_holding, s, d, g)
            out.append(QueuedGroup(s, g, stock[s][g], step))
        return out


def _per_person(disp: Dispatcher, move_holding: Callable[[int, int, int], Step], s: int,
                d: int, g: int) -> Step:
    """The estimated cost of moving one person of group ``g`` from site ``s`` to ``d``."""
    route = disp.routes_of[(s, d)][0]
    transport, escorts = disp.transport.per_person(route, g)
    unit = disp.compiled.nat_matrix()[g]
    step = move_holding(s, d, g)
    screening = disp.reception.specs[d].screening_cost_per_person
    step.direct = [(_TRANSPORT, s, unit * transport),
                   (_SCREENING, disp.compiled.n_sites + d, unit * screening)]
    step.escort = (s, unit * escorts)
    return step
