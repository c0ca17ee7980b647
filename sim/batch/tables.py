"""The tables a worker keeps of one run, besides its KPIs: daily, trips, ledger, events,
payers (see :mod:`sim.store` for how they are stored).

The daily series is taken as numpy columns (:func:`daily_every`), not through pandas, so
that a batch keeping only KPIs and daily series never imports pandas in its workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sim.results import RunResult


def daily_every(res: RunResult, every: int) -> dict[str, np.ndarray]:
    """Every ``every``-th day of the daily table, and always the last day (its columns)."""
    import numpy as np

    from sim.results import daily_columns

    last = res.raw.plan.horizon - 1
    return daily_columns(res.raw, np.union1d(np.arange(0, last + 1, every), [last]))


def payer_days(res: RunResult) -> pd.DataFrame | None:
    """Cost (USD), personnel-days and people held back for funding whose transfer the payer
    did not approve (``held_for_funding``, 0 for payers without a budget ceiling; see
    :meth:`sim.policy.allocation.PayerLedger.held_for_funding`) per payer and day under the
    run's policy (long format); None for a run without a policy."""
    import numpy as np
    import pandas as pd

    payers = res.payers
    if payers is None:
        return None
    cost, staff = payers.by_day("cost"), payers.by_day("personnel_days")
    T, P = cost.shape
    days = np.repeat(np.arange(T), P)
    start = res.scenario.metadata.start_date
    return pd.DataFrame({
        "day": days, "date": pd.to_datetime(start) + pd.to_timedelta(days, unit="D"),
        "payer": np.tile(np.asarray(payers.payer_ids, dtype=object), T),
        "cost": cost.ravel(), "personnel_days": staff.ravel(),
        "held_for_funding": payers.held_for_funding().ravel()})


def run_tables(res: RunResult, every: int | None,
               keep: tuple[str, ...]) -> dict[str, pd.DataFrame | dict[str, np.ndarray]]:
    """The kept tables of one run: daily (numpy columns) when ``every`` is set, and the
    DataFrames of those in ``keep``."""
    out: dict[str, pd.DataFrame | dict[str, np.ndarray]] = {}
    if every:
        out["daily"] = daily_every(res, every)
    for name in keep:
        frame = payer_days(res) if name == "payers" else getattr(res, name)
        if frame is not None:
            out[name] = frame
    return out
