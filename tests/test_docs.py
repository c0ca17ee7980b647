"""Every snippet in the documentation runs, and every example scenario in it validates.

- Each ```python block of README.md, docs/model.md, docs/scenario-format.md and
  docs/policies.md is run; the blocks of one file run in order, in one namespace, with the
  repository root as the working directory. A block directly preceded by the HTML comment
  ``<!-- no-test -->`` (blank lines allowed in between) is skipped. As in doctest, the
  namespace starts with ``sim`` imported (docs/policies.md relies on it); the other docs
  import what they use.
- Each ```yaml block of docs/scenario-format.md that contains a top-level ``metadata:`` key
  is written to a file in a temporary folder and loaded with ``sim.load_scenario``. A block
  with ``extends:`` is resolved against copies of ``scenarios/*.yaml`` in that folder (so
  ``extends: baseline.yaml`` works).
- Every field of the scenario schema is named in docs/scenario-format.md.

Failures point at the Markdown file and line: code is compiled with its line numbers.
"""

from __future__ import annotations

import re
import shutil
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET_DOCS = ("README.md", "docs/model.md", "docs/scenario-format.md", "docs/policies.md")
FORMAT_DOC = "docs/scenario-format.md"
SKIP_MARK = "<!-- no-test -->"

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")


@dataclass(frozen=True)
class Block:
    doc: str
    lang: str
    line: int  # 1-based line of the first line of code (after the opening fence)
    code: str
    skipped: bool


def blocks(doc: str) -> list[Block]:
    """Fenced code blocks of a Markdown file of the repository (none if it is missing)."""
    path = ROOT / doc
    return parse_blocks(path.read_text(encoding="utf-8"), doc) if path.is_file() else []


def parse_blocks(text: str, doc: str) -> list[Block]:
    """Fenced code blocks of Markdown ``text`` (CommonMark fences: ``` or ~~~, 0-3 spaces)."""
    lines = text.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent, lang = m["fence"], len(m["indent"]), m["info"].lower()
        prev = next((ln.strip() for ln in reversed(lines[:i]) if ln.strip()), "")
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            close = lines[j].strip()
            if close.startswith(fence[0] * len(fence)) and set(close) == {fence[0]}:
                break
            text = lines[j]
            # strip the fence's indentation from the content, as CommonMark does
            body.append(text[min(indent, len(text) - len(text.lstrip(" "))):])
            j += 1
        out.append(Block(doc, lang, i + 2, "\n".join(body) + "\n", prev == SKIP_MARK))
        i = j + 1
    return out


def python_blocks(doc: str) -> list[Block]:
    return [b for b in blocks(doc) if b.lang in ("python", "py", "python3")]


# --------------------------------------------------------------------------- python snippets
@pytest.fixture
def doc_env(monkeypatch):
    """Repository root as cwd, a non-interactive matplotlib, and no leftover payer rules."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    from sim.policy import rule_names, unregister_rule

    before = set(rule_names())
    yield
    for name in set(rule_names()) - before:  # rules a snippet registered
        unregister_rule(name)
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize("doc", SNIPPET_DOCS)
def test_python_snippets_run(doc, doc_env):
    todo = [b for b in python_blocks(doc) if not b.skipped]
    if not todo:
        pytest.skip(f"{doc}: no python blocks to run")
    import sim

    namespace: dict = {"__name__": "__docs__", "sim": sim}
    for block in todo:
        # pad so that line numbers in tracebacks are the Markdown file's
        source = "\n" * (block.line - 1) + block.code
        code = compile(source, str(ROOT / doc), "exec")
        try:
            exec(code, namespace)
        except Exception as exc:  # noqa: BLE001 - re-raised with the block's location
            raise AssertionError(
                f"the python block at {doc}:{block.line} failed: "
                f"{type(exc).__name__}: {exc}") from exc


def test_the_docs_have_snippets():
    """Guard against a harness that silently finds nothing to test."""
    for doc in ("docs/model.md", FORMAT_DOC):
        assert [b for b in python_blocks(doc) if not b.skipped], f"{doc}: no python blocks"
    assert scenario_blocks(), f"{FORMAT_DOC}: no yaml block with metadata: to validate"


def test_block_parser():
    text = ("intro\n```python\nx = 1\n```\n\n<!-- no-test -->\n\n```python\nboom()\n```\n"
            "~~~yaml\nmetadata: {}\n~~~\n")
    found = parse_blocks(text, "example.md")
    assert [(b.lang, b.line, b.code, b.skipped) for b in found] == [
        ("python", 3, "x = 1\n", False), ("python", 9, "boom()\n", True),
        ("yaml", 12, "metadata: {}\n", False)]


# --------------------------------------------------------------------------- yaml scenarios
def scenario_blocks() -> list[Block]:
    return [b for b in blocks(FORMAT_DOC) if b.lang in ("yaml", "yml") and not b.skipped
            and re.search(r"^metadata:", b.code, re.MULTILINE)]


@pytest.mark.parametrize("block", scenario_blocks(), ids=lambda b: f"{b.doc}:{b.line}")
def test_yaml_scenarios_validate(block, tmp_path):
    import sim

    if re.search(r"^extends:", block.code, re.MULTILINE):
        for src in (ROOT / "scenarios").glob("*.yaml"):
            shutil.copy(src, tmp_path / src.name)
    path = tmp_path / f"doc_block_line_{block.line}.yaml"
    path.write_text(block.code, encoding="utf-8")
    try:
        sim.load_scenario(path)
    except sim.ScenarioError as exc:
        raise AssertionError(f"the yaml block at {block.doc}:{block.line} does not validate:\n"
                             f"{exc}") from None


# --------------------------------------------------------------------------- field coverage
def _models(root) -> dict[str, list[str]]:
    """Every pydantic model reachable from ``root``: model name -> field names (aliases)."""
    from pydantic import BaseModel

    found: dict[str, list[str]] = {}

    def visit(tp) -> None:
        origin = typing.get_origin(tp)
        if origin is not None:
            for arg in typing.get_args(tp):
                visit(arg)
            return
        if isinstance(tp, type) and issubclass(tp, BaseModel) and tp.__name__ not in found:
            found[tp.__name__] = [f.alias or n for n, f in tp.model_fields.items()]
            for field in tp.model_fields.values():
                visit(field.annotation)

    visit(root)
    return found


def test_every_schema_field_is_documented():
    from sim.scenario.schema import Scenario

    text = (ROOT / FORMAT_DOC).read_text(encoding="utf-8")
    missing = sorted(f"{model}.{name}" for model, names in _models(Scenario).items()
                     for name in names if f"`{name}`" not in text)
    assert not missing, f"{FORMAT_DOC} does not mention: {', '.join(missing)}"
