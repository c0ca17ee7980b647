"""Every example in a docstring of ``sim`` runs (the docs' snippets: tests/test_docs.py).

- ``>>>`` examples run as doctests;
- a literal block after ``::`` that is Python runs, in the order of the modules, in one
  folder holding a copy of ``scenarios/`` (so ``scenarios/baseline.yaml`` and
  ``results/policies`` mean what they mean from the repository root, and nothing is
  written into the repository);
- a literal block introduced as YAML is loaded: a batch spec with ``load_spec``, a
  scenario fragment as a variant of the baseline with ``load_scenario``;
- a literal block that is neither (a folder layout) must be listed in :data:`NOT_CODE`, so
  that no example is skipped silently.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"
NOT_CODE = {("sim.store", "Layout of ``DIR``::"),
            ("sim.exploration.rangedocs",
             "them between the markers ``<!-- uncertainties:NAME -->`` and "
             "``<!-- /uncertainties -->``::")}
"""(module, introducing line) of literal blocks that are not examples."""


@dataclass(frozen=True)
class Example:
    module: str
    intro: str
    code: str
    kind: str  # python, yaml or text


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(
        n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return [d for d in (ast.get_docstring(n, clean=True) for n in nodes) if d]


def _literal_blocks(doc: str) -> list[tuple[str, str]]:
    """(introducing line, dedented block) of each ``::`` literal block."""
    lines = doc.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not line.rstrip().endswith("::"):
            continue
        body, j = [], i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")):
            body.append(lines[j])
            j += 1
        if body:
            out.append((line.strip(), textwrap.dedent("\n".join(body)).strip() + "\n"))
    return out


def _kind(intro: str, code: str) -> str:
    if "YAML" in intro or "yaml" in intro or re.match(r"^``file:line", intro):
        return "yaml"
    try:
        compile(code, "<example>", "exec")
    except SyntaxError:
        return "text"
    return "python"


def examples() -> list[Example]:
    out = []
    for path in sorted(SIM.rglob("*.py")):
        name = _module(path)
        for doc in _docstrings(path):
            for intro, code in _literal_blocks(doc):
                out.append(Example(name, intro, code, _kind(intro, code)))
    return out


EXAMPLES = examples()


def test_every_literal_block_is_an_example_or_listed():
    unknown = [(e.module, e.intro) for e in EXAMPLES if e.kind == "text"
               and (e.module, e.intro) not in NOT_CODE]
    assert not unknown, f"literal blocks that are neither Python nor YAML: {unknown}"
    assert [e for e in EXAMPLES if e.kind == "python"], "no Python example found"
    assert [e for e in EXAMPLES if e.kind == "yaml"], "no YAML example found"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with a copy of scenarios/, as cwd (a stand-in for the repository root)."""
    path = tmp_path_factory.mktemp("docstrings")
    shutil.copytree(ROOT / "scenarios", path / "scenarios")
    return path


def test_python_examples_run(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    from sim.policy import rule_names, unregister_rule

    before = set(rule_names())
    try:
        for e in (e for e in EXAMPLES if e.kind == "python"):
            try:
                exec(compile(e.code, f"<docstring of {e.module}>", "exec"),
                     {"__name__": "__docstring__"})
            except Exception as exc:  # noqa: BLE001 - re-raised with the example's module
                raise AssertionError(f"the example of {e.module} ({e.intro}) failed: "
                                     f"{type(exc).__name__}: {exc}") from exc
    finally:
        for name in set(rule_names()) - before:  # rules an example registered
            unregister_rule(name)


def test_yaml_examples_load(workdir):
    import sim
    from sim.batch.spec import load_spec
    from sim.exploration import load_explore_spec
    from sim.scenario.yamlio import parse_yaml

    for i, e in enumerate(e for e in EXAMPLES if e.kind == "yaml"):
        data = parse_yaml(e.code, f"<docstring of {e.module}>")[0]  # the project's reader
        if "design" in data or "vary" in data:  # an explore spec, in scenarios/explore/
            path = workdir / "scenarios" / "explore" / f"doc_example_{i}.yaml"
            path.write_text(e.code, encoding="utf-8")
            load_explore_spec(path)
        elif "scenarios" in data:  # a batch spec, relative to scenarios/batches/
            path = workdir / "scenarios" / "batches" / f"doc_example_{i}.yaml"
            path.write_text(e.code, encoding="utf-8")
            load_spec(path)
        else:  # a fragment of a scenario: a variant of the baseline
            path = workdir / "scenarios" / f"doc_example_{i}.yaml"
            variant = {"extends": "baseline.yaml", **data}
            variant.setdefault("metadata", {"name": f"doc_example_{i}"})
            path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
            sim.load_scenario(path)


@pytest.mark.parametrize("module", sorted({_module(p) for p in SIM.rglob("*.py")
                                           if ">>>" in p.read_text(encoding="utf-8")}))
def test_doctests(module, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
