"""What every section of the scenario schema shares: frozen models that forbid unknown keys,
ids, dates written as ISO dates or day numbers, and the bounds of every number.

Each bound has a reason (docs/scenario-format.md, "Bounds"): counts must fit the model's
64-bit integer arithmetic with room for sums over sites, groups and days; money, rates and
multipliers must keep every product finite; durations must end within the horizon's scale.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Interval
from pydantic import AllowInfNan, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from sim.schema_words import MAX_WEIGHT, PlainName, real_number, whole_number

MAX_DAYS = 3650
"""Longest horizon (ten years), and so the largest day number, period, lag or delay."""
MAX_COUNT = 10**9
"""Largest count (people, beds, seats, units ...). Counts are 64-bit integers summed over
sites, groups and up to 3650 days: 10^9 x 3650 stays below 2^53, where floats (costs,
shares) still count every person exactly."""
MAX_TRIPS = 10**6
"""Most trips a run may need (see :func:`sim.scenario.checks.most_trips`): the model
simulates and records every trip (about 0.2 ms and 1.5 kB each), so a run stays within
minutes and about a GB. The shipped scenarios need at most about 10,000."""
MAX_MONEY = 1e13
"""Largest amount of money (USD) in one field: about a tenth of the world's yearly GDP. Costs
multiply it by at most 10^9 people and 3650 days, far below the float range."""
MAX_MULTIPLIER = 1000.0
"""Largest multiplier of a hazard, a travel time or a quota (x1000 already turns an hour
into six weeks)."""
MAX_HAZARD_PER_DAY = 1.0
"""Largest base escape hazard per person-day (1/day frees 63% of a site each day)."""
MAX_BREAKOUTS_PER_YEAR = 365.0
"""Largest mass-breakout rate per site-year (one a day on average)."""
MAX_CROWDING_EXPONENT = 10.0
"""Largest crowding exponent (a site twice over capacity is then 1024 times riskier)."""
MAX_DURATION_DAYS = 36_500.0
"""Largest parameter of a distribution (days, or a beta shape): 100 years, ten times the
longest horizon; longer waits change nothing within a run."""
MAX_SPREAD = 1000.0
"""Largest sd/mean of a lognormal or gamma distribution, and for a gamma the smallest is
1/1000: beyond, almost all draws are 0 (or all equal the mean) and the numbers lose
precision."""
MIN_SPELL_DAYS = 1.0
"""Smallest median of a ceasefire or fighting spell: the conflict state acts through daily
steps (the day's escape hazard and crossing quota), so shorter spells mean nothing, and
spells with a vanishing median would switch the state without end."""
MAX_PRIORITY = 10**6
"""Largest disposition priority (either sign): an ordering key, held in 64-bit integers."""
MAX_SEED = 2**63 - 1
"""Largest root seed: the results store keeps seeds as 64-bit integers."""
MAX_REPLICATIONS = 100_000
"""Most replications of one scenario and policy (the Monte Carlo error at 10^5 replications
is 0.3% of the spread of a KPI; a batch plans every run before it starts)."""
MAX_KM = 40_075.0
"""Longest route (km): the Earth's circumference at the equator."""
LAST_START_DATE = dt.date(9989, 12, 31)
"""Latest start date: start_date plus the longest horizon must be a date the calendar holds."""

_WHOLE = BeforeValidator(whole_number)
_REAL = BeforeValidator(real_number)
_FINITE = AllowInfNan(False)

Count = Annotated[int, _WHOLE, Interval(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, _WHOLE, Interval(gt=0, le=MAX_COUNT)]
Day = Annotated[int, _WHOLE, Interval(ge=0, le=MAX_DAYS)]
"""A day number (0 = start_date), a lag or a delay in days."""
Period = Annotated[int, _WHOLE, Interval(gt=0, le=MAX_DAYS)]
"""A number of days, at least 1."""
PositiveDays = Annotated[float, _REAL, _FINITE, Interval(gt=0, le=MAX_DAYS)]
"""A length of time in days, more than zero (fractions allowed)."""
Priority = Annotated[int, _WHOLE, Interval(ge=-MAX_PRIORITY, le=MAX_PRIORITY)]
Seed = Annotated[int, _WHOLE, Interval(ge=0, le=MAX_SEED)]
Replications = Annotated[int, _WHOLE, Interval(gt=0, le=MAX_REPLICATIONS)]
Money = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=MAX_MONEY)]
Rate = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=MAX_COUNT)]
"""People per day (a release rate)."""
Multiplier = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=MAX_MULTIPLIER)]
Probability = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=1)]
Share = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=1)]
"""A share of a whole (backers' weights sum to 1)."""
Indicator = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=MAX_WEIGHT)]
"""A country's indicator (population, GDP in USD, a rate)."""
Distance = Annotated[float, _REAL, _FINITE, Interval(ge=0, le=MAX_KM)]
Latitude = Annotated[float, _REAL, _FINITE, Interval(ge=-90, le=90)]
Longitude = Annotated[float, _REAL, _FINITE, Interval(ge=-180, le=180)]


def _date_input(value):
    """Dates are written YYYY-MM-DD (or given as dates), never as numbers (which pydantic
    would read as seconds since 1970)."""
    if isinstance(value, (int, float)):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_input)]
StartDate = Annotated[dt.date, BeforeValidator(_date_input), Interval(le=LAST_START_DATE)]

DayOrDate = Date | Day
Id = PlainName
"""An id: a key of a section or a reference to one."""


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def check_order(start, end) -> None:
    """An end must come after its start (when both are dates or both day numbers)."""
    if type(start) is type(end) and end <= start:
        raise ValueError(f"end ({end}) must be after start ({start})")
