"""A run's ledger allocated to payers under a compiled policy.

Each ledger entry (day, category, location, nationality) is split among payers by the
policy's share matrix for its category, location and the location's controller that day.
Escort costs are allocated by the policy's rule, escort and guard personnel-days by its
security-sharing rule. The payer KPIs are declared in :mod:`sim.kpis.definitions`.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from sim.costs import ACTIVITY_OF, COST_CATEGORIES, PERSONNEL_KINDS, CostCategory
from sim.model.records import RawRun
from sim.policy.compiled import CompiledPolicy
from sim.policy.treasury import PolicyTreasury

if TYPE_CHECKING:
    import pandas as pd

_SECURITY = int(CostCategory.security)


class PayerLedger:
    """The run's costs and personnel-days allocated to payers (numpy; tables on demand)."""

    def __init__(self, compiled: CompiledPolicy, raw: RawRun, treasury: PolicyTreasury):
        self.cp = compiled
        self.raw = raw
        self.treasury = treasury
        self.payer_ids = compiled.payer_ids
        self._by_day: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ arrays
    def _parts(self) -> list[tuple]:
        """(kind, array [T, K', L, N], matrices [K', L, C+1, N, P], names, activities,
        amounts to take from the array's security category [T, L, N] or None)."""
        return self._part_list

    def _combos(self) -> list[tuple[int, int, np.ndarray, bool]]:
        """(place, controller, the days it controls the place [T], whether that is every
        day): the same for every run of the scenario under the policy."""
        cp = self.cp
        return cp.scenario.derived(f"allocation:combos:{cp.name}",
                                   lambda: list(_make_combos(cp.loc_ctrl)))

    @cached_property
    def _part_list(self) -> list[tuple]:
        return list(self._make_parts())

    def _make_parts(self):
        raw, cp, esc = self.raw, self.cp, self.raw.escort
        cats = list(COST_CATEGORIES)
        # guards' security costs: the security category less the escorts, allocated apart
        # (taken off where a place's amounts are read, not on a copy of the whole ledger)
        yield ("cost", raw.cost, cp.cost, cats, [ACTIVITY_OF[c] for c in cats], esc)
        yield ("cost", esc[:, None], cp.escort_cost[None], ["security"], ["transfer"], None)
        yield ("personnel_days", raw.personnel, cp.personnel, list(PERSONNEL_KINDS),
               [ACTIVITY_OF[k] for k in PERSONNEL_KINDS], None)

    def overrun(self) -> np.ndarray:
        """Spending above the ceiling, summed over fiscal years, per payer ([P]): what each
        payer with a ceiling paid in a fiscal year beyond its ceiling for that year."""
        out = np.zeros(len(self.payer_ids))
        daily = self.by_day("cost")  # [T, P]
        for p, cal in self.cp.calendars.items():
            spent = np.bincount(cal.index, weights=daily[:, p], minlength=cal.n_years)
            allow = np.full(cal.n_years, self.cp.budget[p])
            allow[0] = self.cp.budget_first[p]
            out[p] = np.maximum(spent - allow, 0.0).sum()
        return out

    @cached_property
    def totals(self) -> dict[str, np.ndarray]:
        """Total cost and personnel-days per payer: ``{"cost": [P], "personnel_days": [P]}``."""
        out = {"cost": np.zeros(len(self.payer_ids)),
               "personnel_days": np.zeros(len(self.payer_ids))}
        for kind, arr, mats, _names, _acts, minus in self._parts():
            # each (category, place, nationality) is summed over days on its own, in day
            # order: the sums over every day are taken for all places at once
            every = arr.sum(axis=0)  # [K', L, N]
            if minus is not None:
                every[_SECURITY] = (arr[:, _SECURITY] - minus).sum(axis=0)
            for loc, c, days, whole in self._combos():
                if whole:
                    x = every[:, loc]  # [K', N]
                else:
                    here = _on(arr, days, loc, whole)
                    x = here.sum(axis=0)
                    if minus is not None:
                        x[_SECURITY] = (here[:, _SECURITY]
                                        - _on(minus, days, loc, whole)).sum(axis=0)
                out[kind] += np.einsum("kn,knp->p", x, mats[:, loc, c])
        return out

    def by_day(self, measure: str = "cost") -> np.ndarray:
        """Daily amounts per payer ([T, P]) for ``cost`` or ``personnel_days`` (computed once
        per measure; read-only)."""
        kept = self._by_day.get(measure)
        if kept is None:
            kept = self._by_day[measure] = self._daily(measure)
            kept.flags.writeable = False
        return kept

    def _daily(self, measure: str) -> np.ndarray:
        T = self.raw.plan.horizon
        out = np.zeros((T, len(self.payer_ids)))
        for kind, arr, mats, _n, _a, minus in self._parts():
            if kind != measure:
                continue
            booked = _booked(arr).any(axis=-1)  # [K, L] amounts in a category at a place
            for loc, c, days, whole in self._combos():
                x = _on(arr, days, loc, whole)
                # categories with no amount there add exact zeros: leave them out (each
                # category's sum over nationalities is taken whole, so the result is the same)
                ks = np.flatnonzero(booked[:, loc] if whole else _booked(x).any(axis=-1))
                if ks.size:
                    x = x[:, ks]  # a copy
                    if minus is not None and _SECURITY in ks:
                        x[:, ks.tolist().index(_SECURITY)] -= _on(minus, days, loc, whole)
                    part = einsum_rows(x, mats[ks, loc, c])
                    if whole:
                        out += part
                    else:
                        out[days] += part
        return out

    def held_for_funding(self) -> np.ndarray:
        """People held back for funding whose transfer each payer did not approve, per day
        ([T, P], int; 0 for payers without a budget ceiling): the model's record
        (:func:`sim.model.boarding.held_by_payer`). A person several payers refused counts
        under each, so a day's row can add up to more than ``blocked:funding``."""
        raw = self.raw
        out = np.zeros((raw.plan.horizon, len(self.payer_ids)), dtype=np.int64)
        for b, pid in enumerate(raw.budgeted):
            out[:, self.payer_ids.index(pid)] = raw.held_for_funding[:, b]
        return out

    def frame(self) -> pd.DataFrame:
        """Tidy ledger with payers: one row per (entry, payer) with a positive share.

        Columns: day, date, category, activity, location, nationality, measure, payer,
        share (of the entry), amount (paid by the payer).
        """
        import pandas as pd

        cols: dict[str, list] = {k: [] for k in (
            "day", "category", "activity", "location", "nationality", "measure", "payer",
            "share", "amount")}
        locs = np.asarray(self.cp.location_ids, dtype=object)
        nats = np.asarray(self.payer_ids, dtype=object)
        for kind, arr, mats, names, acts, minus in self._parts():
            names_a, acts_a = np.asarray(names, dtype=object), np.asarray(acts, dtype=object)
            for loc, c, days, _whole in self._combos():
                day_idx = np.flatnonzero(days)
                x = arr[day_idx, :, loc, :]  # [t, K', N] (a copy)
                if minus is not None:
                    x[:, _SECURITY] -= minus[day_idx, loc]
                m = mats[:, loc, c]  # [K', N, P]
                t, k, n = np.nonzero(np.abs(x) > 1e-9)
                if not t.size:
                    continue
                share = m[k, n]  # [E, P]
                e, p = np.nonzero(share > 0)
                cols["day"].append(day_idx[t[e]])
                cols["category"].append(names_a[k[e]])
                cols["activity"].append(acts_a[k[e]])
                cols["location"].append(np.full(e.size, locs[loc], dtype=object))
                cols["nationality"].append(nats[n[e]])
                cols["measure"].append(np.full(e.size, kind, dtype=object))
                cols["payer"].append(nats[p])
                cols["share"].append(share[e, p])
                cols["amount"].append(x[t[e], k[e], n[e]] * share[e, p])
        data = {k: (np.concatenate(v) if v else np.array([])) for k, v in cols.items()}
        df = pd.DataFrame(data)
        df["day"] = df["day"].astype(np.int64)
        df = df.sort_values(["day", "measure", "category", "location", "nationality", "payer"],
                            kind="stable", ignore_index=True)
        start = pd.to_datetime(self.cp.scenario.metadata.start_date)
        df.insert(1, "date", start + pd.to_timedelta(df["day"].to_numpy(), unit="D"))
        return df


