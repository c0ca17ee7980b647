"""The results folder survives crashes: SIGKILL mid-way, damaged parts, orphans, the lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.batch import open_results, run_batch
from sim.errors import OutputError
from sim.store.lock import BatchLock
from sim.store.manifest import read_manifest
from tests.batch.helpers import ROOT, sim_cli, write_spec


def _rows_per_run(folder) -> Counter:
    """How many times each run id is stored across the manifest's parts."""
    count: Counter = Counter()
    for rec in read_manifest(folder):
        if rec["kind"] == "part" and rec["kpis"]:
            count.update(pq.read_table(folder / rec["kpis"]["file"])["run_id"].to_pylist())
    return count


def test_sigkilled_batch_resumes_to_exactly_the_uninterrupted_runs(tmp_path):
    spec = write_spec(tmp_path, replications=40, chunk_size=2,
                      overrides={"metadata.horizon_days": 400}, tables={"daily": {"every": 50}})
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sim.cli import main; main()", "batch", str(spec),
         "--out", str(out), "--workers", "1", "--no-progress"],
        env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(read_manifest(out)) >= 3:
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)  # the driver, mid-batch
        proc.wait()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its worker processes (same group)
        except ProcessLookupError:
            pass
    stored = sum(len(r["ok"]) for r in read_manifest(out))
    assert 0 < stored < 40, "the driver was not killed mid-way"
    assert (out / ".lock").exists()  # left behind by the dead driver: stale, taken over
    resumed = run_batch(spec, out, workers=0, progress=False)
    assert resumed.summary.reused == stored
    assert resumed.summary.computed == 40 - stored
    whole = run_batch(spec, tmp_path / "whole", workers=0, progress=False)
    pd.testing.assert_frame_equal(resumed.kpis, whole.kpis, check_exact=True)
    pd.testing.assert_frame_equal(resumed.daily, whole.daily, check_exact=True)
    counts = _rows_per_run(out)
    assert len(counts) == 40 and set(counts.values()) == {1}  # none missing, none twice
    assert not (out / ".lock").exists()


