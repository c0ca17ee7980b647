"""Regret, satisficing, ranking; PRIM boxes; the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.exploration.discovery import prim_box
from sim.exploration.robustness import ranking, ranking_lines, regret, robustness
from sim.exploration.spec import DiscoverySpec, Threshold


def _outcomes():
    # three futures, two policies; hand-checkable numbers
    return pd.DataFrame({
        "scenario": "s", "row": [0, 1, 2, 0, 1, 2], "policy": ["a"] * 3 + ["b"] * 3,
        "transferred": [10.0, 20.0, 30.0, 12.0, 18.0, 30.0],   # higher is better
        "escaped": [5.0, 1.0, np.nan, 3.0, 2.0, 1.0]})          # lower is better


def test_regret_against_the_best_policy_in_the_same_future():
    values = pd.DataFrame({"a": [10.0, 20.0], "b": [12.0, 18.0]})
    assert regret(values, "higher").to_numpy().tolist() == [[2.0, 0.0], [0.0, 2.0]]
    assert regret(values, "lower").to_numpy().tolist() == [[0.0, 2.0], [2.0, 0.0]]


def test_robustness_statistics_by_hand():
    rob = robustness(_outcomes(), ["transferred", "escaped"],
                     {"escaped": Threshold(max=2)}, ["a", "b"]).set_index(["policy", "kpi"])
    a = rob.loc[("a", "transferred")]
    assert a["mean"] == 20 and a["regret_max"] == 2 and a["regret_mean"] == pytest.approx(2 / 3)
    # a: escaped 5 (no), 1 (yes), missing (fails) -> 1 of 3; b: 3, 2, 1 -> 2 of 3
    assert rob.loc[("a", "escaped"), "satisficing"] == pytest.approx(1 / 3)
    assert rob.loc[("b", "escaped"), "satisficing"] == pytest.approx(2 / 3)
    table = ranking(rob.reset_index())
    assert table["policy"].tolist() == ["b", "a"]


def test_ranking_fits_eighty_columns():
    rob = robustness(_outcomes(), ["transferred", "escaped"],
                     {"escaped": Threshold(max=2), "transferred": Threshold(min=15)},
                     ["a", "b"])
    lines = ranking_lines(rob, "s")
    assert len(lines) > 4 and all(len(line) <= 80 for line in lines)


def test_prim_finds_the_box_that_makes_failures():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.random(600), "b": rng.random(600), "c": rng.random(600)})
    y = ((x["a"] > 0.7) & (x["b"] < 0.4)).to_numpy()
    box = prim_box(x, y, DiscoverySpec(density=0.9))
    assert box["density"] >= 0.9 and box["coverage"] > 0.8
    assert set(box["limits"]) == {"a", "b"}
    assert box["limits"]["a"][1] == pytest.approx(0.7, abs=0.05)
    assert box["limits"]["b"][2] == pytest.approx(0.4, abs=0.05)


def test_prim_needs_failures_and_successes():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50)})
    assert prim_box(x, np.zeros(50, bool), DiscoverySpec()) is None
    assert prim_box(x, np.ones(50, bool), DiscoverySpec()) is None


def test_explore_folder_tables_and_verdict(lhs_folder):
    from sim.exploration import open_explore
    from sim.exploration.analyse import read_tables
    from sim.exploration.verdict import verdict

    tables = read_tables(lhs_folder)
    assert set(tables.robustness["policy"]) == {"iraq_alone", "nationality"}
    assert tables.discovery is not None and len(tables.discovery)
    text = verdict(open_explore(lhs_folder), tables, "tiny_explore")
    assert "meets all 2 thresholds in" in text
