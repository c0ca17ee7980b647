"""`sim batch` when the output folder cannot be used or the disk fills up: one clear message,
exit code 2, earlier results intact, and the next run resumes. (Running as root, chmod does
not stop writes, so the faults are a file in place of the folder and a monkeypatched
``os.replace`` that raises ENOSPC; everything runs in this process.)"""

from __future__ import annotations

import errno
import json
import os

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.batch import open_results, run_batch
from sim.cli import app
from sim.store.manifest import read_manifest
from tests.batch.helpers import write_spec

runner = CliRunner()


def _batch(spec, out, *extra):
    return runner.invoke(app, ["batch", str(spec), "--out", str(out), "--workers", "0",
                               "--no-progress", *map(str, extra)])


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_output_folder_is_a_file(tmp_path):
    spec = write_spec(tmp_path, replications=2)
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    res = _batch(spec, blocker)
    assert res.exit_code == 2, res.output
    assert "exists and is not a folder" in res.stderr and "Traceback" not in res.output
    res = _batch(spec, blocker / "inside")
    assert res.exit_code == 2, res.output
    assert "cannot create" in res.stderr and "Traceback" not in res.output
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "spec.yaml"]


def _enospc_after(monkeypatch, allowed: int, match: str):
    """Make ``os.replace`` fail with ENOSPC for targets containing ``match`` after
    ``allowed`` successful calls (as a full disk would when a file is written)."""
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst, *args, **kwargs):
        if match in os.fspath(dst):
            calls["n"] += 1
            if calls["n"] > allowed:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_disk_full_mid_batch_keeps_earlier_results(tmp_path, monkeypatch):
    spec = write_spec(tmp_path, replications=4, chunk_size=2, tables={"daily": {"every": 10}})
    out = tmp_path / "out"
    assert _batch(spec, out).exit_code == 0
    before = _snapshot(out)
    first = open_results(out)
    # extend to 10 replications; the disk fills up after two more parts
    more = write_spec(tmp_path, "more.yaml", replications=10, chunk_size=2,
                      tables={"daily": {"every": 10}})
    _enospc_after(monkeypatch, allowed=4, match=os.sep + "parts" + os.sep)
    res = _batch(more, out)
    monkeypatch.undo()
    assert res.exit_code == 2, res.output
    assert "No space left on device" in res.stderr and "Traceback" not in res.output
    assert res.stderr.startswith("error: cannot write")
    # what was there is unchanged, the new parts that were completed are kept, nothing half
    after = _snapshot(out)
    for name, data in before.items():
        if name.name not in ("manifest.jsonl", "batch.json", "spec.yaml"):
            assert after[name] == data, name
    assert (out / "manifest.jsonl").read_bytes().startswith(before[
        out.joinpath("manifest.jsonl").relative_to(out)])
    assert not [p for p in (out / "parts").iterdir() if ".tmp" in p.name]
    assert not (out / ".lock").exists(), "the lock is released after the error"
    partial = open_results(out)
    assert len(partial.kpis) == 8  # 4 before + two more parts of 2
    kept = partial.kpis[partial.kpis["replication"] < 4].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, first.kpis, check_exact=True)
    # with space again, the batch resumes: only the missing runs, and the same results as
    # an uninterrupted batch
    resumed = run_batch(more, out, workers=0, progress=False)
    assert (resumed.summary.reused, resumed.summary.computed) == (8, 2)
    whole = run_batch(more, tmp_path / "whole", workers=0, progress=False)
    pd.testing.assert_frame_equal(resumed.kpis, whole.kpis, check_exact=True)
    pd.testing.assert_frame_equal(resumed.daily, whole.daily, check_exact=True)
    ids = [rid for r in read_manifest(out) if r["kind"] == "part" for rid in r["ok"]]
    assert len(ids) == len(set(ids)) == 10


def test_disk_full_while_recording_the_batch(tmp_path, monkeypatch):
    spec = write_spec(tmp_path, replications=2)
    out = tmp_path / "out"
    assert _batch(spec, out).exit_code == 0
    before = _snapshot(out)
    _enospc_after(monkeypatch, allowed=0, match="batch.json")
    res = _batch(write_spec(tmp_path, "more.yaml", replications=4), out)
    monkeypatch.undo()
    assert res.exit_code == 2, res.output
    assert "No space left on device" in res.stderr and "Traceback" not in res.output
    assert json.loads((out / "batch.json").read_text())["replications"] == 2
    after = _snapshot(out)
    for name in before:
        if name.name not in ("spec.yaml", "versions.json"):
            assert after[name] == before[name], name
    assert not (out / ".lock").exists()
    assert not [p for p in out.iterdir() if ".tmp" in p.name]
    assert len(open_results(out).kpis) == 2


@pytest.mark.parametrize("where", ["kpis", "daily"])
def test_write_error_of_one_table_leaves_no_listed_part(tmp_path, monkeypatch, where):
    # the KPI part is written, the daily part fails: the chunk is not in the manifest, the
    # orphan KPI part is removed by the next run and its runs are computed again
    spec = write_spec(tmp_path, replications=2, chunk_size=2, tables={"daily": True})
    out = tmp_path / "out"
    _enospc_after(monkeypatch, allowed=0 if where == "kpis" else 1,
                  match=os.sep + "parts" + os.sep)
    res = _batch(spec, out)
    monkeypatch.undo()
    assert res.exit_code == 2 and "No space left on device" in res.stderr
    assert [r for r in read_manifest(out) if r["kind"] == "part"] == []
    assert open_results(out).kpis.empty
    again = run_batch(spec, out, workers=0, progress=False)
    assert again.summary.computed == 2
    assert sorted(p.name.split("-")[0] for p in (out / "parts").iterdir()) == ["daily", "kpis"]
