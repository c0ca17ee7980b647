"""The names in a results folder, what ``batch.json`` says, and which folders may be used.

A folder is *a store* when it has ``batch.json`` or ``manifest.jsonl``; one that holds only
names the tool writes (a lock, ``parts/``, ``scenarios/``, ``spec.yaml`` ...) is a store being
created by another process.
``batch.json``'s ``kind`` is ``"batch"`` (``sim batch``) or ``"run"`` (``sim run``): the
marker that lets ``sim run --force`` replace a folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.errors import OutputError
from sim.store.lock import LOCK
from sim.store.manifest import MANIFEST

FORMAT = 2
"""Format of ``batch.json``; 1 = before other tables than kpis and daily could be kept."""
BATCH = "batch.json"
PARTS = "parts"
SCENARIOS = "scenarios"
WRITTEN = {BATCH, MANIFEST, LOCK, PARTS, SCENARIOS, "spec.yaml", "versions.json",
           "compare.csv", "compare.parquet", "figures", "report.html"}
"""Every entry the tool writes at the top of a results folder."""


def read_info(folder: Path) -> dict | None:
    """``batch.json`` of ``folder`` (None when there is none)."""
    path = Path(folder) / BATCH
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path} cannot be read ({exc})") from None
    if not isinstance(info, dict):
        raise OutputError(f"{path} cannot be read (expected a JSON object)")
    if int(info.get("format", 1)) > FORMAT:
        raise OutputError(f"{folder} was written by a newer version of sim (store format "
                          f"{info.get('format')}; this one reads up to {FORMAT})")
    return info


def entries(folder: Path) -> set[str]:
    """Names at the top of ``folder`` (none if it is not a folder)."""
    if not Path(folder).is_dir():
        return set()
    try:
        return {p.name for p in Path(folder).iterdir()}
    except OSError as exc:
        raise OutputError(f"cannot read {folder} ({exc.strerror or exc})") from None


def check_store_folder(folder: Path) -> None:
    """``folder`` is new, empty, a store, or a store being created (else OutputError)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder (expected a results folder)")
    # hidden names are the tool's temporary files (another process may be writing one now)
    names = {n for n in entries(folder) if not n.startswith(".")}
    if names and not names & {BATCH, MANIFEST} and not names <= WRITTEN:
        raise OutputError(f"{folder} exists and is not a batch results folder (expected a new "
                          f"or empty folder, or one written by `sim batch`)")


def check_run_folder(folder: Path) -> None:
    """``folder`` may be replaced by ``sim run --force``: it carries the marker of a
    ``sim run`` folder (``batch.json`` of kind "run") and nothing the tool did not write
    (else OutputError, and nothing is touched)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder (expected a `sim run` results "
                          f"folder for --force to replace)")
    try:
        info = read_info(folder)
    except OutputError:
        info = None
    if info is None or info.get("kind") != "run":
        what = ("a `sim batch` results folder" if info is not None else
                "not written by sim")
        raise OutputError(f"{folder} is not a `sim run` results folder ({what}); --force "
                          f"replaces only a folder written by `sim run`: choose another "
                          f"--out, or move that folder yourself")
    foreign = sorted(n for n in entries(folder) - WRITTEN if not n.startswith("."))
    if foreign:
        raise OutputError(f"{folder} holds files that sim did not write ({', '.join(foreign)});"
                          f" --force would lose them: move them, or choose another --out")
