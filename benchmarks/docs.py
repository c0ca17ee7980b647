"""The generated section of docs/performance.md: the last table, its date, the machine and
the load, written between two markers; the text around them is kept as it is."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import Row, render_markdown
from benchmarks.variants import ROOT

DOC = ROOT / "docs" / "performance.md"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


def replace_section(text: str, body: str) -> str:
    """``text`` with what lies between the markers replaced by ``body`` (ValueError unless
    each marker appears once, start before end)."""
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"expected one {START} and one {END} marker")
    head, rest = text.split(START)
    if END not in rest:
        raise ValueError(f"{END} comes before {START}")
    _, tail = rest.split(END)
    return f"{head}{START}\n{body.strip()}\n{END}{tail}"


def section(rows: Sequence[Row], *, quick: bool, seconds: float,
            loads: tuple[tuple[float, float, float], tuple[float, float, float]],
            when: dt.datetime | None = None) -> str:
    """The generated section: how and where the table was measured, then the table."""
    when = when or dt.datetime.now(dt.timezone.utc)
    command = "python -m benchmarks" + (" --quick" if quick else "")

    def avg(x: tuple[float, float, float]) -> str:
        return " / ".join(f"{v:.2f}" for v in x)

    lines = [
        f"Measured on {when:%Y-%m-%d %H:%M} UTC by `{command} --write-docs` in "
        f"{seconds:.0f} s, on {os.cpu_count()} CPU cores ({platform.machine()}, "
        f"{platform.system()}), Python {sys.version.split()[0]}. Load average (1 / 5 / 15 "
        f"minutes) {avg(loads[0])} at the start, {avg(loads[1])} at the end.",
    ]
    if quick:
        lines.append("")
        lines.append("This is the quick version (fewer samples, smaller batches): indicative "
                     "only.")
    return "\n".join(lines + ["", render_markdown(rows)])


def write_docs(body: str, path: Path) -> bool:
    """Write ``body`` into the generated section of ``path``; True if the file changed."""
    old = path.read_text(encoding="utf-8")
    new = replace_section(old, body)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old
