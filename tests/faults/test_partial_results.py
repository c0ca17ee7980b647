"""Partial results are never used quietly: `sim compare`, `sim plot` and `sim report` say how
many of the runs the folder's spec asks for they use, warn on a cut or damaged manifest, and
refuse an empty store with a message that says how to fill it."""

from __future__ import annotations

import shutil
import warnings

import pytest
from typer.testing import CliRunner

import sim
from sim.batch import run_batch
from sim.cli import app
from sim.store.manifest import read_manifest
from tests.batch.helpers import sim_cli, write_spec

runner = CliRunner()
RUNS = 20


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("partial")
    spec = write_spec(tmp, replications=10, chunk_size=2, sweep={"fleets.road.units": [1, 2]},
                      tables={"daily": {"every": 10}})
    run_batch(spec, tmp / "whole", workers=0, progress=False)
    return spec, tmp / "whole"


def _copy(whole, tmp_path):
    return shutil.copytree(whole[1], tmp_path / "out")


def _compare(out):
    return runner.invoke(app, ["compare", str(out), "--by", "fleets.road.units"])


def test_a_complete_store_says_it_uses_every_run(whole, tmp_path):
    res = _compare(_copy(whole, tmp_path))
    assert res.exit_code == 0, res.output
    assert f"using {RUNS} of the {RUNS} runs its spec asks for" in res.stdout
    assert "warning" not in res.stderr


def test_manifest_cut_in_half_is_reported(whole, tmp_path):
    out = _copy(whole, tmp_path)
    manifest = out / "manifest.jsonl"
    data = manifest.read_bytes()
    manifest.write_bytes(data[: len(data) // 2])
    used = len(sim.open_results(out).kpis)
    assert 0 < used < RUNS
    for args in (["compare", str(out), "--by", "fleets.road.units"], ["plot", str(out)],
                 ["report", str(out)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert f"using {used} of the {RUNS} runs" in res.stdout
        assert f"warning: {out}: incomplete: only {used} of the {RUNS} runs" in res.stderr
        assert "not listed in manifest.jsonl" in res.stderr
        assert f"sim batch {whole[0]} --out {out}" in res.stderr
    assert "Incomplete results" in (out / "report.html").read_text()


def test_garbage_line_in_the_middle_is_damage(whole, tmp_path):
    out = _copy(whole, tmp_path)
    lines = (out / "manifest.jsonl").read_bytes().split(b"\n")
    lines[2] = b"#!garbage"
    (out / "manifest.jsonl").write_bytes(b"\n".join(lines))
    with pytest.warns(UserWarning, match="manifest.jsonl line 3 is not valid JSON"):
        damaged = sim.open_results(out)
    used = len(damaged.kpis)
    assert "manifest.jsonl line 3 is not valid JSON" in damaged.coverage.damaged
    res = _compare(out)
    assert res.exit_code == 0, res.output
    assert f"using {used} of the {RUNS} runs" in res.stdout
    assert f"warning: {out}: incomplete" in res.stderr
    # `sim batch` repairs the manifest and recomputes the runs: no warning any more
    again = run_batch(whole[0], out, workers=0, progress=False)
    assert again.summary.computed == RUNS - used
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        healed = sim.open_results(out)
    assert healed.coverage.complete and len(healed.kpis) == RUNS


def test_a_cut_last_line_alone_is_not_damage(whole, tmp_path):
    out = _copy(whole, tmp_path)
    with open(out / "manifest.jsonl", "ab") as fh:
        fh.write(b'{"kind": "part", "part": "0000')  # the driver died while writing it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sim.open_results(out).coverage.complete


@pytest.mark.parametrize("command", ["compare", "plot", "report"])
def test_empty_store_is_refused_with_what_to_do(whole, tmp_path, command):
    out = _copy(whole, tmp_path)
    (out / "manifest.jsonl").write_bytes(b"")
    res = runner.invoke(app, [command, str(out)])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == (f"error: no runs stored in {out}; run `sim batch {whole[0]} "
                                  f"--out {out}`")


def test_damage_warnings_print_as_one_clean_line_each(whole, tmp_path):
    out = _copy(whole, tmp_path)
    parts = [r for r in read_manifest(out) if r["kind"] == "part"]
    victim = out / parts[0]["kpis"]["file"]
    victim.write_bytes(victim.read_bytes()[:100])
    lines = (out / "manifest.jsonl").read_bytes().split(b"\n")
    lines[2] = b"#!garbage"
    (out / "manifest.jsonl").write_bytes(b"\n".join(lines))
    done = sim_cli("compare", str(out), "--by", "fleets.road.units")
    assert done.returncode == 0, done.stderr
    err = done.stderr.splitlines()
    assert f"warning: {out}: part {parts[0]['part']} is damaged and left out" in done.stderr
    assert f"warning: {out}: manifest.jsonl line 3 is not valid JSON" in done.stderr
    assert all(line.startswith("warning: ") for line in err), err
    assert "UserWarning" not in done.stderr and "warnings.warn" not in done.stderr
