"""Who boards a trip, and why the others wait: the dispatcher's per-pair arithmetic.

:func:`select_load` picks a trip's passengers from the people a pair may carry;
:func:`diagnose_days` turns each pair's last blocking reason (:func:`pair_reasons`) into
the waiting reasons per group and the count held back by each constraint, for any number of
days at once; :func:`held_by_payer` says which budgeted payers did not approve the people
held back for funding.
"""

from __future__ import annotations

import numpy as np

from sim.model.reasons import BLOCK_REASONS
from sim.model.reception import split_count, split_nonzero

REASON_INDEX = {r: i for i, r in enumerate(BLOCK_REASONS)}
FUNDING = REASON_INDEX["funding"]


def select_load(people: np.ndarray, load: int, priority: np.ndarray,
                one_band: bool) -> np.ndarray:
    """Choose ``load`` of ``people`` ([G]): by disposition ``priority`` ([G], lowest
    first), proportionally within a priority (largest remainder)."""
    if one_band:
        return split_count(people, load)
    take = np.zeros_like(people)
    nz = np.flatnonzero(people)
    values, bands = people[nz].tolist(), priority[nz].tolist()
    left = load
    for p in sorted(set(bands)):
        mine = [j for j, b in enumerate(bands) if b == p]
        counts = [values[j] for j in mine]
        k = min(left, sum(counts))
        part = split_nonzero(counts, k)  # the band's share, as split_count gives it
        if part is None:  # ties shared with empty groups: the full band decides
            band = split_count(np.where(priority == p, people, 0), k)
            take += band
            left -= int(band.sum())
        else:
            take[nz[mine]] = part
            left -= sum(part)
        if left == 0:
            break
    return take


# None: never tried (nobody waited); "unknown": its units ran out, and the end-of-day
# diagnosis settles that reason for every pair people wait for, so one still unknown at a
# later day's start, with no other change since, has nobody waiting
_UNMOVED_BY_LOOSER = frozenset({None, "unknown", "done", "access", "route"})


def unmoved_by_more(pairs, last_reason: list, nobody_funded: list[int], closed: bool) -> bool:
    """Whether more people waiting for ``pairs`` (and nothing else changed since their last
    attempts) can change none of their attempts: each was held back by a reason that does
    not depend on how many wait (its site closed; its routes closed by fighting; Iraq's
    acceptance total used up; money, none of its groups approved, with at least as many
    waiting as any of its trips takes: its loads' needs were already full)."""
    return all(last_reason[i] in ("access", "route") or (last_reason[i] == "acceptance" and closed)
               or (last_reason[i] == "funding" and nobody_funded[i] == 2) for i in pairs)


def unmoved_by_looser(last_reason: list, nobody_funded: list[int], closed: bool) -> bool:
    """Whether fewer people waiting, freed beds or a new acceptance period (and nothing else
    since the last attempts, on an earlier day) can change no pair's attempt: every pair was
    last held back by a reason none of these lifts (nobody waits; its site closed; its
    routes closed by fighting; Iraq's acceptance total used up; money, none of its people
    approved). A smaller last load or more room never makes a constraint bind sooner (beds
    are freed only where people leave, so they never enter a last load), so each pair would
    be held back as before, for the same reason."""
    return all(r in _UNMOVED_BY_LOOSER or (r == "funding" and nf) or (r == "acceptance" and closed)
               for r, nf in zip(last_reason, nobody_funded))


