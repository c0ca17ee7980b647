"""``sim plot`` and ``sim report``: figures and the HTML report of a results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, open_folder, run_guarded


@app.command("plot")
def plot_cmd(
    folder: Annotated[Path, typer.Argument(help="Results folder (`sim batch` or `sim run`).")],
    fmt: Annotated[str, typer.Option(
        "--format", help="Comma-separated figure formats: png, svg, pdf.")] = "png",
):
    """Draw every figure the stored results support into DIR/figures/."""

    res = open_folder(folder)

    def go():
        from sim.plots.files import plot_folder

        return plot_folder(res, formats=fmt)

    from sim.cli.text import say

    written = run_guarded(go)
    for path in written:
        say(str(path))
    say(f"{len(written)} figure file(s) written to {folder / 'figures'}")


@app.command("report")
def report_cmd(
    folder: Annotated[Path, typer.Argument(help="Results folder (`sim batch` or `sim run`).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: DIR/report.html).")] = None,
):
    """Write one self-contained HTML report (figures, tables, assumptions, provenance)."""

    res = open_folder(folder)

    def go():
        from sim.report import build_report

        return build_report(res, out)

    from sim.cli.text import say

    path = run_guarded(go)
    say(f"report written to {path}")
