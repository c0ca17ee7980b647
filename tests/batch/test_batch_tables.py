"""The store keeps more tables than KPIs and daily series when the spec asks: trips, ledger,
events and payers, each as its own checked Parquet part, read back with the run ids."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.batch import open_results, run_batch
from sim.errors import OutputError
from sim.store.manifest import read_manifest
from tests.batch.helpers import write_spec

ALL = {"daily": True, "trips": True, "ledger": True, "events": True, "payers": True}
IDS = ["run_id", "scenario", "policy", "replication", "seed"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tables")
    policies = {"host": {"rule": "host_pays"}}
    spec = write_spec(tmp, replications=3, chunk_size=2, tables=ALL, policies=["host", "none"],
                      overrides={"policies": policies})
    return run_batch(spec, tmp / "out", workers=0, progress=False)


def test_every_table_is_a_listed_checked_part(stored):
    parts = [r for r in read_manifest(stored.path) if r["kind"] == "part"]
    assert parts
    for rec in parts:
        for table in ("kpis", "daily", "trips", "ledger", "events"):
            meta = rec[table]
            assert (stored.path / meta["file"]).is_file()
            assert {"rows", "bytes", "sha256"} <= set(meta)
        assert (rec.get("payers") is None) == (rec["policy"] == "none")
    assert stored.tables == ["kpis", *ALL]


def test_tables_are_the_runs_tables_with_their_ids(stored):
    import sim

    scn = sim.load_scenario(stored.path / stored.info["variants"][0]["file"])
    for policy, label in (("host", "host"), (None, "none")):
        res = sim.simulate(scn, policy=policy, replication=1,
                           seed=stored.info["variants"][0]["seed"])
        for name in ("daily", "trips", "ledger", "events"):
            table = getattr(stored, name)
            assert list(table.columns[:5]) == IDS
            got = table[(table["policy"] == label) & (table["replication"] == 1)]
            got = got.drop(columns=IDS).reset_index(drop=True)
            pd.testing.assert_frame_equal(got, getattr(res, name).reset_index(drop=True),
                                          check_dtype=False)
    payers = stored.payers
    assert set(payers["policy"]) == {"host"}
    assert {"day", "date", "payer", "cost", "personnel_days"} <= set(payers.columns)
    ledger = stored.ledger
    cost = ledger[(ledger["measure"] == "cost") & (ledger["policy"] == "host")]
    assert payers["cost"].sum() == pytest.approx(cost["amount"].sum(), rel=1e-9)


def test_tables_not_asked_for_are_none_and_cannot_be_changed_in_place(tmp_path):
    spec = write_spec(tmp_path, replications=2)
    res = run_batch(spec, tmp_path / "out", workers=0, progress=False)
    assert res.trips is None and res.ledger is None and res.events is None
    assert res.payers is None and res.daily is None
    assert open_results(tmp_path / "out").tables == ["kpis"]
    more = write_spec(tmp_path, "more.yaml", replications=2, tables={"trips": True})
    with pytest.raises(OutputError, match="same tables"):
        run_batch(more, tmp_path / "out", workers=0, progress=False)


def test_payers_table_says_who_held_people_back_for_funding(tmp_path):
    # Iraq pays for everything and its ceiling is less than a year of the camp's costs, so
    # nobody is ever approved under "tight"; "host" has no ceiling
    policies = {"host": {"rule": "host_pays"},
                "tight": {"rule": "host_pays", "budgets": {"IRQ": {"annual": 100.0}}}}
    spec = write_spec(tmp_path, replications=2, tables={"daily": True, "payers": True},
                      policies=["host", "tight"], overrides={"policies": policies})
    run_batch(spec, tmp_path / "out", workers=0, progress=False)
    res = open_results(tmp_path / "out")
    payers, daily = res.payers, res.daily
    assert payers["held_for_funding"].dtype == "int64"  # the same schema in every part
    keys = ["policy", "replication", "day"]
    irq = payers[payers["payer"] == "IRQ"].set_index(keys)["held_for_funding"]
    blocked = daily.set_index(keys)["blocked:funding"]
    tight = blocked.xs("tight", level="policy")
    assert tight.min() > 0
    pd.testing.assert_series_equal(irq.xs("tight", level="policy"), tight, check_names=False)
    others = payers[(payers["payer"] != "IRQ") | (payers["policy"] == "host")]
    assert (others["held_for_funding"] == 0).all()
