"""The daily record, written only on the days something changed.

Each recorded quantity is an array with one row per day, taken at the end of the day. A row
is written at the end of a day on which its quantity changed; when the run ends, every day
that was not written gets the value of the last written day before it (or the starting
value). So a long stretch in which nothing moves costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


class Recorder:
    def __init__(self, horizon: int, initial: dict[str, np.ndarray]):
        """``initial``: the value of each quantity before the first day (its shape and dtype
        give the row's)."""
        self.horizon = horizon
        self.initial = {k: np.array(v) for k, v in initial.items()}
        self.rows = {k: np.zeros((horizon, *v.shape), dtype=v.dtype)
                     for k, v in self.initial.items()}
        self.written = {k: np.zeros(horizon, dtype=bool) for k in self.initial}

    def write(self, day: int, name: str, value) -> None:
        self.rows[name][day] = value
        self.written[name][day] = True

    def write_all(self, day: int, names, read: Callable[[str], object]) -> None:
        for name in names:
            self.write(day, name, read(name))

    def finish(self) -> dict[str, np.ndarray]:
        """Every quantity for every day (rows not written carry the last written value)."""
        out = {}
        days = np.arange(self.horizon)
        for name, rows in self.rows.items():
            written = self.written[name]
            if written.all():
                out[name] = rows
                continue
            last = np.maximum.accumulate(np.where(written, days, -1))
            filled = rows[np.maximum(last, 0)]
            filled[last < 0] = self.initial[name]
            out[name] = filled
        return out
