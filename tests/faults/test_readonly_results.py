"""`sim compare`, `sim report` and `sim plot` on a results folder they cannot write into (a
read-only mount): one clear message and exit code 2, no traceback, nothing changed.

Running as root, chmod does not stop writes, so the folder is bind-mounted read-only in a
private mount namespace (``unshare -m``) of the command's process only; the test is skipped
where that is not allowed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from sim.batch import run_batch
from tests.batch.helpers import ROOT, write_spec

MOUNT_RO = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def _read_only(folder, *args: str) -> subprocess.CompletedProcess:
    """``args`` run with ``folder`` mounted read-only for that process alone."""
    return subprocess.run(["unshare", "-m", "sh", "-c", MOUNT_RO, str(folder), *args],
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)


def _can_mount_read_only(tmp_path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        done = _read_only(probe, "sh", "-c", f"! touch {probe / 'x'} 2>/dev/null")
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and not (probe / "x").exists()


def _sim(*args: str) -> list[str]:
    return [sys.executable, "-c", "from sim.cli import main; main()", *args]


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_read_only_results_folder_gives_a_clear_error(tmp_path):
    if not _can_mount_read_only(tmp_path):
        pytest.skip("cannot bind-mount a folder read-only here (unshare -m, mount)")
    spec = write_spec(tmp_path, replications=3, sweep={"fleets.road.units": [1, 2]},
                      tables={"daily": {"every": 10}})
    out = tmp_path / "out"
    run_batch(spec, out, workers=0, progress=False)
    (out / "figures").mkdir()  # as after an earlier `sim plot`
    before = _snapshot(out)
    for args in (["compare", str(out), "--by", "fleets.road.units"], ["report", str(out)],
                 ["plot", str(out)]):
        done = _read_only(out, *_sim(*args))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert done.stderr.startswith("error: cannot write"), (args, done.stderr)
        assert "Read-only file system" in done.stderr
    assert _snapshot(out) == before
