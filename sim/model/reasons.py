"""Why people wait: the constraints the dispatcher records when nobody can leave."""

from __future__ import annotations

from enum import IntEnum


class BlockReason(IntEnum):
    """A constraint that held people back, in the order the dispatcher checks them: lasting
    constraints (site access, open routes, acceptance caps, beds, crossing quota) before the
    fleet (busy units, which come back) and money. The value indexes the daily record."""

    access = 0
    route = 1
    acceptance = 2
    beds = 3
    crossing = 4
    units = 5
    funding = 6


BLOCK_REASONS: tuple[str, ...] = tuple(r.name for r in BlockReason)
