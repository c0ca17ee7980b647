"""What every section of the scenario schema shares: frozen models that forbid unknown keys,
ids, and dates written as ISO dates or day numbers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, NonNegativeInt

DayOrDate = dt.date | NonNegativeInt
Id = str


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_order(start, end) -> None:
    """An end must come after its start (when both are dates or both day numbers)."""
    if type(start) is type(end) and end <= start:
        raise ValueError(f"end ({end}) must be after start ({start})")
