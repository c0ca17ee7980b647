"""Tables and text for the terminal: they fit its width and never break a word.

A :class:`Table` holds rows of cells, each with the text people read (formatted by
:mod:`sim.numbers`) and the raw value machines read, grouped in sections (one per KPI, say).
:func:`emit` prints it as

- ``text`` (default): aligned columns when they fit the terminal (``COLUMNS``, else the
  terminal's width, else 80); otherwise one block per row, its first cell as a heading and
  each other cell on its own ``header: value`` line, wrapped between words. A column whose
  text is the same in every row is said once under the title instead of on every row.
- ``csv`` and ``json``: the raw values (numbers unformatted, in the units of the headers)
  with machine names as column names, for piping;
- ``markdown``: the text cells as a Markdown table per section.
"""

from __future__ import annotations

import csv
import io
import json
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import typer

from sim.cli.text import GAP, known_width, width, wrap

FORMATS = ("text", "csv", "json", "markdown")


@dataclass
class Column:
    key: str
    """Machine name (csv and json)."""
    header: str
    """What people read."""
    right: bool = False
    """Right-aligned (numbers)."""


@dataclass
class Section:
    heading: str
    rows: list[dict[str, tuple[str, Any]]] = field(default_factory=list)
    """Column key -> (text, raw value)."""
    raw: dict[str, Any] = field(default_factory=dict)
    """Columns of the section in csv and json (e.g. the KPI key and unit)."""

    def add(self, **cells: tuple[str, Any] | str) -> None:
        self.rows.append({k: v if isinstance(v, tuple) else (v, v) for k, v in cells.items()})


@dataclass
class Table:
    title: str
    columns: list[Column]
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pack: bool = False
    """In blocks, put short items of a row on one line (``p (Holm): <0.001; rank: best``)."""

    def section(self, heading: str = "", **raw: Any) -> Section:
        s = Section(heading, raw=raw)
        self.sections.append(s)
        return s

    def text(self, key: str, row: dict) -> str:
        return str(row.get(key, ("", None))[0])


# ----------------------------------------------------------------------------- text
def _constant(table: Table) -> list[Column]:
    rows = [r for s in table.sections for r in s.rows]
    if len(rows) < 2:
        return []
    return [c for c in table.columns[1:]
            if len({table.text(c.key, r) for r in rows}) == 1 and table.text(c.key, rows[0])]


NARROW = 100
"""Below this many columns a table that does not fit as it is is shown as blocks."""
SHORT = 24
"""Items of a block this short share a line."""


def render_text(table: Table, cols: int | None = None) -> str:
    cols = cols or known_width() or width()
    constant = _constant(table)
    shown = [c for c in table.columns if c not in constant]
    lines = [wrap(table.title, cols=cols)]
    for c in constant:
        lines.append(wrap(f"{c.header}: {table.text(c.key, table.sections[0].rows[0])}",
                          cols=cols))
    sizes = _widths(table, shown, cols)
    for s in table.sections:
        if not s.rows and not s.heading:
            continue
        lines.append("")
        if s.heading:
            lines.append(wrap(s.heading, cols=cols))
        lines += _columns(table, s, shown, sizes) if sizes else _blocks(table, s, shown, cols)
    lines += [""] + [wrap(n, cols=cols) for n in table.notes] if table.notes else []
    return "\n".join(lines)


def _widths(table: Table, shown: list[Column], cols: int) -> dict[str, int] | None:
    """Column widths that fit ``cols`` (cells wrapped between words when the terminal is
    wide), or None when the table must be shown as blocks."""
    rows = [r for s in table.sections for r in s.rows]
    texts = {c.key: [c.header] + [table.text(c.key, r) for r in rows] for c in shown}
    natural = {k: max(len(x) for x in v) for k, v in texts.items()}
    room = cols - 2 - len(GAP) * (len(shown) - 1)
    if sum(natural.values()) <= room:
        return natural
    least = {k: max(len(w) for x in v for w in (x.split() or [""])) for k, v in texts.items()}
    if cols < NARROW or sum(least.values()) > room:
        return None
    sizes = dict(natural)
    while sum(sizes.values()) > room:
        k = max(sizes, key=lambda c: sizes[c] - least[c])
        if sizes[k] <= least[k]:
            return None
        sizes[k] -= 1
    return sizes


