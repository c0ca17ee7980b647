"""What the parts of the world share: stocks, people in transit, units, the day's crossing use
and Iraq's acceptance, with the day-indexed schedules they are read against.

``version`` counts every change a dispatch attempt can see (people at a site, beds, units,
crossing use, acceptance, approvals): the world asks the dispatcher to plan again only when
it has moved, or when a day brings a change of its own (a disposition starts, a site or
crossing opens or closes, an acceptance period begins).
"""

from __future__ import annotations

import numpy as np

from sim.model.plan import Plan
from sim.scenario.timeline import controller_schedule, open_schedule


class State:
    def __init__(self, plan: Plan):
        scn = plan.scenario
        T = plan.horizon
        S, G = plan.initial_stock.shape
        self.plan = plan
        self.stock = plan.initial_stock.copy()  # [S, G] people at each site
        self.in_transit = np.zeros(G, dtype=np.int64)
        self.released = np.zeros(G, dtype=np.int64)
        self.repatriated = np.zeros(G, dtype=np.int64)
        self.units_free = np.array([scn.fleets[f].units for f in plan.fleet_ids],
                                   dtype=np.int64)
        self.units_total = self.units_free.copy()
        self.crossing_base = np.array([scn.crossings[c].daily_throughput
                                       for c in plan.crossing_ids], dtype=np.int64)
        self._crossing_base = self.crossing_base.tolist()  # the same, as Python ints
        self.crossing_used = np.zeros(len(plan.crossing_ids), dtype=np.int64)
        self.crossing_day = -1  # the day crossing_used counts
        self.crossing_counted = False  # crossing_used counts someone
        self.total = scn.acceptance.total
        self.accepted_total = 0
        self.accepted_period: dict[tuple[int, int], int] = {}
        self.caps = [(scn.day(c.start), scn.day(c.end) if c.end is not None else T + 1,
                      c.period_days, c.max_people) for c in scn.acceptance.caps]
        self.version = 0
        self.looser_version = 0  # counts changes that only took people away or freed beds
        self._acceptance: tuple = (None, 0)  # ((day, version), acceptance_left(day))
        # schedules (days 0..T)
        self.controllers = controller_schedule(scn)  # [T + 1, S]
        self.site_open, self.crossing_open = open_schedule(scn)
        mult = np.array([scn.controllers[c].escape_multiplier for c in plan.controller_ids])
        self.controller_mult = mult[self.controllers]  # [T + 1, S]
        self.site_hazard = plan.base_hazard.max(axis=1)  # [S]

    # ------------------------------------------------------------------ queries
    def site_risk(self, day: int) -> np.ndarray:
        """Per-site daily escape hazard per person on ``day`` (used to order dispatch)."""
        return self.site_hazard * self.controller_mult[min(day, self.plan.horizon)]

    def site_accessible(self, s: int, day: int) -> bool:
        return bool(self.site_open[min(day, self.plan.horizon), s])

    def open_today(self, day: int) -> tuple[list[bool], list[bool]]:
        """Whether each site and each crossing is open on ``day``."""
        row = min(day, self.plan.horizon)
        return self.site_open[row].tolist(), self.crossing_open[row].tolist()

    def crossing_left(self, c: int, day: int, quota_mult: float,
                      open_today: list[bool] | None = None) -> int:
        """The quota of crossing ``c`` left on ``day`` (``open_today``: its row of
        :meth:`open_today`, if at hand)."""
        is_open = (open_today[c] if open_today is not None
                   else self.crossing_open[min(day, self.plan.horizon), c])
        if not is_open:
            return 0
        quota = int(self._crossing_base[c] * quota_mult)
        used = int(self.crossing_used[c]) if self.crossing_day == day else 0
        return max(quota - used, 0)

    def use_crossing(self, c: int, day: int, n: int) -> None:
        if self.crossing_day != day:
            self.crossing_used[:] = 0
            self.crossing_day, self.crossing_counted = day, False
        self.crossing_used[c] += n
        self.crossing_counted = self.crossing_counted or n != 0
        self.version += 1

    def acceptance_left(self, day: int) -> int:
        if self._acceptance[0] == (day, self.version):  # nobody accepted since
            return self._acceptance[1]
        room = self._acceptance_left(day)
        self._acceptance = ((day, self.version), room)
        return room

    def _acceptance_left(self, day: int) -> int:
        room = self.total_left()
        for i, (start, end, period_days, max_people) in enumerate(self.caps):
            if start <= day < end:
                used = self.accepted_period.get((i, (day - start) // period_days), 0)
                room = min(room, max_people - used)
        return max(room, 0)

    def total_left(self) -> int:
        """People Iraq may still receive in all (its acceptance total less those accepted)."""
        return self.total - self.accepted_total if self.total is not None else 1 << 40

    def accept(self, day: int, n: int) -> None:
        self.accepted_total += n
        for i, (start, end, period_days, _) in enumerate(self.caps):
            if start <= day < end:
                key = (i, (day - start) // period_days)
                self.accepted_period[key] = self.accepted_period.get(key, 0) + n
        self.version += 1

    def cap_room_days(self) -> set[int]:
        """Days on which an acceptance cap only gives more room: a new period begins (its
        count starts again from zero) or the cap ends."""
        out: set[int] = set()
        T = self.plan.horizon
        for start, end, period_days, _ in self.caps:
            out.update(range(start + period_days, min(end, T), period_days))
            out.add(min(end, T))
        return out

    def cap_period_starts(self) -> set[int]:
        """Days on which an acceptance cap starts, ends or begins a new period."""
        out: set[int] = set()
        T = self.plan.horizon
        for start, end, period_days, _ in self.caps:
            out.update(range(start, min(end, T), period_days))
            out.add(min(end, T))
        return out
