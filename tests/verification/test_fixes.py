"""Regression tests for defects found by the verification suite (the first three by the
invariant sweep over generated scenarios, the last by the output-path security tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.simulation import simulate
from sim.verification import scenarios as S
from sim.verification.invariants import violations


def _one_day_cycle(**changes):
    # load 0 + out 0.5 + back 0.5 + turnaround 0: units are back at exactly t = 1, 2, ...
    return S.build(S.lab(
        metadata__horizon_days=6, sites__camp__population={"IRQ": {"adult": 400}},
        fleets__road__units=2, fleets__road__seats=40, fleets__road__load_time=S.fixed(0.0),
        fleets__road__turnaround=S.fixed(0.0), routes__0__travel_time=S.fixed(0.5),
        crossings__x__daily_throughput=50, **changes))


def test_units_back_at_midnight_use_the_new_days_crossing_quota():
    # Units back at exactly t = d used to run the dispatcher before day d's daily steps,
    # against day d-1's spent crossing counter: the pair was then held back for all of day d
    # (no trip on days 1, 3, 5: half the throughput). The daily steps now run first.
    res = simulate(_one_day_cycle())
    per_day = res.trips.groupby("day")["people"].sum()
    assert per_day.to_dict() == {d: 50 for d in range(6)}
    assert violations(res) == []


def test_arrival_at_midnight_is_screened_the_next_day():
    # documented: an arrival at exactly t = d is screened on day d + 1 at the earliest
    scn = S.build(S.lab(metadata__horizon_days=6, sites__camp__population={"IRQ": {"adult": 10}},
                        fleets__road__load_time=S.fixed(0.0),
                        fleets__road__turnaround=S.fixed(0.0),
                        routes__0__travel_time=S.fixed(1.0),
                        destinations__centre__stay=S.fixed(2)))
    res = simulate(scn)
    assert res.trips["arrive"].tolist() == [1.0]
    # screened on day 2, discharged on day 2 + 2 = 4
    assert res.daily["discharged"].tolist() == [0, 0, 0, 0, 10, 10]


def _fund_data(capacity_change_day: int) -> dict:
    scale = {"rule": "un_scale", "params": {"scale": {"IRQ": 1.0}}}
    return S.lab(
        metadata__horizon_days=12, destinations__centre__beds=0,
        conflict={"timeline": [{"kind": "capacity_change", "destination": "centre",
                                "start": capacity_change_day, "beds": 50}]},
        policies={"pooled": {**scale, "fund": {
            "contributions": scale, "annual": 1.0e7, "threshold": 1,
            "buy": [{"kind": "beds", "target": "centre", "amount": 200, "cost": 1.0e5,
                     "lag_days": 3, "max_orders": 1}]}}})


def test_a_capacity_change_keeps_the_beds_a_fund_bought():
    # The fund orders 200 beds on day 1 (people were held back by beds on day 0); they
    # arrive on day 4. A dated capacity_change on day 6 sets the centre's own beds to 50: the
    # fund's 200 stay (it used to reset the total to 50, so that the money bought nothing).
    res = simulate(S.build(_fund_data(6)), policy="pooled")
    assert [(o.day, o.ready_day) for o in res.raw.orders] == [(1, 4)]
    assert res.raw.beds[:, 0].tolist() == [0, 0, 0, 0, 200, 200] + [250] * 6
    assert res.kpis["fund:beds"] == 200 and res.kpis["transferred"] == 100
    assert violations(res) == []
    assert (res.raw.dest_stock.sum(axis=2) <= res.raw.beds).all()


def test_capacity_change_before_the_delivery_adds_up_too():
    res = simulate(S.build(_fund_data(2)), policy="pooled")
    assert res.raw.beds[:, 0].tolist() == [0, 0, 50, 50] + [250] * 8
    assert np.all(res.raw.dest_stock.sum(axis=2) <= res.raw.beds)


def test_two_runs_in_the_same_second_get_their_own_folders(tmp_path, monkeypatch):
    # the default folder is results/<name>-<time to the second>: a second run started in
    # the same second used to fail with "already exists"
    import datetime as dt

    from sim.batch import run as runner

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 1, 2, 3, 4, 5)

    monkeypatch.chdir(tmp_path)
    import types

    monkeypatch.setattr(runner, "dt", types.SimpleNamespace(
        datetime=Frozen, timezone=dt.timezone, date=dt.date, timedelta=dt.timedelta))
    tiny = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
    first = runner.run_scenario(tiny, replications=1)
    second = runner.run_scenario(tiny, replications=1)
    assert first.out == Path("results/tiny-20260102-030405")
    assert second.out == Path("results/tiny-20260102-030405-2")
    assert (tmp_path / first.out / "batch.json").is_file()
    assert (tmp_path / second.out / "batch.json").is_file()