def _columns(table: Table, s: Section, shown: list[Column], sizes: dict) -> list[str]:
    def line(cells: list[str]) -> list[str]:
        wrapped = [textwrap.wrap(t, sizes[c.key], break_long_words=False,
                                 break_on_hyphens=False) or [""] for c, t in zip(shown, cells)]
        out = []
        for i in range(max(len(w) for w in wrapped)):
            parts = [(w[i] if i < len(w) else "") for w in wrapped]
            parts = [(t.rjust(sizes[c.key]) if c.right else t.ljust(sizes[c.key]))
                     for c, t in zip(shown, parts)]
            out.append(("  " + GAP.join(parts)).rstrip())
        return out

    out = line([c.header for c in shown])
    for r in s.rows:
        out += line([table.text(c.key, r) for c in shown])
    return out


def _blocks(table: Table, s: Section, shown: list[Column], cols: int) -> list[str]:
    """One block per row: its first cell, then one ``header: value`` item a line (short items
    together when the table packs them)."""
    out = []
    first, rest = shown[0], shown[1:]
    for i, r in enumerate(s.rows):
        if i and len(rest) > 2:
            out.append("")
        out.append(wrap(table.text(first.key, r), indent="  ", cols=cols))
        items = [f"{c.header}: {table.text(c.key, r)}" for c in rest if table.text(c.key, r)]
        line = ""
        for item in items:
            short = table.pack and len(item) <= SHORT and \
                len(line.rsplit("; ", 1)[-1]) <= SHORT
            if line and short and len(line) + 2 + len(item) <= cols - 4:
                line += "; " + item
                continue
            if line:
                out.append(wrap(line, indent="    ", hang="  ", cols=cols))
            line = item
        if line:
            out.append(wrap(line, indent="    ", hang="  ", cols=cols))
    return out


# ----------------------------------------------------------------------------- machines
def records(table: Table) -> list[dict[str, Any]]:
    out = []
    for s in table.sections:
        for r in s.rows:
            rec = dict(s.raw)
            rec.update({c.key: _plain(r.get(c.key, ("", None))[1]) for c in table.columns})
            out.append(rec)
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if hasattr(v, "item"):
        return _plain(v.item())
    return v


def render_csv(table: Table) -> str:
    recs = records(table)
    keys = list(dict.fromkeys(k for r in recs for k in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    w.writerows(recs)
    return buf.getvalue().rstrip("\n")


def render_json(table: Table) -> str:
    return json.dumps(records(table), indent=1, default=str)


def render_markdown(table: Table) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [f"**{table.title}**"]
    for s in table.sections:
        lines.append("")
        if s.heading:
            lines += [f"### {s.heading}", ""]
        lines.append(row([c.header for c in table.columns]))
        lines.append("|" + "|".join("---:" if c.right else "---" for c in table.columns) + "|")
        lines += [row([table.text(c.key, r) for c in table.columns]) for r in s.rows]
    lines += [""] + table.notes if table.notes else []
    return "\n".join(lines)


def render(table: Table, fmt: str = "text") -> str:
    return {"text": render_text, "csv": render_csv, "json": render_json,
            "markdown": render_markdown}[fmt](table)


def emit(table: Table, fmt: str = "text") -> None:
    typer.echo(render(table, fmt))


def check_format(fmt: str) -> str:
    """The output format, or a clear error with a suggestion."""
    from sim.cli.suggest import did_you_mean
    from sim.cli.text import fail

    if fmt not in FORMATS:
        fail(f"unknown output format '{fmt}' (expected one of: {', '.join(FORMATS)})"
             f"{did_you_mean(fmt, FORMATS)}")
    return fmt
