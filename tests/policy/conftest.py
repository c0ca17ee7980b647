"""Shared helpers: the tiny test scenario with extra countries and policies."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from sim.scenario import scenario_from_dict

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny.yaml"
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"

INDICATORS = {
    "IRQ": {"population": 46.0e6, "gdp_usd": 250.0e9, "unemployment_rate": 0.155,
            "asylum_per_million": 100},
    "SYR": {"population": 23.0e6, "gdp_usd": 20.0e9, "unemployment_rate": 0.13,
            "asylum_per_million": 5},
    "USA": {"population": 335.0e6, "gdp_usd": 27.0e12, "unemployment_rate": 0.036,
            "asylum_per_million": 3600},
    "GBR": {"population": 68.0e6, "gdp_usd": 3.3e12, "unemployment_rate": 0.04,
            "asylum_per_million": 1000},
}


def tiny_data(**policies) -> dict:
    """tiny.yaml as a dict, with USA and GBR added and the given policies."""
    data = yaml.safe_load(TINY.read_text())
    data["countries"] = {c: {"name": c, "indicators": dict(v)} for c, v in INDICATORS.items()}
    data["sites"]["camp"]["population"] = {"IRQ": {"adult": 60, "child": 60},
                                          "SYR": {"adult": 40, "child": 20},
                                          "GBR": {"adult": 10, "child": 10}}
    data["controllers"]["SDF"]["backers"] = {"USA": 0.75, "GBR": 0.25}
    data["policies"] = copy.deepcopy(policies)
    return data


def tiny(**policies):
    return scenario_from_dict(tiny_data(**policies))


@pytest.fixture(scope="session")
def baseline():
    if not BASELINE.exists():
        pytest.skip("scenarios/baseline.yaml not written yet")
    from sim.scenario import load_scenario

    return load_scenario(BASELINE)
