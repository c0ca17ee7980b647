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
        self._distinct: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # kept until a write

    def write(self, day: int, name: str, value) -> None:
        self.rows[name][day] = value
        self.written[name][day] = True
        self._distinct.pop(name, None)

    def write_days(self, days: np.ndarray, name: str, rows: np.ndarray) -> None:
        """Write ``rows`` (one per day of ``days``) of ``name``."""
        self.rows[name][days] = rows
        self.written[name][days] = True
        self._distinct.pop(name, None)

    def write_all(self, day: int, names, read: Callable[[str], object]) -> None:
        for name in names:
            self.write(day, name, read(name))

    def distinct(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``name``'s rows as (values, index): ``values[index]`` is every day's row. Values are
        the starting value followed by the rows written, in day order; ``index[d]`` is the
        position of day d's row (the last written on or before d), so work that goes row by
        row can be done once per written row and gathered (kept until ``name`` is written
        again: read-only)."""
        kept = self._distinct.get(name)
        if kept is None:
            written = self.written[name]
            values = np.concatenate([self.initial[name][None],
                                     self.rows[name][np.flatnonzero(written)]])
            index = np.cumsum(written)
            values.flags.writeable = index.flags.writeable = False
            kept = self._distinct[name] = (values, index)
        return kept

    def finish(self) -> dict[str, np.ndarray]:
        """Every quantity for every day (rows not written carry the last written value)."""
        out = {}
        for name, rows in self.rows.items():
            if self.written[name].all():
                out[name] = rows
                continue
            values, index = self.distinct(name)
            out[name] = values[index]
        return out
