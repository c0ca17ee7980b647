"""Designs from SALib, design points as batch variants, common random numbers, resuming."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.exploration import load_explore_spec, open_explore
from sim.exploration.design import sample
from sim.exploration.run import plan
from sim.exploration.spec import DesignSpec
from sim.scenario.errors import ScenarioError
from sim.scenario.uncertainties import Uncertainty

from .conftest import DATA


def _section(k):
    return {f"x{i}": Uncertainty(path=f"a.x{i}", dist="uniform", low=0, high=1, source="[A1]")
            for i in range(k)}


@pytest.mark.parametrize("n", [5, 37])
def test_latin_hypercube_has_one_point_in_every_stratum(n):
    section = _section(3)
    d = sample(DesignSpec(method="lhs", n=n), list(section), section, seed=4)
    for col in d.unit.T:
        assert sorted(np.floor(col * n).astype(int)) == list(range(n))


def test_design_sizes_follow_the_methods():
    section = _section(4)
    names = list(section)
    assert len(sample(DesignSpec(method="sobol", n=8), names, section, 1).unit) == 8 * 6
    assert len(sample(DesignSpec(method="morris", trajectories=3), names, section, 1).unit) \
        == 3 * 5
    cats = {"c": Uncertainty(path="a", dist="categorical", values=[1, 2, 3], source="[A1]"),
            "i": Uncertainty(path="b", dist="integer", low=0, high=1, source="[A1]"),
            "u": Uncertainty(path="c", dist="uniform", low=0, high=1, source="[A1]")}
    f = sample(DesignSpec(method="factorial"), list(cats), cats, 1)
    assert f.names == ["c", "i"] and len(f.unit) == 6
    values = {(cats["c"].value(a), cats["i"].value(b)) for a, b in f.unit}
    assert values == {(c, i) for c in (1, 2, 3) for i in (0, 1)}


def test_a_sobol_design_needs_a_power_of_two():
    with pytest.raises(ValueError, match="power of 2"):
        DesignSpec(method="sobol", n=10)


def test_every_design_point_is_a_variant_with_the_same_seed():
    rx = load_explore_spec(DATA / "tiny_lhs.yaml")
    batch, table, _ = plan(rx)
    assert {v.seed for v in batch.variants} == {7}
    assert len(table) == 24 and table["variant"].nunique() == len(batch.variants)
    for v in batch.variants:
        assert v.policies == ("iraq_alone", "nationality")
    # the values in the table are those the variant's scenario holds
    row = table.iloc[3]
    scn = next(v.scn for v in batch.variants if v.label == row["variant"])
    assert scn.costs.escort_cost_per_person_day == pytest.approx(row["escort_pay"])
    assert scn.fleets["road"].units == row["road_units"]
    assert scn.uncertainties is None


def test_design_points_giving_the_same_scenario_share_their_runs():
    rx = load_explore_spec(DATA / "tiny_lhs.yaml")
    rx.scenarios[0].vary = ["road_units"]  # three values only, over 24 points
    batch, table, _ = plan(rx)
    assert len(batch.variants) == 3 and len(table) == 24


def test_common_random_numbers_across_policies_and_points(lhs_folder):
    """Replication r has the same seed everywhere, and a design point's KPIs are those of a
    plain simulation of its scenario with that seed."""
    import sim

    ef = open_explore(lhs_folder)
    kp = ef.results.kpis
    assert set(kp["seed"]) == {7} and set(kp["replication"]) == {0, 1}
    batch, table, _ = plan(load_explore_spec(DATA / "tiny_lhs.yaml"))
    v = batch.variants[5]
    res = sim.simulate(v.scn, policy="nationality", replication=1, seed=7)
    stored = kp[(kp["design"] == "futures") & (kp["row"] == v.point["row"]) &
                (kp["policy"] == "nationality") & (kp["replication"] == 1)]
    assert stored["cost_total"].item() == res.kpis["cost_total"]


def test_rerun_resumes_without_computing(lhs_folder):
    import sim

    again = sim.explore(DATA / "tiny_lhs.yaml", lhs_folder, workers=0)
    assert again.summary.computed == 0 and again.summary.reused == 24 * 2 * 2


def test_outcomes_average_the_replications(lhs_folder):
    ef = open_explore(lhs_folder)
    out = ef.outcomes()
    assert len(out) == 24 * 2 and set(out["replications"]) == {2}
    kp = ef.results.kpis
    one = out.iloc[0]
    runs = kp[(kp["row"] == one["run_row"]) & (kp["policy"] == one["policy"])]
    assert one["transferred"] == pytest.approx(runs["transferred"].mean())


def test_design_table_is_written(lhs_folder):
    design = pd.read_parquet(lhs_folder / "design.parquet")
    meta = json.loads((lhs_folder / "explore.json").read_text())
    assert {"scenario", "design", "row", "variant", "u:escort_pay", "escort_pay"} <= set(
        design.columns)
    assert meta["designs"][0]["points"] == 24


def test_a_design_point_that_breaks_the_scenario_is_reported(tmp_path):
    scn = tmp_path / "s.yaml"
    scn.write_text(f"extends: {DATA / 'tiny_explore.yaml'}\nuncertainties:\n"
                   "  lat: {path: sites.camp.lat, dist: uniform, low: 36, high: 37, "
                   "source: '[A14]'}\n")
    spec = tmp_path / "x.yaml"
    spec.write_text(f"scenarios: [{scn}]\npolicies: [nuclear]\ndesign: {{method: lhs, n: 4}}\n")
    with pytest.raises(ScenarioError) as err:
        load_explore_spec(spec)
    assert f"{spec}:2: policies.0: scenario 's' has no policy 'nuclear'" in str(err.value)
