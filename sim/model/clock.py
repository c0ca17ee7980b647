"""The run's SimPy environment, whose clock can be moved to an instant without an event."""

from __future__ import annotations

import simpy


class Clock(simpy.Environment):
    """A :class:`simpy.Environment` with :meth:`advance`."""

    def advance(self, t: float) -> None:
        """Process the events due before ``t``, then set the clock to exactly ``t``.

        The same as ``run(until=t)`` (which schedules an urgent event at ``t`` and so stops
        before anything else due then), but without that event: moving the clock over a
        day on which nothing is scheduled processes no event at all. ``t`` must not be
        before the clock; no urgent event can be due at ``t`` (those are due at the instant
        they are created), so the order of the events is that of ``run(until=t)``."""
        queue = self._queue
        while queue and queue[0][0] < t:
            self.step()
        self._now = float(t)
