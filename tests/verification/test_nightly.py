"""Nightly-size verification (`pytest -m nightly`, excluded from `make test`): every check at
size "full" (several times the replications), with a root seed that changes every day, so
that no tolerance is tuned to one seed. The 2,000-example invariant sweep is in
test_invariants_sweep.py."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.verification import checks as C

pytestmark = pytest.mark.nightly


@pytest.fixture(autouse=True)
def seed_of_the_day(monkeypatch):
    seed = int(dt.date.today().strftime("%Y%m%d"))
    monkeypatch.setattr(C.base, "ROOT_SEED", seed)
    return seed


@pytest.mark.parametrize("check_id", [c for c in C.CHECKS if c != "invariants"])
def test_check_passes_at_full_size(check_id, seed_of_the_day):
    result = C.run_check(check_id, "full")
    assert result.passed, f"seed {seed_of_the_day}: {result.measured}\n" + "\n".join(
        result.details)
