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


def funding_queue(disp: Dispatcher, move_holding: Callable[[int, int, int], Step],
                  day: int) -> list[QueuedGroup]:
    """Every group with a transfer, in the programme's priority order (the group's
    disposition priority, then its site's escape risk, highest first, then scenario
    order), with the estimated cost of moving one person: transport and escorts at a
    full load on the pair's first route, screening, and the holding costs the move
    shifts from the site to the destination (``move_holding(site, destination, group)``)."""
    plan, state = disp.compiled, disp.state
    nat_matrix = plan.nat_matrix()
    risk = state.site_risk(day)
    entries = [(int(plan.priority[s, g]), -risk[s], (s, d), int(g))
               for (s, d), i in disp._pair_index.items()
               for g in np.flatnonzero(disp._carries[i])]
    out = []
    for _, _, (s, d), g in sorted(entries):
        route = disp.routes_of[(s, d)][0]
        transport, escorts = disp.transport.per_person(route, g)
        unit = nat_matrix[g]
        step = move_holding(s, d, g)
        screening = disp.reception.specs[d].screening_cost_per_person
        step.direct = [(_TRANSPORT, s, unit * transport),
                       (_SCREENING, plan.n_sites + d, unit * screening)]
        step.escort = (s, unit * escorts)
        out.append(QueuedGroup(s, g, int(state.stock[s, g]), step))
    return out
