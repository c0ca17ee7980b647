"""The payers' daily amounts computed once per run of equal days are those of the plain
computation over every day, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.policy.allocation import _SECURITY, einsum_rows


def _ledger(rng: np.random.Generator, T: int, K: int, L: int, N: int, kinds: int) -> np.ndarray:
    """A ledger [T, K, L, N] whose days repeat the previous day's amounts in runs, as holding
    costs do between movements; ``kinds`` distinct days, with zeros, signed zeros, and
    amounts of very different sizes."""
    rows = rng.standard_normal((kinds, K, L, N)) * 10.0 ** rng.integers(-3, 9, (kinds, K, L, N))
    rows[rng.random(rows.shape) < 0.4] = 0.0
    rows[rng.random(rows.shape) < 0.05] = -0.0
    which = np.cumsum(rng.random(T) < 0.2) % kinds  # runs of equal days
    return rows[which]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.integers(1, 8), st.integers(1, 5), st.integers(1, 3),
       st.integers(1, 7), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_einsum_per_run_of_equal_days_is_the_einsum_over_every_day(T, K, L, C, N, P, kinds,
                                                                   seed):
    rng = np.random.default_rng(seed)
    arr = _ledger(rng, T, K, L, N, kinds)
    mats = rng.random((K, L, C, N, P))
    mats[rng.random(mats.shape) < 0.3] = 0.0
    days = rng.random(T) < 0.7
    if not days.any():
        days[rng.integers(T)] = True
    ks = np.flatnonzero(rng.random(K) < 0.7)
    if not ks.size:
        ks = np.array([K - 1])
    loc, c = int(rng.integers(L)), int(rng.integers(C))
    m = mats[ks, loc, c]
    # the amounts as the allocation reads them: a place's categories on every day (from a
    # view) or on some days (from a copy), the escorts taken off the security category
    for x in (arr[..., loc, :][:, ks], arr[days, ..., loc, :][:, ks], arr[:1, ..., loc, :][:, ks],
              np.repeat(arr[:1, ..., loc, :], T, axis=0)[:, ks]):
        if _SECURITY in ks and x.shape[0] == T:
            x[:, ks.tolist().index(_SECURITY)] -= arr[:, 0, loc]
        got = einsum_rows(x, m)
        want = np.einsum("tkn,knp->tp", x, m)
        assert got.shape == want.shape and got.tobytes() == want.tobytes()


def _direct(led, measure: str) -> np.ndarray:
    """The payers' daily amounts by the plain computation: one einsum over every day a
    controller holds a place."""
    out = np.zeros((led.raw.plan.horizon, len(led.payer_ids)))
    for kind, arr, mats, _names, _acts, minus in led._parts():
        if kind != measure:
            continue
        for loc, c, days, _whole in led._combos():
            x = arr[days, ..., loc, :] if not days.all() else arr[..., loc, :]
            ks = np.flatnonzero(x.any(axis=(0, 2)))
            if ks.size:
                x = x[:, ks]
                if minus is not None and _SECURITY in ks:
                    x[:, ks.tolist().index(_SECURITY)] -= (minus[days, loc] if not days.all()
                                                          else minus[:, loc])
                out[days] += np.einsum("tkn,knp->tp", x, mats[ks, loc, c])
    return out


@pytest.mark.parametrize("replication", [0, 1])
def test_daily_amounts_of_every_policy_are_those_of_the_plain_computation(baseline,
                                                                          replication):
    partial = 0
    for policy in baseline.policies:
        led = sim.simulate(baseline, policy=policy, replication=replication).payers
        partial += sum(not whole for *_, whole in led._combos())
        for measure in ("cost", "personnel_days"):
            got = led.by_day(measure)
            assert got.any()
            assert got.tobytes() == _direct(led, measure).tobytes(), (policy, measure)
    assert partial  # places that change hands are covered
