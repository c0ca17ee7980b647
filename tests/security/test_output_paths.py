"""Output paths cannot escape the chosen folder: names that come from input files (scenario
names, variant names, policy names, batch names) are sanitised before they become file or
folder names, or never become one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.batch.run import run_scenario
from sim.cli import app
from sim.store.files import safe_name

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
EVIL = ["../../evil", "/etc/passwd", "a/b/c", "..", ".", "...", "C:\\Windows\\evil",
        "~/evil", "$(rm -rf ~)", "evil\nname", " ", "é" * 200, "../" * 30 + "x", "-rf"]


@pytest.mark.parametrize("name", EVIL)
def test_safe_name_keeps_names_inside_a_folder(name, tmp_path):
    safe = safe_name(name)
    assert safe and safe not in (".", "..") and not safe.startswith(".")
    assert "/" not in safe and "\\" not in safe and "\n" not in safe and len(safe) <= 80
    base = (tmp_path / "results").resolve()
    assert (base / safe).resolve().parent == base


def _scenario_named(tmp_path: Path, name: str, **extra) -> Path:
    data = yaml.safe_load(TINY.read_text())
    data["metadata"]["name"] = name
    data.update(extra)
    path = tmp_path / "input.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


@pytest.mark.parametrize("name", ["../../evil", "/tmp/evil", "a/../../b"])
def test_scenario_names_cannot_leave_the_results_folder(tmp_path, monkeypatch, name):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    scenario = _scenario_named(tmp_path, name)
    summary = run_scenario(scenario, replications=1)  # default folder: results/<name>-<time>
    assert _inside(summary.out, work / "results")
    res = CliRunner().invoke(app, ["run", str(scenario), "-n", "1", "--no-plots"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["validate-history", str(_scenario_named(
        tmp_path, name, observed=[{"date": "2026-01-10", "transferred": 100,
                                   "source": "test"}])), "-n", "1"])
    assert res.exit_code == 0, res.output
    made = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "input.yaml"]
    assert made and all(_inside(p, work / "results") for p in made), made
    assert not (Path("/tmp") / "evil").exists() or name != "/tmp/evil"


def test_batch_store_file_names_come_from_digests(tmp_path):
    from sim.batch import run_batch

    # (a policy id may not hold '.', so "../../evil_policy" is refused before anything runs)
    policies = {"~/evil_policy": {"rule": "host_pays"}, "/etc/x": {"rule": "host_pays"}}
    scenario = _scenario_named(tmp_path, "../../evil_scenario", policies=policies)
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({
        "scenarios": [str(scenario), {"name": "../../evil_variant", "base": str(scenario),
                                      "overrides": {"fleets.road.units": 3}}],
        "replications": 1, "tables": {"daily": {"every": 10}},
        "sweep": {"metadata.name": ["../up", "/abs"]}}))
    out = tmp_path / "nested" / "out"
    res = run_batch(spec, out, workers=0, progress=False)
    assert res.summary.computed == 2 * 2 * 2  # variants x sweep x policies
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    outside = [p for p in written if not _inside(p, out) and p not in (scenario, spec)]
    assert not outside, outside
    assert not [p for p in written if "evil" in p.name or "up" == p.name or "abs" == p.name]
    assert {p.parent.name for p in written if _inside(p, out)} <= {"out", "parts",
                                                                     "scenarios"}


def test_batch_name_cannot_leave_the_results_folder(tmp_path, monkeypatch):
    from sim.batch import run_batch

    work = tmp_path / "a" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"name": "../../evil", "scenarios": [str(TINY)],
                                    "replications": 1}))
    res = run_batch(spec, workers=0, progress=False)
    assert _inside(res.path, work / "results"), res.path