def test_damaged_part_is_detected_dropped_and_recomputed(tmp_path):
    spec = write_spec(tmp_path, replications=8, chunk_size=2)
    out = tmp_path / "out"
    whole = run_batch(spec, out, workers=0, progress=False).kpis
    rec = [r for r in read_manifest(out) if r["kind"] == "part"][1]
    part = out / rec["kpis"]["file"]
    part.write_bytes(part.read_bytes()[: rec["kpis"]["bytes"] // 2])  # truncated
    with pytest.warns(UserWarning, match="damaged"):
        broken = open_results(out)
    assert len(broken.kpis) == 6
    assert set(broken.manifest["status"]) == {"ok", "damaged"}
    again = run_batch(spec, out, workers=0, progress=False)
    assert (again.summary.computed, again.summary.reused) == (2, 6)
    assert (out / "parts" / "corrupt" / part.name).exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        healed = open_results(out)
    pd.testing.assert_frame_equal(healed.kpis, whole, check_exact=True)
    assert "dropped" in set(healed.manifest["status"])


def test_flipped_byte_and_missing_part_are_detected(tmp_path):
    spec = write_spec(tmp_path, replications=4, chunk_size=2)
    out = tmp_path / "out"
    run_batch(spec, out, workers=0, progress=False)
    first, second = [r for r in read_manifest(out) if r["kind"] == "part"]
    path = out / first["kpis"]["file"]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different content
    path.write_bytes(bytes(data))
    (out / second["kpis"]["file"]).unlink()
    with pytest.warns(UserWarning):
        assert open_results(out).kpis.empty
    assert run_batch(spec, out, workers=0, progress=False).summary.computed == 4


def test_orphan_parts_and_a_cut_manifest_line_are_tidied(tmp_path):
    spec = write_spec(tmp_path, replications=4, chunk_size=2)
    out = tmp_path / "out"
    whole = run_batch(spec, out, workers=0, progress=False).kpis
    orphan = out / "parts" / "kpis-999999-deadbeef.parquet"
    orphan.write_bytes((out / read_manifest(out)[0]["kpis"]["file"]).read_bytes())
    (out / "parts" / ".kpis-x.parquet.tmp").write_bytes(b"half")
    with open(out / "manifest.jsonl", "ab") as fh:
        fh.write(b'{"kind": "part", "part": "0000')  # a line cut by a crash
    pd.testing.assert_frame_equal(open_results(out).kpis, whole, check_exact=True)
    again = run_batch(spec, out, workers=0, progress=False)
    assert again.summary.computed == 0
    assert not orphan.exists() and not (out / "parts" / ".kpis-x.parquet.tmp").exists()
    assert (out / "manifest.jsonl").read_bytes().endswith(b"\n")
    assert all(json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines())


def test_second_batch_on_a_folder_in_use_is_refused(tmp_path):
    spec = write_spec(tmp_path, replications=2)
    out = tmp_path / "out"
    run_batch(spec, out, workers=0, progress=False)
    with BatchLock(out):  # this (live) process holds the folder
        with pytest.raises(OutputError, match="in use by another `sim batch`"):
            run_batch(spec, out, workers=0, progress=False)
        cli = sim_cli("batch", str(spec), "--out", str(out), "--workers", "0", "--no-progress")
        assert cli.returncode == 2
        assert "in use by another `sim batch`" in cli.stderr and f"pid {os.getpid()}" in cli.stderr
        assert "Traceback" not in cli.stderr
    assert not (out / ".lock").exists()


def test_a_folder_being_created_by_another_batch_is_in_use(tmp_path):
    spec = write_spec(tmp_path, replications=2)
    out = tmp_path / "out"
    out.mkdir()
    with BatchLock(out):  # another batch has the lock and has begun the folder
        (out / "parts").mkdir()
        (out / "scenarios").mkdir()
        with pytest.raises(OutputError, match="in use by another `sim batch`"):
            run_batch(spec, out, workers=0, progress=False)
        cli = sim_cli("batch", str(spec), "--out", str(out), "--workers", "0", "--no-progress")
        assert cli.returncode == 2 and "in use by another `sim batch`" in cli.stderr
        assert "not a batch results folder" not in cli.stderr
    assert run_batch(spec, out, workers=0, progress=False).summary.computed == 2


def test_two_batches_started_together_on_a_new_folder(tmp_path):
    spec = write_spec(tmp_path, replications=6)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for trial in range(3):
        out = tmp_path / f"out{trial}"
        cmd = [sys.executable, "-c", "from sim.cli import main; main()", "batch", str(spec),
               "--out", str(out), "--workers", "0", "--no-progress"]
        procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        done = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        assert 0 in [code for code, _ in done], done
        for code, err in done:
            assert code == 0 or (code == 2 and "in use by another `sim batch`" in err), err
        assert len(open_results(out).kpis) == 6


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    spec = write_spec(tmp_path, replications=2)
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    (out / ".lock").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(),
                                           "started": "earlier"}))
    res = run_batch(spec, out, workers=0, progress=False)
    assert res.summary.computed == 2 and not (out / ".lock").exists()


def test_layout_and_stored_inputs(tmp_path):
    spec = write_spec(tmp_path, replications=2, sweep={"fleets.road.units": [1, 2]})
    out = tmp_path / "out"
    res = run_batch(spec, out, workers=0, progress=False)
    assert (out / "spec.yaml").read_text() == spec.read_text()
    info = json.loads((out / "batch.json").read_text())
    assert info["replications"] == 2 and info["sweep"] == ["fleets.road.units"]
    versions = json.loads((out / "versions.json").read_text())
    assert {"python", "numpy", "pandas", "pyarrow", "simpy"} <= set(versions)
    assert set(res.scenarios) == {"tiny[fleets.road.units=1]", "tiny[fleets.road.units=2]"}
    import yaml

    effective = yaml.safe_load(res.scenarios["tiny[fleets.road.units=2]"])
    assert effective["fleets"]["road"]["units"] == 2
    assert effective["escapes"]["base_hazard_per_day"]["camp"] == 0.01
    assert res.spec["replications"] == 2
    assert list(res.failures.columns[:6]) == ["run_id", "scenario", "variant", "policy",
                                              "replication", "seed"]
    assert res.kpi_names[0] == "transferred" and "escaped" in res.kpi_names
    assert set(res.runs["part"]) == set(res.manifest["part"])
