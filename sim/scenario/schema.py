"""The scenario schema: pydantic v2 models for every section of a scenario YAML file.

Models are frozen (immutable) and forbid unknown keys. Dates may be written as ISO dates
(``2026-01-21``) or as day offsets from ``metadata.start_date`` (integers); they are turned
into day numbers by :meth:`Scenario.day`. Cross-references between sections are checked in
:func:`sim.scenario.checks.check_references` (so that every problem is reported at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import AliasChoices, Field, PrivateAttr, model_validator

from sim.scenario.base import (
    Base,
    Count,
    Date,
    DayOrDate,
    Distance,
    Id,
    Indicator,
    Latitude,
    Longitude,
    Money,
    Multiplier,
    Period,
    PositiveCount,
    PositiveDays,
    Priority,
    Probability,
    Rate,
    Replications,
    Seed,
    Share,
    StartDate,
    check_order,
)
from sim.scenario.distributions import Distribution
from sim.scenario.draws import ParameterDraw
from sim.scenario.hazards import Conflict, Escapes
from sim.scenario.policies import Policy
from sim.scenario.uncertainties import Uncertainties
from sim.schema_words import Label, Line

T = TypeVar("T")

# --------------------------------------------------------------------------- metadata
class Metadata(Base):
    name: Label
    description: str = ""
    start_date: StartDate
    horizon_days: Period
    seed: Seed = 0
    replications: Replications = 10


# --------------------------------------------------------------------------- people
class Category(Base):
    """A population category (e.g. fighter, woman, child)."""

    label: Line = ""
    security_level: Literal["high", "medium", "low"]
    upkeep_per_day: Money = 0.0
    """Food and basic needs per person-day (USD), wherever the person is held."""
    guards_per_100: Multiplier = 0.0
    """Guards on duty per 100 people held (personnel-days, the security burden)."""


class Country(Base):
    name: Label
    indicators: dict[Id, Indicator] = Field(default_factory=dict)
    """E.g. population, gdp_usd, unemployment_rate, asylum_per_million."""


class Controller(Base):
    """An authority that can hold a site (SDF, Syrian government, contested ...)."""

    name: Label
    country: Id | None = None
    backers: dict[Id, Share] = Field(default_factory=dict)
    """Declared backers and their weights (a payer rule may bill them)."""
    escape_multiplier: Multiplier = 1.0


class ControlPeriod(Base):
    start: DayOrDate
    controller: Id


class AccessClosure(Base):
    """A period when no one can be taken out of a site."""

    start: DayOrDate
    end: DayOrDate

    @model_validator(mode="after")
    def _order(self):
        check_order(self.start, self.end)
        return self


class Site(Base):
    """An origin site in Syria (prison or camp)."""

    name: Label
    kind: Literal["prison", "camp"]
    lat: Latitude
    lon: Longitude
    capacity: PositiveCount
    population: dict[Id, dict[Id, Count]]
    """Initial stock: nationality -> category -> people."""
    controller: list[ControlPeriod] = Field(min_length=1)
    closures: list[AccessClosure] = Field(default_factory=list)
    cost_per_person_day: Money = 0.0
    """Custody cost beyond upkeep (guards' stipends, running costs), USD."""


class Destination(Base):
    """A reception facility in Iraq."""

    name: Label
    kind: Literal["prison", "rehabilitation"]
    lat: Latitude
    lon: Longitude
    beds: Count
    intake_per_day: PositiveCount
    """Screening throughput (people per day)."""
    stay: Distribution | None = None
    """Days from screening to discharge; null = held beyond the horizon (prison)."""
    cost_per_person_day: Money = 0.0
    screening_cost_per_person: Money = 0.0


# --------------------------------------------------------------------------- movement
Selector = list[Id] | Literal["*"]


class Disposition(Base):
    """Where a group goes. The first rule that matches a (site, nationality, category) wins."""

    sites: Selector = "*"
    nationalities: Selector = "*"
    categories: Selector = "*"
    action: Literal["transfer", "release", "repatriate", "stay"]
    destination: Id | None = None
    start: DayOrDate = 0
    priority: Priority = 0
    """Lower goes first; ties are broken by the site's escape risk."""
    rate_per_day: Rate | None = None
    """For ``release``: people released per day under this rule (all sites together)."""

    @model_validator(mode="after")
    def _destination(self):
        if self.action == "transfer" and not self.destination:
            raise ValueError("action 'transfer' needs a destination")
        if self.action != "transfer" and self.destination:
            raise ValueError(f"action '{self.action}' takes no destination")
        if self.action == "release" and self.rate_per_day is None:
            raise ValueError("action 'release' needs rate_per_day")
        return self


class Fleet(Base):
    mode: Literal["road", "air"]
    units: Count
    seats: PositiveCount
    escorts_per_trip: dict[Literal["high", "medium", "low"], Count] = Field(
        default_factory=dict
    )
    """Escort personnel per trip by the highest security level on board."""
    load_time: Distribution
    turnaround: Distribution
    cost_per_trip: Money = 0.0
    cost_per_km: Money = 0.0
    incident_probability: Probability = 0.0
    incident_delay: Distribution | None = None
    min_load: PositiveCount = 1
    """A trip leaves only with at least this many people (or all who are left)."""


class Route(Base):
    origin: Id
    destination: Id
    fleet: Id
    via: Id | None = None
    """Border crossing used (null for flights)."""
    distance_km: Distance
    travel_time: Distribution
    """One-way travel time in days."""
    closed_when_fighting: bool = False


class Crossing(Base):
    name: Label
    lat: Latitude
    lon: Longitude
    daily_throughput: Count


class Repatriation(Base):
    """A third country's programme: batches taken from the sites at a fixed interval."""

    country: Id
    start: DayOrDate
    every_days: Period
    batch_size: PositiveCount
    end: DayOrDate | None = None
    cost_per_person: Money = 0.0


class AcceptanceCap(Base):
    """Political cap on people received by Iraq per period, from ``start``."""

    start: DayOrDate = 0
    end: DayOrDate | None = None
    period_days: Period
    max_people: Count


class DispatchRules(Base):
    """How the dispatcher orders the transfer pairs that wait."""

    ageing_days: PositiveDays | None = None
    """Waiting raises priority: a pair's priority improves by one level for every
    ``ageing_days`` it has waited since its last departure (or since its transfer started),
    so a low-priority pair is served in the end. null = no ageing."""


class Acceptance(Base):
    total: Count | None = None
    caps: list[AcceptanceCap] = Field(default_factory=list)


# --------------------------------------------------------------------------- costs, policies
class Costs(Base):
    currency: Label = "USD"
    escort_cost_per_person_day: Money = 0.0
    guard_cost_per_person_day: Money = 0.0


class Observation(Base):
    """A count observed at the time, as it was reported: for comparing the model with
    reality and for calibration (a modelled value anywhere inside the reported window and
    range is a match)."""

    date: Date
    """Date of the report (the last day of its window)."""
    date_from: Date | None = None
    """First day of a reported window ("reported 3-6 Feb"); null = the date alone."""
    transferred: Count = Field(validation_alias=AliasChoices("transferred", "value"))
    """The reported count (may be written ``value``: people moved, or at a site)."""
    low: Count | None = None
    high: Count | None = None
    """A reported range of the count (both, around the count)."""
    uncertainty: float | None = None
    """A stated relative uncertainty ("~500": 0.1 for +-10%), instead of low and high."""
    source: Line
    measure: Literal["departed", "arrived", "at_site"] = "departed"
    """What the count is: people who had left for Iraq by the end of that day (``departed``,
    the usual meaning of "moved" in reports), who had arrived there (``arrived``), or people
    held at ``site`` (``at_site``)."""
    who: Literal["all", "detainees"] = "all"
    """Whom the count covers: everyone, or detainees only (people taken out of prisons)."""
    site: Id | None = None
    """The site of an ``at_site`` count."""

    @model_validator(mode="after")
    def _reported(self):
        if self.uncertainty is not None and not 0 < self.uncertainty < 1:
            raise ValueError(f"uncertainty {self.uncertainty} is not a fraction between 0 "
                             f"and 1 (expected e.g. 0.1 for +-10%)")
        if self.date_from is not None and self.date_from > self.date:
            raise ValueError(f"date_from ({self.date_from}) must not be after date "
                             f"({self.date})")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high (the reported range), or neither")
        if self.low is not None and self.uncertainty is not None:
            raise ValueError("give either low and high or uncertainty, not both")
        if self.low is not None and not self.low <= self.transferred <= self.high:
            raise ValueError(f"the count ({self.transferred}) must lie between low "
                             f"({self.low}) and high ({self.high})")
        if (self.measure == "at_site") != (self.site is not None):
            raise ValueError("measure at_site needs a site, and only at_site takes one")
        if self.measure == "at_site" and self.who != "all":
            raise ValueError("an at_site count covers everyone at the site (expected who: all)")
        return self

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        """First and last day of the reported window."""
        return (self.date_from or self.date, self.date)

    @property
    def bounds(self) -> tuple[float, float]:
        """The reported range of the count (the count itself when none is stated)."""
        if self.low is not None:
            return (float(self.low), float(self.high))
        if self.uncertainty is not None:
            return (self.transferred * (1 - self.uncertainty),
                    self.transferred * (1 + self.uncertainty))
        return (float(self.transferred), float(self.transferred))


class Scenario(Base):
    """A whole scenario (after ``extends:`` has been merged)."""

    metadata: Metadata
    categories: dict[Id, Category] = Field(min_length=1)
    countries: dict[Id, Country] = Field(min_length=1)
    controllers: dict[Id, Controller] = Field(min_length=1)
    sites: dict[Id, Site] = Field(min_length=1)
    destinations: dict[Id, Destination] = Field(min_length=1)
    dispositions: list[Disposition] = Field(min_length=1)
    fleets: dict[Id, Fleet] = Field(min_length=1)
    routes: list[Route] = Field(default_factory=list)
    crossings: dict[Id, Crossing] = Field(default_factory=dict)
    repatriation: list[Repatriation] = Field(default_factory=list)
    acceptance: Acceptance = Field(default_factory=Acceptance)
    dispatch: DispatchRules = Field(default_factory=DispatchRules)
    conflict: Conflict = Field(default_factory=Conflict)
    escapes: Escapes
    costs: Costs = Field(default_factory=Costs)
    policies: dict[Id, Policy] = Field(default_factory=dict)
    """Burden-sharing policies (see :mod:`sim.scenario.policies`)."""
    observed: list[Observation] = Field(default_factory=list)
    uncertainties: Uncertainties | None = None
    """Plausible ranges of inputs (see :mod:`sim.scenario.uncertainties`)."""
    parameters: ParameterDraw | None = None
    """Draw the uncertain inputs in every replication (see :mod:`sim.scenario.draws`)."""
    _derived: dict[str, Any] = PrivateAttr(default_factory=dict)

    # ---------------------------------------------------------------- helpers
    def derived(self, key: str, make: Callable[[], T]) -> T:
        """A value computed once from this (immutable) scenario and kept with it, e.g. its
        compiled plan or a compiled policy; ``make()`` computes it on first use."""
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = make()
            return value

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()  # derived values are recomputed where they are used
        return {**state, "__pydantic_private__": {"_derived": {}}}

    def day(self, when: DayOrDate | None) -> int | None:
        """Day number (from start_date) of a date or day offset."""
        if when is None:
            return None
        if isinstance(when, dt.date):
            return (when - self.metadata.start_date).days
        return int(when)

    def date_of(self, day: float) -> dt.date:
        return self.metadata.start_date + dt.timedelta(days=int(day))

    @property
    def nationalities(self) -> list[Id]:
        """Nationalities present in any site, in first-seen order."""
        seen: dict[Id, None] = {}
        for site in self.sites.values():
            for nat in site.population:
                seen.setdefault(nat, None)
        return list(seen)

    @property
    def total_population(self) -> int:
        return sum(
            n for s in self.sites.values() for cats in s.population.values() for n in cats.values()
        )