def pair_reasons(last_reason: list, unfunded: list, final: list[bool], n_groups: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs' last blocking reasons as arrays: each pair's reason code ([P], -1 when it
    is not a blocking reason), the groups left off its last trip for money ([P, G]), and
    whether its hold cannot end ([P])."""
    code = np.array([REASON_INDEX.get(r, -1) if r is not None else -1 for r in last_reason],
                    dtype=np.int64)
    nobody = np.zeros(n_groups, dtype=bool)
    left = np.array([nobody if u is None else u for u in unfunded], dtype=bool).reshape(
        len(last_reason), n_groups)
    return code, left, np.array(final, dtype=bool)


def diagnose_days(waiting: np.ndarray, code: np.ndarray, left: np.ndarray, final: np.ndarray,
                  pair_site: np.ndarray, n_sites: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Why people wait on each of n days.

    ``waiting``: who waits for each pair on each day ([n, P, G]); each pair's reasons that
    day (:func:`pair_reasons`, one row per day): its last blocking reason (``code``, [n, P]),
    with ``funding`` for the groups ``left`` off its last trip ([n, P, G]); ``final``: pairs
    held back by a reason that cannot end ([n, P]). Return each day's reasons per group ([n,
    S, G] int8, -1 where nobody waits), people held back by each constraint ([n, R]), how
    many of them for a reason that cannot end ([n]) and how many wait in all ([n]). Every
    count is an integer sum, so the days are computed together."""
    n, _, G = waiting.shape
    reasons = np.full((n, n_sites, G), -1, dtype=np.int8)
    out = np.zeros((n, len(BLOCK_REASONS)), dtype=np.int64)
    totals = waiting.sum(axis=2)  # [n, P]
    counted = code >= 0
    here = (waiting > 0) & counted[:, :, None]
    left_off = left & here
    # the pairs of a site carry different groups: their cells never overlap
    d, p, g = np.nonzero(here)
    reasons[d, pair_site[p], g] = np.where(left_off[d, p, g], FUNDING, code[d, p])
    held = np.where(left_off | ~here, 0, waiting).sum(axis=2)  # [n, P]
    dd, pp = np.nonzero(counted)
    np.add.at(out, (dd, code[dd, pp]), held[dd, pp])
    out[:, FUNDING] += np.where(counted, totals, 0).sum(axis=1) - held.sum(axis=1)
    return reasons, out, np.where(final, held, 0).sum(axis=1), totals.sum(axis=1)


def held_by_payer_days(reasons: np.ndarray, stock: np.ndarray, approvals: np.ndarray | None,
                       of: np.ndarray | None = None) -> np.ndarray:
    """:func:`held_by_payer` of n days ([n, S, G] reasons and stocks; day i read approvals
    ``approvals[of[i]]``, [C, B, S, G]; ``of`` None: one [B, S, G] for every day): [n, B].
    Approvals are whole numbers of people or unlimited, so the sums are exact."""
    n = reasons.shape[0]
    if approvals is None:
        return np.zeros((n, 0), dtype=np.int64)
    if of is None:
        approvals, of = approvals[None], np.zeros(n, dtype=np.int64)
    d, s, g = np.nonzero(reasons == FUNDING)
    held = stock[d, s, g].astype(float)[:, None]  # [C, 1]
    refused = np.minimum(np.maximum(held - approvals[of[d], :, s, g], 0.0), held)  # [C, B]
    out = np.zeros((n, approvals.shape[1]))
    np.add.at(out, d, refused)
    return np.rint(out).astype(np.int64)


def held_by_payer(reasons: np.ndarray, stock: np.ndarray,
                  approvals: np.ndarray | None) -> np.ndarray:
    """People held back for funding whose transfer each budgeted payer did not approve ([B];
    empty without budgets).

    ``reasons``: the diagnosis ([S, G]), ``stock``: the people at the sites ([S, G]; in a
    group waiting for funding, all of them wait), ``approvals``: the people each budgeted
    payer still approves ([B, S, G], :meth:`sim.model.funding.Treasury.approvals`). Of the
    ``n`` people of a group held back for funding, a payer that still approves ``a`` of them
    did not approve ``min(n, max(n - a, 0))`` (none if the group costs it nothing). A person
    two payers refused counts under both, so the figures need not add up to the people held
    back for funding; each is at most that number.
    """
    return held_by_payer_days(reasons[None], stock[None], approvals)[0]
