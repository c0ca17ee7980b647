"""The assumptions and sources behind a scenario, for the report.

Every number in a shipped scenario carries a YAML comment citing ``[Sn]`` (a source),
``[An]`` (an assumption) or ``[Pn]`` (a policy assumption). This module finds the original
scenario files of a results folder (following ``extends:``), collects the ids they cite and
looks them up in ``docs/sources.md`` and ``docs/policies.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_TAG = re.compile(r"\[((?:S|A|P)\d+)\]")
_BARE = re.compile(r"\b((?:S|A|P)\d{1,3})\b")
_ROW = re.compile(r"^\|\s*((?:S|A|P)\d+)\s*\|(.*)\|\s*$")


@dataclass
class Citations:
    """What the scenario files cite, and the documented entries for those ids."""

    files: list[Path] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    entries: dict[str, list[str]] = field(default_factory=dict)  # id -> table cells
    headers: dict[str, list[str]] = field(default_factory=dict)  # "S"/"A"/"P" -> columns
    header_comments: dict[Path, str] = field(default_factory=dict)
    docs: list[Path] = field(default_factory=list)
    missing_ids: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[tuple[str, list[str]]]:
        return [(i, self.entries[i]) for i in _sorted(self.ids) if i.startswith(kind)
                and i in self.entries]


def _sorted(ids) -> list[str]:
    return sorted(set(ids), key=lambda i: (i[0], int(i[1:])))


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def scenario_chain(path: Path) -> list[Path]:
    """The file and the files it ``extends:`` (nearest first)."""
    out: list[Path] = []
    seen = set()
    current: Path | None = path
    while current is not None and current.is_file() and current.resolve() not in seen:
        seen.add(current.resolve())
        out.append(current)
        try:
            data = yaml.safe_load(current.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            break
        parent = data.get("extends") if isinstance(data, dict) else None
        current = (current.parent / parent) if isinstance(parent, str) else None
    return out


def header_comment(path: Path) -> str:
    """The comment block at the top of a YAML file (without the ``#``)."""
    lines = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        if line.startswith("#"):
            lines.append(line[1:].removeprefix(" "))
        elif line.strip():
            break
        else:
            lines.append("")
    return "\n".join(lines).strip()


def doc_files(scenario_files: list[Path]) -> list[Path]:
    """``docs/sources.md`` and ``docs/policies.md`` next to the scenarios (else the repo's)."""
    roots = [f.resolve().parent.parent for f in scenario_files] + [repo_root()]
    for root in roots:
        found = [root / "docs" / n for n in ("sources.md", "policies.md")
                 if (root / "docs" / n).is_file()]
        if found:
            return found
    return []


def parse_tables(paths: list[Path]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Rows of the Markdown tables whose first cell is an id (S1, A12, P3 ...)."""
    entries: dict[str, list[str]] = {}
    headers: dict[str, list[str]] = {}
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        last_header: list[str] | None = None
        for line in lines:
            if line.startswith("|") and not _ROW.match(line) and not set(line) <= set("|-: "):
                last_header = [c.strip() for c in line.strip().strip("|").split("|")]
                continue
            m = _ROW.match(line)
            if not m:
                continue
            ident = m.group(1)
            cells = [c.strip() for c in m.group(2).split("|")]
            entries.setdefault(ident, cells)
            if last_header and ident[0] not in headers:
                headers[ident[0]] = last_header[1:]
    return entries, headers


def citations(scenario_files: list[Path]) -> Citations:
    files: list[Path] = []
    for f in scenario_files:
        for g in scenario_chain(f):
            if g not in files:
                files.append(g)
    ids: list[str] = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            if "#" in line:
                ids.extend(_TAG.findall(line[line.index("#"):]))
    docs = doc_files(files)
    entries, headers = parse_tables(docs)
    # ids cited inside the cited entries (e.g. an assumption quoting a source)
    for i in list(dict.fromkeys(ids)):
        for cell in entries.get(i, []):
            ids.extend(j for j in _BARE.findall(cell) if j in entries)
    uniq = _sorted(ids)
    return Citations(files, uniq, {i: entries[i] for i in uniq if i in entries}, headers,
                     {f: header_comment(f) for f in files}, docs,
                     [i for i in uniq if i not in entries])
