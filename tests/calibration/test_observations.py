"""Observations as they were reported: windows, ranges, stated uncertainties and what they
count; a modelled value anywhere inside the window and range is a match."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.calibration.observe import distance, gaps, point_values, series, window_values
from sim.scenario import ScenarioError, scenario_from_dict
from tests.calibration.conftest import synthetic_data


def _obs(**entry):
    base = {"date": "2026-01-20", "value": 100, "source": "test"}
    return {**base, **entry}


def test_old_entries_keep_working_and_mean_a_single_day_and_count():
    scn = scenario_from_dict(synthetic_data([{"date": "2026-01-10", "transferred": 50,
                                              "source": "old"}]))
    o = scn.observed[0]
    assert o.window == (o.date, o.date) and o.bounds == (50.0, 50.0)
    assert (o.measure, o.who) == ("departed", "all")


def test_windows_ranges_and_stated_uncertainty():
    scn = scenario_from_dict(synthetic_data([
        _obs(date_from="2026-01-17", low=90, high=120),
        _obs(uncertainty=0.1),
        _obs(measure="at_site", site="camp", value=1500)]))
    a, b, c = scn.observed
    assert a.window[0].day == 17 and a.bounds == (90.0, 120.0)
    assert b.bounds == pytest.approx((90.0, 110.0))
    assert c.site == "camp" and c.measure == "at_site"


@pytest.mark.parametrize("entry, message", [
    (_obs(low=120, high=150), "must lie between low"),
    (_obs(low=90), "both low and high"),
    (_obs(low=90, high=110, uncertainty=0.1), "not both"),
    (_obs(date_from="2026-01-25"), "must not be after"),
    (_obs(measure="at_site"), "needs a site"),
    (_obs(site="camp"), "needs a site"),
    (_obs(measure="at_site", site="nowhere"), "unknown site 'nowhere'"),
    (_obs(uncertainty=1.5), "not a fraction between 0 and 1"),
    (_obs(who="families"), "detainees"),
])
def test_bad_entries_get_one_clear_message(entry, message):
    with pytest.raises(ScenarioError, match=message) as err:
        scenario_from_dict(synthetic_data([entry]))
    assert "observed.0" in str(err.value)


def test_gaps_and_distance_by_hand():
    reported = np.array([[100.0, 100.0], [90.0, 110.0], [2000.0, 2000.0]])
    windows = np.array([[100.0, 100.0], [80.0, 85.0], [1900.0, 2100.0]])
    assert gaps(windows, reported).tolist() == [0.0, 5.0, 0.0]  # inside window = match
    scale = np.array([100.0, 100.0, 2000.0])
    assert distance(windows, reported, scale) == pytest.approx(np.sqrt((0.05 ** 2) / 3))
    far = np.array([[130.0, 140.0], [120.0, 130.0], [3000.0, 3000.0]])
    assert gaps(far, reported).tolist() == [30.0, 10.0, 1000.0]


def test_scale_aware_the_same_relative_miss_weighs_the_same():
    reported = np.array([[150.0, 150.0], [2250.0, 2250.0]])
    scale = reported[:, 0]
    small = distance(np.array([[135.0, 135.0], [2250.0, 2250.0]]), reported, scale)
    large = distance(np.array([[150.0, 150.0], [2025.0, 2025.0]]), reported, scale)
    assert small == pytest.approx(large)


def test_point_values_are_the_closest_modelled_value_in_the_window():
    scn = scenario_from_dict(synthetic_data([_obs(value=100), _obs(value=10),
                                             _obs(value=1000)]))
    windows = np.array([[80.0, 120.0], [80.0, 120.0], [80.0, 120.0]])
    assert point_values(windows, scn.observed).tolist() == [100.0, 80.0, 120.0]


def test_a_run_series_agree_with_the_daily_table_and_detainees_are_a_part():
    scn = sim.load_scenario("scenarios/jan2026_replay.yaml")
    run = sim.simulate(scn, replication=0)
    s = series(run)
    assert np.array_equal(s["departed"], run.daily["departed"].to_numpy(dtype=float))
    assert (s["detainees_departed"] <= s["departed"] + 1e-9).all()
    assert (s["detainees_arrived"] <= s["detainees_departed"] + 1e-9).all()
    assert (np.diff(s["detainees_departed"]) >= 0).all()
    # before families move (7 Feb), every departure is a detainee's
    day = scn.day(scn.dispositions[3].start)
    assert np.array_equal(s["detainees_departed"][:day], s["departed"][:day])
    w = window_values(scn, s, scn.observed)
    last = scn.observed[-1]
    first, end = (scn.day(d) for d in last.window)
    assert w[-1].tolist() == [s["detainees_departed"][first], s["detainees_departed"][end]]
