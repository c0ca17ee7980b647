"""Every command's output fits an 80-column terminal, with no word broken across lines.

Each command runs as a real process with ``COLUMNS=80`` and again with ``COLUMNS=1000``.
At 80 columns no line (stdout or stderr) is wider than 80; and every word of the narrow
output is a word of the wide output (the wide layout never wraps), so a word cut in two
("transferr" / "ed") would show up as two words the wide output does not have. ``sim
schema`` is left out: it prints a JSON document for editors, not text for a terminal.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
REPLAY = ROOT / "scenarios" / "jan2026_replay.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"


def sim(args: list[str], columns: int, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns), "MPLBACKEND": "Agg"}
    env.pop("LINES", None)
    code = "import sys; from sim.cli import main; sys.argv[0] = 'sim'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


@functools.cache
def folder() -> Path:
    """A working folder with a small batch spec (baseline, 120 days, two policies) and its
    results in ``store`` (so that any one test can run alone)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="sim-width-"))
    spec = {"name": "width", "scenarios": [{"name": "short", "base": str(BASELINE),
                                            "overrides": {"metadata.horizon_days": 120}}],
            "policies": ["iraq_alone", "eu_key"], "replications": 3, "seed": 7,
            "tables": {"daily": {"every": 7}}}
    (path / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    import sim as api

    api.run_batch(path / "spec.yaml", out=path / "store", workers=0, progress=False)
    return path


COMMANDS = [
    ["--help"],
    ["run", "--help"], ["compare", "--help"], ["batch", "--help"], ["plot", "--help"],
    ["report", "--help"], ["validate", "--help"], ["validate-history", "--help"],
    ["validate", str(BASELINE), str(REPLAY)],
    ["validate", str(ROOT / "tests" / "data" / "bad_scenarios" / "negative_capacity.yaml")],
    ["batch", "spec.yaml", "--out", "store", "--workers", "0", "--no-progress"],
    ["compare", "store"],
    ["compare", "store", "--kpi", "completion_day", "--kpi", "share_iraq"],
    ["compare", "store", "--baseline", "eu-key"],
    ["plot", "store"],
    ["report", "store"],
    ["run", str(TINY), "-n", "2", "--out", "tiny-run", "--force"],
    ["run", str(BASELINE), "-n", "2", "--out", "base-run", "--force", "--no-plots"],
    ["run", str(BASELINE), "--policy", "eu-key"],
    ["run", "scenarios/baselin.yaml"],
    ["validate-history", str(REPLAY), "-n", "2", "--figure", "history.png"],
]


def words(text: str) -> set[str]:
    return {w.rstrip(":,;.") for w in text.split()}


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:60])
def test_output_fits_80_columns_without_broken_words(args):
    cwd = folder()
    narrow = sim(args, 80, cwd)
    wide = sim(args, 1000, cwd)
    assert narrow.returncode == wide.returncode, (narrow.stderr, wide.stderr)
    assert "Traceback" not in narrow.stderr, narrow.stderr
    text = narrow.stdout + narrow.stderr
    assert text.strip(), f"{args}: no output"
    long = [line for line in text.splitlines() if len(line) > 80]
    assert not long, f"{args}: lines wider than 80:\n" + "\n".join(long)
    # progress bars and timings differ between runs; compare the words of the rest
    broken = sorted(w for w in words(text) - words(wide.stdout + wide.stderr)
                    if w and not any(ch.isdigit() for ch in w))
    assert not broken, f"{args}: words not in the wide output (broken?): {broken}"
