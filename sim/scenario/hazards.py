"""The scenario's risk sections: the conflict (dated timeline, ceasefire/fighting process and
their effects) and escapes (hazards, mass breakouts, recapture)."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Interval
from pydantic import Field, field_validator, model_validator

from sim.scenario.base import (
    MAX_BREAKOUTS_PER_YEAR,
    MAX_CROWDING_EXPONENT,
    MAX_HAZARD_PER_DAY,
    MIN_SPELL_DAYS,
    Base,
    Count,
    DayOrDate,
    Id,
    Multiplier,
    Period,
    Probability,
    check_order,
)
from sim.scenario.distributions import Distribution
from sim.schema_words import Real

Hazard = Annotated[Real, Interval(ge=0, le=MAX_HAZARD_PER_DAY)]


# --------------------------------------------------------------------------- conflict
class Effects(Base):
    escape: Multiplier = 1.0
    travel_time: Multiplier = Field(default=1.0, gt=0)
    incident: Multiplier = 1.0
    crossing_quota: Multiplier = 1.0
    breakout: Multiplier = 1.0


class CeasefireProcess(Base):
    """Stochastic alternation of ceasefire and fighting spells."""

    initial: Literal["ceasefire", "fighting"] = "ceasefire"
    ceasefire_duration: Distribution
    fighting_duration: Distribution

    @field_validator("ceasefire_duration", "fighting_duration")
    @classmethod
    def _long_enough(cls, dist):
        median = float(dist.ppf(0.5))
        if not median >= MIN_SPELL_DAYS:
            raise ValueError(
                f"spells too short: half of them last {median:.3g} days or less (expected a "
                f"distribution with a median of at least {MIN_SPELL_DAYS:g} day: the conflict "
                f"state acts through daily steps, and ever shorter spells would switch it "
                f"without end)")
        return dist


class TimelineEvent(Base):
    """A dated event. ``kind`` says which fields apply:

    - control_change: site, controller
    - crossing_closed: crossing, end
    - site_closed: site, end
    - ceasefire / fighting: forces the conflict state until end
    - capacity_change: destination, beds
    - breakout: site, fraction (a deterministic mass escape)
    """

    kind: Literal[
        "control_change", "crossing_closed", "site_closed", "ceasefire", "fighting",
        "capacity_change", "breakout",
    ]
    start: DayOrDate
    end: DayOrDate | None = None
    site: Id | None = None
    crossing: Id | None = None
    destination: Id | None = None
    controller: Id | None = None
    beds: Count | None = None
    fraction: Probability | None = None
    note: str = ""

    @model_validator(mode="after")
    def _fields(self):
        need = {
            "control_change": ("site", "controller"),
            "crossing_closed": ("crossing", "end"),
            "site_closed": ("site", "end"),
            "ceasefire": ("end",),
            "fighting": ("end",),
            "capacity_change": ("destination", "beds"),
            "breakout": ("site", "fraction"),
        }[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"event kind '{self.kind}' needs {', '.join(missing)}")
        if self.end is not None and "end" not in need:
            raise ValueError(f"event kind '{self.kind}' happens on its start date and takes no "
                             f"end (expected end only for crossing_closed, site_closed, "
                             f"ceasefire and fighting)")
        if self.end is not None:
            check_order(self.start, self.end)
        return self


class Conflict(Base):
    timeline: list[TimelineEvent] = Field(default_factory=list)
    process: CeasefireProcess | None = None
    effects: dict[Literal["ceasefire", "fighting"], Effects] = Field(default_factory=dict)


# --------------------------------------------------------------------------- escapes
class MassBreakout(Base):
    rate_per_year: Annotated[Real, Interval(ge=0, le=MAX_BREAKOUTS_PER_YEAR)]
    """Expected breakouts per site-year in a ceasefire under the original custodian."""
    fraction: Distribution
    """Fraction of the site's people freed: a distribution on [0, 1] (beta, or fixed,
    uniform or triangular within [0, 1])."""

    @model_validator(mode="after")
    def _on_unit_interval(self):
        f = self.fraction
        top = {"fixed": "value", "uniform": "high", "triangular": "high"}.get(f.dist)
        if f.dist != "beta" and (top is None or getattr(f, top) > 1):
            raise ValueError("fraction must be a distribution on [0, 1] (expected beta, or "
                             "fixed, uniform or triangular with values up to 1)")
        return self


class Recapture(Base):
    probability: Probability
    delay_days: Period = 7
    """Days from the escape until the recaptured are back at their site, at least one: a
    day's escapes come after that day's returns (docs/model.md, the daily cycle)."""


class Escapes(Base):
    base_hazard_per_day: dict[Literal["prison", "camp"], Hazard]
    category_multiplier: dict[Id, Multiplier] = Field(default_factory=dict)
    crowding_exponent: Annotated[Real, Interval(ge=0, le=MAX_CROWDING_EXPONENT)] = 0.0
    """Hazard x (occupancy/capacity)^exponent when the site is over capacity."""
    mass_breakout: MassBreakout | None = None
    recapture: Recapture | None = None
