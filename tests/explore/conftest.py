"""Explore folders of the tiny scenario, run once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "explore"


@pytest.fixture(scope="session")
def lhs_folder(tmp_path_factory):
    import sim

    out = tmp_path_factory.mktemp("explore") / "lhs"
    sim.explore(DATA / "tiny_lhs.yaml", out, workers=0)
    return out


@pytest.fixture(scope="session")
def sobol_folder(tmp_path_factory):
    import sim

    out = tmp_path_factory.mktemp("explore") / "sobol"
    sim.explore(DATA / "tiny_sobol.yaml", out, workers=0)
    return out
