"""Text for the terminal: messages wrapped between words to its width, and the way a
command stops on bad input (one ``error:`` message, exit code 2)."""

from __future__ import annotations

import shutil
import textwrap

import typer

EXIT_INPUT = 2
GAP = "  "


def width() -> int:
    """Columns of the terminal (``COLUMNS`` wins; 80 when output is not a terminal)."""
    return max(shutil.get_terminal_size((80, 24)).columns, 40)


def known_width() -> int | None:
    """The width to wrap messages at: ``COLUMNS`` or the terminal's; None when the output
    goes to a pipe or a file (messages then stay one line each, for grep and logs)."""
    import os
    import sys

    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return width()
    return None


def wrap(text: str, indent: str = "", hang: str = "    ", cols: int | None = None) -> str:
    """``text`` wrapped between words (continuation lines indented) to ``cols``, else to the
    known width of the terminal; unchanged when neither is known."""
    cols = cols or known_width()
    if cols is None:
        return "\n".join(indent + line if line.strip() else line
                         for line in str(text).split("\n"))
    out = []
    for line in str(text).split("\n"):
        if not line.strip():
            out.append("")
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        out.append(textwrap.fill(line.strip(), cols, initial_indent=indent + lead,
                                 subsequent_indent=indent + lead + hang,
                                 break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)


def say(text: str = "", err: bool = False) -> None:
    """Print ``text`` wrapped to the terminal."""
    typer.echo(wrap(text), err=err)


def fail(message: str, code: int = EXIT_INPUT) -> None:
    """Print ``error: message`` (wrapped) on stderr and exit with ``code``."""
    typer.echo(wrap(f"error: {message}"), err=True)
    raise typer.Exit(code)
