"""Fixtures shared by the figure and report tests: small stored results, made once."""

from __future__ import annotations

import pytest

import sim
from tests.plots import stored


@pytest.fixture(scope="session")
def batch_dir():
    return stored.batch_store()


@pytest.fixture(scope="session")
def run_dir():
    return stored.run_folder()


@pytest.fixture(scope="session")
def batch(batch_dir):
    return sim.open_results(batch_dir)


@pytest.fixture(scope="session")
def run_tables(run_dir):
    res = sim.open_results(run_dir)
    return {name: getattr(res, name) for name in ("kpis", "daily", "trips")}


@pytest.fixture(scope="session")
def replay():
    return sim.load_scenario(stored.REPLAY)


@pytest.fixture(scope="session")
def baseline():
    return sim.load_scenario(stored.BASELINE)
