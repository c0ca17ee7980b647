"""What costs and personnel-days are booked under.

These are the words the scenario's payer rules, the model's ledger and the policy's
allocation share: a ledger entry has a cost category (or a personnel kind), and each category
serves an activity, which is what payer rules usually decide on. The enum values are the
ledger's axis indexes.
"""

from __future__ import annotations

from enum import IntEnum


class CostCategory(IntEnum):
    """What a cost pays for (the ledger's category axis)."""

    transport = 0
    security = 1  # guards at sites and in Iraq; escorts of trips (booked apart, see Activity)
    detention_syria = 2
    detention_iraq = 3
    screening = 4
    rehabilitation = 5
    repatriation = 6
    capacity_expansion = 7


class PersonnelKind(IntEnum):
    """Who a personnel-day is (the ledger's personnel axis)."""

    escort = 0
    guard = 1


COST_CATEGORIES: tuple[str, ...] = tuple(c.name for c in CostCategory)
PERSONNEL_KINDS: tuple[str, ...] = tuple(k.name for k in PersonnelKind)

ACTIVITIES = ("transfer", "holding", "screening", "repatriation", "capacity")
"""What a cost or personnel entry serves (derived from its category)."""

ACTIVITY_OF: dict[str, str] = {
    "transport": "transfer", "security": "holding", "detention_syria": "holding",
    "detention_iraq": "holding", "rehabilitation": "holding", "screening": "screening",
    "repatriation": "repatriation", "capacity_expansion": "capacity",
    "escort": "transfer", "guard": "holding",
}
"""Activity of each cost category and personnel kind. Escort costs are booked under
``security`` but serve ``transfer`` (their ledger entries say so explicitly)."""

HOLDING_COSTS = frozenset({CostCategory.security, CostCategory.detention_syria,
                           CostCategory.detention_iraq, CostCategory.rehabilitation})
"""Categories of the unavoidable costs of holding people (they accrue whatever the budget)."""
