"""Day-by-day schedules that follow from a scenario's dates: who controls each site, and
which sites and crossings are open. Computed once per scenario object (read-only arrays)."""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Scenario


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def controller_schedule(scn: Scenario) -> np.ndarray:
    """Controller index (in ``scn.controllers`` order) of each site on each day,
    ``[horizon + 1, sites]``: the site's controller periods and the timeline's control
    changes, the later start winning."""

    def make() -> np.ndarray:
        ctl_ids = list(scn.controllers)
        out = np.zeros((scn.metadata.horizon_days + 1, len(scn.sites)), dtype=np.int64)
        for s, (sid, site) in enumerate(scn.sites.items()):
            periods = [(scn.day(p.start), ctl_ids.index(p.controller)) for p in site.controller]
            periods += [(scn.day(ev.start), ctl_ids.index(ev.controller))
                        for ev in scn.conflict.timeline
                        if ev.kind == "control_change" and ev.site == sid]
            for start, c in sorted(periods):
                out[start:, s] = c
        return _frozen(out)

    return scn.derived("timeline:controllers", make)


def open_schedule(scn: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Whether each site and each crossing is open on each day (``[horizon + 1, sites]``,
    ``[horizon + 1, crossings]``): site closures and the timeline's closures."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        T = scn.metadata.horizon_days
        site_ids, crossing_ids = list(scn.sites), list(scn.crossings)
        sites = np.ones((T + 1, len(site_ids)), dtype=bool)
        crossings = np.ones((T + 1, len(crossing_ids)), dtype=bool)
        for s, sid in enumerate(site_ids):
            for c in scn.sites[sid].closures:
                sites[scn.day(c.start):scn.day(c.end), s] = False
        for ev in scn.conflict.timeline:
            if ev.kind == "site_closed":
                sites[scn.day(ev.start):scn.day(ev.end), site_ids.index(ev.site)] = False
            elif ev.kind == "crossing_closed":
                crossings[scn.day(ev.start):scn.day(ev.end),
                          crossing_ids.index(ev.crossing)] = False
        return _frozen(sites), _frozen(crossings)

    return scn.derived("timeline:open", make)
