"""The ``policies:`` section of a scenario: typed burden-sharing policies.

A policy names a payer rule (with parameters), payers' annual budgets, an optional pooled
fund that buys capacity, a security-sharing rule for personnel-days, and an optional
reference key. Example (YAML)::

    policies:
      eu_key:
        description: EU 2015 key among a coalition, pooled fund for beds
        rule: key
        params: {participants: [USA, GBR, FRA, DEU, IRQ]}
        budgets:
          IRQ: {annual: 60.0e6}
          USA: {annual: 130.0e6, fiscal_year_start: "10-01"}
        fund:
          contributions: {rule: key, params: {participants: [USA, GBR, FRA, DEU]}}
          annual: 20.0e6
          threshold: 100
          buy:
            - {kind: beds, target: karkh, amount: 1000, cost: 10.0e6, lag_days: 90}
        security: {rule: host_pays}

The rule's parameters are checked by the rule itself (:mod:`sim.rules`), the references to
countries, destinations and fleets by :mod:`sim.scenario.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.rules.types import RuleRef
from sim.scenario.base import Count, Day, Id, Money, PositiveCount
from sim.schema_words import Label

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def parse_month_day(text: str) -> tuple[int, int]:
    """``"10-01"`` -> (10, 1); raises ValueError for anything but a real MM-DD (not 02-29)."""
    m = _MONTH_DAY.match(text.strip()) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"invalid fiscal-year start {text!r} (expected MM-DD, e.g. \"10-01\")")
    month, day = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2001, month, day)  # not a leap year: 02-29 is refused
    except ValueError:
        raise ValueError(f"invalid fiscal-year start {text!r} (expected a real month and day "
                         f"MM-DD, not 02-29)") from None
    return month, day


class _FiscalYear(_Base):
    fiscal_year_start: str = "01-01"
    """Month and day the fiscal year starts (MM-DD), e.g. "10-01" for the US."""

    @field_validator("fiscal_year_start", mode="before")
    @classmethod
    def _md(cls, v):
        parse_month_day(v)
        return v


class Budget(_FiscalYear):
    """A payer's annual ceiling for this programme."""

    annual: Money | None
    """Ceiling per fiscal year (USD); null = no ceiling."""
    first_year: Money | None = None
    """Available in the fiscal year that contains the start date (default: ``annual`` pro
    rata to the part of that fiscal year left on the start date)."""


class Purchase(_Base):
    """Capacity a pooled fund can buy, one order at a time."""

    kind: Literal["beds", "units"]
    target: Id
    """Destination (beds) or fleet (units)."""
    amount: PositiveCount
    cost: Money
    """Capital cost of one order (USD)."""
    lag_days: Day
    """Build or procurement lag: the capacity is there ``lag_days`` after the order."""
    max_orders: PositiveCount | None = None


class Fund(_FiscalYear):
    """A pooled fund that buys capacity when the backlog passes a threshold."""

    contributions: RuleRef
    """Who pays into the fund (usually a pooled rule: key, un_scale, fixed)."""
    annual: Money | None = None
    """Pledged per fiscal year, ring-fenced from the payers' budgets (credited on the start
    date and on each fiscal-year start; unspent money carries over). null = no pledge: each
    order is a discretionary step of the contributors, checked against their budgets."""
    threshold: Count = 1
    """People held back by the constraint an item relieves (beds or units) that trigger it."""
    buy: list[Purchase] = Field(min_length=1)


class Policy(_Base):
    """One named burden-sharing policy."""

    description: str = ""
    rule: Label
    params: dict[str, Any] = Field(default_factory=dict)
    receiving: Id = "IRQ"
    """The receiving (host) state on the Iraqi side; ``share_iraq`` is its share."""
    budgets: dict[Id, Budget] = Field(default_factory=dict)
    """Annual ceilings by payer; payers not listed have no ceiling."""
    fund: Fund | None = None
    security: RuleRef | None = None
    """Rule sharing escort and guard personnel-days (default: the policy's rule)."""
    reference: RuleRef | None = None
    """Key the realised shares are compared with (default: the rule's own key, if any)."""

    @property
    def main(self) -> RuleRef:
        return RuleRef(rule=self.rule, params=self.params)
