"""The scenario's risk sections: the conflict (dated timeline, ceasefire/fighting process and
their effects) and escapes (hazards, mass breakouts, recapture)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, NonNegativeInt, model_validator

from sim.scenario.base import Base, DayOrDate, Id, check_order
from sim.scenario.distributions import Distribution


# --------------------------------------------------------------------------- conflict
class Effects(Base):
    escape: NonNegativeFloat = 1.0
    travel_time: NonNegativeFloat = Field(default=1.0, gt=0)
    incident: NonNegativeFloat = 1.0
    crossing_quota: NonNegativeFloat = 1.0
    breakout: NonNegativeFloat = 1.0


class CeasefireProcess(Base):
    """Stochastic alternation of ceasefire and fighting spells."""

    initial: Literal["ceasefire", "fighting"] = "ceasefire"
    ceasefire_duration: Distribution
    fighting_duration: Distribution


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
    beds: NonNegativeInt | None = None
    fraction: float | None = Field(default=None, ge=0, le=1)
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
    rate_per_year: NonNegativeFloat
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
    probability: float = Field(ge=0, le=1)
    delay_days: NonNegativeInt = 7


class Escapes(Base):
    base_hazard_per_day: dict[Literal["prison", "camp"], NonNegativeFloat]
    category_multiplier: dict[Id, NonNegativeFloat] = Field(default_factory=dict)
    crowding_exponent: NonNegativeFloat = 0.0
    """Hazard x (occupancy/capacity)^exponent when the site is over capacity."""
    mass_breakout: MassBreakout | None = None
    recapture: Recapture | None = None
