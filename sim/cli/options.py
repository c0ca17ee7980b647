"""Command-line options that several commands share, declared once (same flags, same help)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SpecOut = Annotated[Path | None, typer.Option(
    "--out", help="Results folder (default: results/<spec name>).")]
Workers = Annotated[int | None, typer.Option(
    "--workers", help="Local worker processes (default: CPU count; 0 = in this process).")]
Dask = Annotated[str | None, typer.Option(
    "--dask", help="Run on the Dask scheduler at this address.")]
DaskLocal = Annotated[int | None, typer.Option(
    "--dask-local", help="Run on a Dask LocalCluster of N worker processes.")]
Chunk = Annotated[int | None, typer.Option(
    "--chunk", help="Replications per task (default: automatic).")]
