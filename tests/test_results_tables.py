"""The tidy tables of a run: ``daily_long`` holds the wide daily table's numbers, trips name
their routes consistently, events have typed columns; and the equivalence check maps an
older revision's encoding (integer routes, ``key=value`` details) onto the same values."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.results import EVENT_COLUMNS, route_names
from tests import equivalence

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def result(policy: str | None = "eu_key", name: str = "baseline"):
    scn = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    return sim.simulate(scn, policy=policy, replication=0)


PREFIX = {"site:": ("at_site", "site"), "dest:": ("in_reception", "destination"),
          "beds:": ("beds", "destination"), "units:": ("units_free", "fleet"),
          "blocked:": ("held_back", "reason")}


def test_daily_long_holds_every_number_of_the_wide_table():
    res = result()
    wide, long = res.daily, res.daily_long
    assert set(long.columns) == {"day", "date", "quantity", "site", "destination", "fleet",
                                 "reason", "value"}
    seen = 0
    # totals over a dimension are sums of the long rows, not rows of their own
    for col, quantity in (("at_sites", "at_site"), ("in_reception", "in_reception")):
        sums = long[long["quantity"] == quantity].groupby("day")["value"].sum()
        assert np.array_equal(sums.to_numpy(), wide[col].to_numpy(dtype=float)), col
    for col in wide.columns:
        if col in ("day", "date", "transferred", "at_sites", "in_reception"):
            continue  # transferred = arrived (an alias); the totals are checked above
        prefix = next((p for p in PREFIX if col.startswith(p)), None)
        if prefix:
            quantity, dim = PREFIX[prefix]
            sel = long[(long["quantity"] == quantity) & (long[dim] == col[len(prefix):])]
        else:
            sel = long[long["quantity"] == col]
        assert np.array_equal(sel["value"].to_numpy(), wide[col].to_numpy(dtype=float)), col
        assert np.array_equal(sel["day"].to_numpy(), wide["day"].to_numpy()), col
        seen += len(sel)
    assert seen == len(long)  # nothing in the long table that the wide one lacks


def test_daily_long_dimensions_apply_only_where_they_mean_something():
    long = result().daily_long
    for quantity, dim in {q: d for q, d in PREFIX.values()}.items():
        rows = long[long["quantity"] == quantity]
        assert rows[dim].notna().all()
        others = [d for d in ("site", "destination", "fleet", "reason") if d != dim]
        assert rows[others].isna().all().all()


def test_trip_routes_are_names_that_agree_with_the_trip():
    res = result()
    names = route_names(res.scenario)
    assert len(set(names)) == len(names) == len(res.scenario.routes)
    trips = res.trips
    assert set(trips["route"]) <= set(names)
    for _, t in trips.drop_duplicates("route").iterrows():
        head = f"{t['origin']}>{t['destination']} by {t['fleet']}"
        assert t["route"].startswith(head)
        assert pd.isna(t["crossing"]) == (" via " not in t["route"])


def test_events_have_typed_columns_and_no_detail_strings():
    for name, policy in (("jan2026_replay", None), ("baseline", "eu_key")):
        res = result(policy, name)
        ev = res.events
        assert "detail" not in ev.columns
        for col, dtype in EVENT_COLUMNS.items():
            assert str(ev[col].dtype) == ("Int64" if dtype == "Int64" else "string"), col
        raw = res.raw.events
        assert len(ev) == len(raw)
        for (time, kind, target, detail), (_, row) in zip(raw, ev.iterrows()):
            assert (row["time"], row["kind"], row["target"]) == (time, kind, target)
            for part in detail.split():
                key, _, value = part.partition("=")
                if key in ("beds", "escaped", "people", "amount"):
                    assert row[key] == int(value)
            if kind == "control_change":
                assert row["controller"] == detail
            if kind == "capacity_added":
                ids = res.raw.plan.dest_ids if target == "beds" else res.raw.plan.fleet_ids
                assert row["facility"] in ids


def test_equivalence_maps_the_old_encoding_onto_the_new(tmp_path):
    res = result()
    scn = res.scenario
    assert equivalence.route_names(scn) == route_names(scn)
    old_trips = res.trips.assign(route=[t.route for t in res.raw.trips])  # integer index
    pd.testing.assert_frame_equal(equivalence.named_routes(old_trips, scn), res.trips)
    old_events = pd.DataFrame(res.raw.events, columns=["time", "kind", "target", "detail"])
    run = tmp_path / "run"
    run.mkdir()
    plan = res.raw.plan
    import json

    (run / "plan.json").write_text(json.dumps({
        "dest_ids": list(plan.dest_ids), "fleet_ids": list(plan.fleet_ids),
        "start": scn.metadata.start_date.isoformat()}))
    pd.testing.assert_frame_equal(equivalence.typed_events(old_events, run), res.events)
    # and a changed value is still caught
    changed = old_events.copy()
    changed.loc[changed["kind"] == "repatriation", "detail"] = "people=1"
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(equivalence.typed_events(changed, run), res.events)
