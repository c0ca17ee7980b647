"""A damaged results folder is never read silently: truncated, emptied, bit-flipped or swapped
Parquet parts (KPI or daily) and damaged manifest lines are detected when the folder is
opened (a warning; the chunk's runs are left out), set aside or removed by the next
`sim batch`, and recomputed to exactly the results of an undamaged batch.
(tests/batch/test_batch_store.py covers a truncated KPI part, a flipped byte and a missing
part; these add the daily tables, empty and swapped files, and the manifest.)"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from sim.batch import open_results, run_batch
from sim.store.manifest import read_manifest
from tests.batch.helpers import write_spec


def _parts(out):
    return [r for r in read_manifest(out) if r["kind"] == "part"]


def _truncate(out, rec, table):
    path = out / rec[table]["file"]
    path.write_bytes(path.read_bytes()[: rec[table]["bytes"] - 40])


def _empty(out, rec, table):
    (out / rec[table]["file"]).write_bytes(b"")


def _flip(out, rec, table):
    path = out / rec[table]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))


def _swap(out, rec, table):
    other = _parts(out)[0]
    a, b = out / rec[table]["file"], out / other[table]["file"]
    da, db = a.read_bytes(), b.read_bytes()
    a.write_bytes(db)
    b.write_bytes(da)  # two valid Parquet files, each in the other's place


DAMAGE = {"truncated": _truncate, "emptied": _empty, "bit-flipped": _flip, "swapped": _swap}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ref")
    spec = write_spec(tmp, replications=8, chunk_size=2, tables={"daily": {"every": 10}})
    return spec, run_batch(spec, tmp / "whole", workers=0, progress=False)


@pytest.mark.parametrize("table", ["kpis", "daily"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_part_is_never_read_silently(tmp_path, reference, damage, table):
    spec, whole = reference
    out = tmp_path / "out"
    run_batch(spec, out, workers=0, progress=False)
    victim = _parts(out)[2]
    DAMAGE[damage](out, victim, table)
    with pytest.warns(UserWarning, match="damaged"):
        broken = open_results(out)
    lost = set(victim["ok"]) | (set(_parts(out)[0]["ok"]) if damage == "swapped" else set())
    assert set(broken.kpis["run_id"]) == set(whole.kpis["run_id"]) - lost
    assert set(broken.daily["run_id"]) == set(whole.daily["run_id"]) - lost
    assert "damaged" in set(broken.manifest["status"])
    again = run_batch(spec, out, workers=0, progress=False)
    assert again.summary.computed == len(lost)
    assert (out / "parts" / "corrupt").is_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning once healed
        healed = open_results(out)
    pd.testing.assert_frame_equal(healed.kpis, whole.kpis, check_exact=True)
    pd.testing.assert_frame_equal(healed.daily, whole.daily, check_exact=True)


@pytest.mark.parametrize("how", ["garbled", "cut"])
def test_damaged_manifest_line_leaves_its_runs_out_and_they_are_recomputed(
        tmp_path, reference, how):
    spec, whole = reference
    out = tmp_path / "out"
    run_batch(spec, out, workers=0, progress=False)
    lines = (out / "manifest.jsonl").read_bytes().split(b"\n")
    victim = json.loads(lines[1])
    lines[1] = b"{not json" if how == "garbled" else lines[1][: len(lines[1]) // 2]
    (out / "manifest.jsonl").write_bytes(b"\n".join(lines))
    with pytest.warns(UserWarning, match="manifest.jsonl line 2 is not valid JSON"):
        partial = open_results(out)  # the chunk is no longer listed: its runs are not shown
    assert set(partial.kpis["run_id"]) == set(whole.kpis["run_id"]) - set(victim["ok"])
    again = run_batch(spec, out, workers=0, progress=False)
    assert again.summary.computed == len(victim["ok"])
    assert not (out / victim["kpis"]["file"]).exists(), "the unlisted part was removed"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the damaged line was removed by the repair
        healed = open_results(out)
    pd.testing.assert_frame_equal(healed.kpis, whole.kpis, check_exact=True)
    pd.testing.assert_frame_equal(healed.daily, whole.daily, check_exact=True)
