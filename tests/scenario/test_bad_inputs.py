"""The bad-input corpus: every file in tests/data/bad_scenarios/ is refused with one clear,
located message (file, line, dotted path, what is wrong), never with another exception."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import ScenarioError, load_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "bad_scenarios"
MANIFEST = CORPUS / "EXPECTED.yaml"
EXPECTED: dict[str, dict] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != MANIFEST.name)


@pytest.fixture
def no_process_spawning(monkeypatch):
    """Fail loudly if loading a file ever tries to run a command."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a scenario file tried to run a command: {args!r}")

    for name in ("system", "popen", "execv", "execve", "spawnv", "spawnve"):
        monkeypatch.setattr(os, name, refuse, raising=False)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def _location(file: str, line: int | None, path: str) -> str:
    where = f"{file}:{line}" if line else file
    return f"{where}: {path}: " if path else f"{where}: "


# ----------------------------------------------------------------------------- manifest
def test_corpus_is_big_enough():
    assert len(FILES) >= 32


def test_every_corpus_file_is_in_the_manifest():
    assert sorted(EXPECTED) == FILES, "files without an entry in EXPECTED.yaml (or stale entries)"


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_says_what_is_wrong_on_its_first_line(name):
    first = (CORPUS / name).read_bytes().split(b"\n", 1)[0]
    assert first.startswith(b"# ") and len(first) > 10


def test_manifest_entries_are_well_formed():
    for name, exp in EXPECTED.items():
        assert set(exp) <= {"file", "line", "path", "message"}, name
        assert isinstance(exp["line"], int) and exp["line"] >= 1, name
        assert isinstance(exp["path"], str) and exp["message"], name


# ----------------------------------------------------------------------------- loading
@pytest.mark.usefixtures("no_process_spawning")
@pytest.mark.parametrize("name", FILES)
def test_bad_file_gives_a_located_scenario_error(name):
    exp = EXPECTED[name]
    with pytest.raises(ScenarioError) as info:  # any other exception fails the test
        load_scenario(CORPUS / name)
    err = info.value
    assert err.problems, "a ScenarioError must list its problems"
    for p in err.problems:
        assert p.file and p.message.strip(), p
        assert "Traceback" not in p.message and "pydantic" not in p.message.lower(), p
        assert "Input should" not in p.message, f"raw pydantic wording: {p}"
    file = exp.get("file", name)
    hits = [p for p in err.problems
            if Path(p.file).name == file and p.line == exp["line"] and p.path == exp["path"]
            and exp["message"] in p.message]
    assert hits, f"expected {file}:{exp['line']}: {exp['path']}: ...{exp['message']}... in\n{err}"
    text = str(err)
    assert _location(str(hits[0].file), exp["line"], exp["path"]) in text
    assert file in text and exp["message"] in text


@pytest.mark.parametrize("name", FILES)
def test_messages_say_what_was_expected(name):
    """Each message names what is wrong and what was expected (or says how to fix it)."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(CORPUS / name)
    for p in info.value.problems:
        text = p.message
        assert any(w in text for w in ("expected", "must", "needs", "not allowed", "not found")), p


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    bad = tmp_path / "evil.yaml"
    bad.write_text(f'metadata:\n  name: !!python/object/apply:os.system ["touch {marker}"]\n'
                   f"sites: !!python/object/new:subprocess.Popen [[touch, {marker}]]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    assert not marker.exists()
    assert {p.path for p in info.value.problems} == {"metadata.name", "sites"}
    assert all("not allowed" in p.message for p in info.value.problems)


def test_error_in_a_parent_file_names_the_parent(tmp_path):
    (tmp_path / "base.yaml").write_text("# base\nmetadata: {name: base}\nfleets: [oops\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "child.yaml")
    (p,) = info.value.problems
    assert Path(p.file).name == "base.yaml" and p.line == 4


# ----------------------------------------------------------------------------- command line
runner = CliRunner()


def test_cli_validate_accepts_a_good_file():
    result = runner.invoke(app, ["validate", str(DATA / "tiny.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout


@pytest.mark.usefixtures("no_process_spawning")
def test_cli_validate_rejects_every_bad_file_at_once():
    files = [str(CORPUS / n) for n in FILES]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for name, exp in EXPECTED.items():
        assert exp["message"] in result.stderr, name
        assert exp.get("file", name) in result.stderr, name


@pytest.mark.parametrize("name", FILES)
def test_cli_validate_one_bad_file(name):
    result = runner.invoke(app, ["validate", str(CORPUS / name)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    exp = EXPECTED[name]
    assert f"{exp.get('file', name)}:{exp['line']}: " in result.stderr
    assert exp["message"] in result.stderr


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from sim.cli import main; sys.argv[0] = 'sim'; main()"
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # a pipe: one line each
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, cwd=DATA.parent.parent, env=env)


@pytest.mark.parametrize("name", ["yaml_bad_indent.yaml", "route_unknown_site.yaml",
                                  "python_object_tag.yaml"])
def test_cli_end_to_end_exit_code_and_no_traceback(name):
    path = str(CORPUS / name)
    plain = _run_cli("validate", path)
    assert plain.returncode == 2, plain.stderr
    assert "Traceback" not in plain.stderr and "Traceback" not in plain.stdout
    exp = EXPECTED[name]
    assert f"{name}:{exp['line']}: " in plain.stderr
    assert exp["message"] in plain.stderr
    debug = _run_cli("--debug", "validate", path)
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr and "ScenarioError" in debug.stderr
