"""The bad batch-spec corpus: every file in tests/data/bad_batches/ is refused by the batch
spec loader with a located message (file, line, dotted path, what is wrong), never another
exception, and `sim batch` exits with code 2 without writing anything."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.batch import load_spec
from sim.cli import app
from sim.scenario import ScenarioError

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "bad_batches"
MANIFEST = CORPUS / "EXPECTED.yaml"
EXPECTED: dict[str, dict] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != MANIFEST.name)
SCENARIO_CORPUS = [p for p in (DATA / "bad_scenarios").iterdir() if p.name != "EXPECTED.yaml"]


@pytest.fixture
def no_process_spawning(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a batch spec tried to run a command: {args!r}")

    for name in ("system", "popen", "execv", "execve", "spawnv", "spawnve"):
        monkeypatch.setattr(os, name, refuse, raising=False)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_corpus_sizes():
    assert len(FILES) >= 8
    assert len(FILES) + len(SCENARIO_CORPUS) >= 30  # scenarios and batch specs together


def test_every_file_is_in_the_manifest():
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_first_line_says_what_is_wrong(name):
    first = (CORPUS / name).read_bytes().split(b"\n", 1)[0]
    assert first.startswith(b"# ") and len(first) > 10


@pytest.mark.usefixtures("no_process_spawning")
@pytest.mark.parametrize("name", FILES)
def test_bad_spec_gives_a_located_error(name):
    exp = EXPECTED[name]
    with pytest.raises(ScenarioError) as info:  # any other exception fails the test
        load_spec(CORPUS / name)
    problems = info.value.problems
    assert problems
    for p in problems:
        assert p.file and p.message.strip(), p
        assert "Traceback" not in p.message and "Input should" not in p.message, p
        assert any(w in p.message for w in ("expected", "not allowed", "not found")), p
    file = exp.get("file", name)
    hits = [p for p in problems if Path(p.file).name == file and p.line == exp["line"]
            and p.path == exp["path"] and exp["message"] in p.message]
    assert hits, f"expected {file}:{exp['line']}: {exp['path']}: ...{exp['message']}... " \
                 f"in\n{info.value}"


runner = CliRunner()


@pytest.mark.usefixtures("no_process_spawning")
@pytest.mark.parametrize("name", FILES)
def test_sim_batch_refuses_with_exit_2_and_writes_nothing(name, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(CORPUS / name), "--out", str(out), "--workers", "0",
                              "--no-progress"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    exp = EXPECTED[name]
    assert f"{exp.get('file', name)}:{exp['line']}: " in res.stderr
    assert exp["message"] in res.stderr
    assert not out.exists()
