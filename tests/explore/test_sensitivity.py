"""Sensitivity indices: known answers through the explore code path."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.exploration.design import Design, sample
from sim.exploration.sensitivity import indices, ishigami_check
from sim.exploration.spec import DesignSpec
from sim.scenario.uncertainties import Uncertainty


def test_ishigami_indices_match_the_closed_form():
    result = ishigami_check(n=1024, seed=5)
    assert result["ok"], result


def _section(k: int) -> dict[str, Uncertainty]:
    return {f"x{i}": Uncertainty(path=f"a.x{i}", dist="uniform", low=0, high=1, source="[A1]")
            for i in range(k)}


def test_one_input_alone_gives_first_order_one_in_a_synthetic_model():
    section = _section(4)
    design = sample(DesignSpec(method="sobol", n=256), list(section), section, seed=2)
    y = 3.0 + 5.0 * design.unit[:, 2]
    f = indices(design, y).set_index("parameter")
    assert abs(f.loc["x2", "S1"] - 1) < 0.05 and abs(f.loc["x2", "ST"] - 1) < 0.05
    others = f.drop("x2")
    assert (others["S1"].abs() < 0.05).all() and (others["ST"].abs() < 0.05).all()


def test_morris_ranks_the_influential_input_first():
    section = _section(3)
    design = sample(DesignSpec(method="morris", trajectories=20, levels=4), list(section),
                    section, seed=1)
    y = 10 * design.unit[:, 0] + design.unit[:, 1]
    f = indices(design, y).set_index("parameter")
    assert f["mu_star"].idxmax() == "x0"
    assert np.isclose(f.loc["x0", "mu_star"], 10, rtol=0.05)  # linear: the slope
    assert np.isclose(f.loc["x2", "mu_star"], 0, atol=1e-9)


def test_lhs_uses_rbd_fast_first_order():
    section = _section(3)
    design = sample(DesignSpec(method="lhs", n=400), list(section), section, seed=1)
    f = indices(design, np.sin(2 * design.unit[:, 1])).set_index("parameter")
    assert (f["method"] == "rbd_fast").all()
    assert f["S1"].idxmax() == "x1" and f.loc["x1", "S1"] > 0.8
    assert f["ST"].isna().all()


def test_a_constant_output_gets_no_indices():
    section = _section(2)
    design = sample(DesignSpec(method="sobol", n=16), list(section), section, seed=1)
    f = indices(design, np.ones(len(design.unit)))
    assert f[["S1", "ST"]].isna().all().all()


def test_one_field_alone_drives_the_cost_of_a_scenario(sobol_folder):
    """Escort pay changes costs only; with common random numbers every design point sees
    the same world, so the total cost is linear in escort pay: S1 = ST = 1 for it and 0
    for the inputs the cost does not depend on."""
    sens = pd.read_parquet(sobol_folder / "sensitivity.parquet")
    cost = sens[(sens["kpi"] == "cost_total")].set_index("parameter")
    assert set(cost["method"]) == {"sobol"}
    assert abs(cost.loc["escort_pay", "S1"] - 1) < 0.05
    assert abs(cost.loc["escort_pay", "ST"] - 1) < 0.05
    for other in ("syr_population", "camp_lat"):
        assert abs(cost.loc[other, "S1"]) < 0.05 and abs(cost.loc[other, "ST"]) < 0.05
    moved = sens[sens["kpi"] == "transferred"]
    assert moved[["S1", "ST"]].isna().all().all()  # the same in every future


def test_sensitivity_table_has_the_promised_columns(sobol_folder):
    sens = pd.read_parquet(sobol_folder / "sensitivity.parquet")
    for col in ("scenario", "policy", "kpi", "parameter", "method", "S1", "S1_conf", "ST",
                "ST_conf", "mu_star", "sigma"):
        assert col in sens.columns


def test_design_helper_problem_has_unit_bounds():
    d = Design("futures", DesignSpec(method="lhs", n=2), ["a", "b"], np.zeros((2, 2)))
    assert d.problem["bounds"] == [[0.0, 1.0], [0.0, 1.0]]


def test_grouped_sobol_gives_one_index_per_assumption_tag():
    tags = {"x0": "[A1]", "x1": "[A1] and [S2]", "x2": "[A2]"}
    section = {n: Uncertainty(path=f"a.{n}", dist="uniform", low=0, high=1, source=t)
               for n, t in tags.items()}
    design = sample(DesignSpec(method="sobol", n=256, groups="tag"), list(section), section, 1)
    assert len(design.unit) == 256 * (2 + 2)
    f = indices(design, design.unit[:, 0] + design.unit[:, 1]).set_index("parameter")
    assert list(f.index) == ["A1", "A2"]
    assert abs(f.loc["A1", "ST"] - 1) < 0.05 and abs(f.loc["A2", "ST"]) < 0.05