def _make_combos(ctrl: np.ndarray):
    for loc in range(ctrl.shape[1]):
        for c in np.unique(ctrl[:, loc]):
            days = ctrl[:, loc] == c
            days.flags.writeable = False
            yield loc, int(c), days, bool(days.all())


def _on(arr: np.ndarray, days: np.ndarray, loc: int, whole: bool) -> np.ndarray:
    """The amounts at place ``loc`` on ``days`` (``arr``: [T, ..., L, N]): a view when every
    day is selected (``whole``; no copy)."""
    return arr[..., loc, :] if whole else arr[days, ..., loc, :]


_MAGNITUDE = np.int64(0x7FFF_FFFF_FFFF_FFFF)  # every bit of a float64 but its sign


def _booked(arr: np.ndarray) -> np.ndarray:
    """Whether any day has an amount (``arr.any(axis=0)``: not 0.0 nor -0.0) in each cell of
    ``arr`` ([T, ...] float64): the bits of every day or-ed in one pass over the rows, the
    sign's left out."""
    bits = np.bitwise_or.reduce(arr.view(np.int64).reshape(arr.shape[0], -1), axis=0)
    return (bits & _MAGNITUDE).astype(bool).reshape(arr.shape[1:])


def einsum_rows(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``np.einsum("tkn,knp->tp", x, m)`` computed once per run of consecutive days with the
    same amounts (bit for bit: rows are compared as bits, and einsum gives each row the same
    bits whatever rows come with it, provided it sees rows laid out as ``x``'s and more than
    one of them when ``x`` has more than one)."""
    T = x.shape[0]
    new = np.ones(T, dtype=bool)  # a day whose amounts differ from the day before's
    bits = x.view(np.int64)
    new[1:] = np.logical_or.reduce(bits[1:] != bits[:-1], axis=1).any(axis=1)
    starts = np.flatnonzero(new)
    if starts.size == T:
        return np.einsum("tkn,knp->tp", x, m)
    rows = starts if starts.size > 1 else np.zeros(2, dtype=np.intp)
    sub = np.empty_like(x[:rows.size])  # x's memory layout
    sub[...] = x[rows]
    got = np.einsum("tkn,knp->tp", sub, m)[:starts.size]
    return np.repeat(got, np.diff(starts, append=T), axis=0)
