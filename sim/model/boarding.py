"""Who boards a trip, and why the others wait: the dispatcher's per-pair arithmetic.

:func:`select_load` picks a trip's passengers from the people a pair may carry;
:func:`diagnose_pairs` turns each pair's last blocking reason into the day's waiting
reasons per group and the count held back by each constraint; :func:`held_by_payer` says
which budgeted payers did not approve the people held back for funding.
"""

from __future__ import annotations

import numpy as np

from sim.model.reasons import BLOCK_REASONS
from sim.model.reception import split_count

REASON_INDEX = {r: i for i, r in enumerate(BLOCK_REASONS)}
FUNDING = REASON_INDEX["funding"]


def select_load(people: np.ndarray, load: int, priority: np.ndarray,
                one_band: bool) -> np.ndarray:
    """Choose ``load`` of ``people`` ([G]): by disposition ``priority`` ([G], lowest
    first), proportionally within a priority (largest remainder)."""
    if one_band:
        return split_count(people, load)
    take = np.zeros_like(people)
    left = load
    for p in np.unique(priority[people > 0]):
        band = np.where((priority == p), people, 0)
        part = split_count(band, min(left, int(band.sum())))
        take += part
        left -= int(part.sum())
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


def diagnosis_inputs(waiting: np.ndarray, last_reason: list, unfunded: list,
                     final: list[bool], approvals: np.ndarray | None = None) -> tuple:
    """Everything :func:`diagnose_pairs` and :func:`held_by_payer` read (after the
    dispatcher settled the reasons left open): equal inputs give an equal diagnosis."""
    return (waiting.tobytes(), tuple(last_reason), tuple(final),
            tuple(None if u is None else u.tobytes() for u in unfunded),
            None if approvals is None else approvals.tobytes())


def diagnose_pairs(waiting: np.ndarray, last_reason: list, unfunded: list,
                   final: list[bool], pair_site: np.ndarray,
                   reasons: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Fill ``reasons`` ([S, G], -1 where nobody waits) from each pair's last blocking
    reason (``funding`` for the groups ``unfunded`` left off its last trip); ``waiting``:
    who waits for each pair ([P, G]), ``final``: pairs held back by a reason that cannot
    end. Return people held back by each constraint, how many of them for a reason that
    cannot end, and how many wait in all."""
    out = np.zeros(len(BLOCK_REASONS), dtype=np.int64)
    totals = waiting.sum(axis=1)
    rows = [i for i in np.flatnonzero(totals).tolist() if last_reason[i] in REASON_INDEX]
    if not rows:
        return out, 0, int(totals.sum())
    # the pairs of a site carry different groups: their cells never overlap
    codes = [REASON_INDEX[last_reason[i]] for i in rows]
    if all(c == FUNDING for c in codes) and not any(final[i] for i in rows):
        # all held back for money: every waiting cell is, and nobody for good
        v, g = np.nonzero(waiting[rows])
        reasons[pair_site[rows][v], g] = FUNDING
        out[FUNDING] = int(totals[rows].sum())
        return out, 0, int(totals.sum())
    code = np.array(codes, dtype=np.int64)
    held_in = waiting[rows]  # [V, G]
    here = held_in > 0
    nobody = np.zeros(here.shape[1], dtype=bool)
    left_off = np.array([nobody if unfunded[i] is None else unfunded[i] for i in rows]) & here
    cells = np.where(left_off, FUNDING, code[:, None])
    v, g = np.nonzero(here)
    reasons[pair_site[rows][v], g] = cells[v, g]
    held = np.where(left_off, 0, held_in).sum(axis=1)
    np.add.at(out, code, held)
    out[FUNDING] += int(totals[rows].sum()) - int(held.sum())
    stuck = int(held[[final[i] for i in rows]].sum())
    return out, stuck, int(totals.sum())


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
    if approvals is None:
        return np.zeros(0, dtype=np.int64)
    cells = reasons == FUNDING
    if not cells.any():
        return np.zeros(approvals.shape[0], dtype=np.int64)
    held = stock[cells].astype(float)  # [C]
    refused = np.minimum(np.maximum(held - approvals[:, cells], 0.0), held)  # [B, C]
    return np.rint(refused.sum(axis=1)).astype(np.int64)
