"""Reading ``manifest.jsonl`` and checking the parts it lists (size, SHA-256).

The manifest is append-only, one JSON record a line, written by the batch driver with flush
and fsync. A last line without its newline was cut by a crash and is ignored; any other line
that is not a record is damage, reported in :attr:`Manifest.damage`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sim.store.parts import TABLES

MANIFEST = "manifest.jsonl"
KINDS = ("part", "drop", "repair")


@dataclass
class Manifest:
    """The records of a manifest, and what could not be read."""

    records: list[dict] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    """One message per damaged line (not valid JSON, or not a record)."""
    cut: bool = False
    """The last line was cut short by a crash (no newline): ignored, not damage."""
    lines: int = 0


def scan_manifest(folder: Path) -> Manifest:
    """Read ``DIR/manifest.jsonl`` (an empty Manifest when there is none)."""
    path = Path(folder) / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Manifest()
    out = Manifest()
    lines = raw.split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        out.lines += 1
        last = number == len(lines)  # no newline after it
        try:
            rec = json.loads(line)
        except ValueError:
            rec = None
        if isinstance(rec, dict) and rec.get("kind") in KINDS:
            out.records.append(rec)
        elif last:
            out.cut = True
        else:
            what = "is not valid JSON" if rec is None else "is not a manifest record"
            out.damage.append(f"{MANIFEST} line {number} {what}")
    return out


def read_manifest(folder: Path) -> list[dict]:
    """Records of the manifest (damaged lines and a line cut by a crash are left out)."""
    return scan_manifest(folder).records


def table_files(rec: dict) -> list[tuple[str, dict]]:
    """(table, file metadata) of every table a part record lists."""
    return [(name, rec[name]) for name in TABLES if rec.get(name)]


def check_file(folder: Path, meta: dict) -> str | None:
    """Why a listed part file is unusable (None if it matches the manifest)."""
    path = folder / meta["file"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return f"{meta['file']} is missing"
    except OSError as exc:
        return f"{meta['file']} cannot be read ({exc.strerror or exc})"
    if len(data) != meta["bytes"]:
        return f"{meta['file']} has {len(data)} bytes, the manifest says {meta['bytes']}"
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        return f"{meta['file']} does not match its SHA-256 checksum"
    return None


@dataclass
class PartState:
    """The manifest after verification: usable parts, and parts found damaged."""

    records: list[dict]
    good: dict[str, dict] = field(default_factory=dict)
    bad: dict[str, str] = field(default_factory=dict)  # part -> reason
    dropped: dict[str, str] = field(default_factory=dict)
    damage: list[str] = field(default_factory=list)  # damaged manifest lines
    cut: bool = False

    @property
    def done(self) -> set[str]:
        """Run ids stored in usable parts."""
        return {rid for rec in self.good.values() for rid in rec["ok"]}

    @property
    def parts(self) -> list[dict]:
        return [r for r in self.records if r["kind"] == "part"]


def verify_parts(folder: Path, manifest: Manifest | None = None) -> PartState:
    """Check every listed part against its size and checksum."""
    folder = Path(folder)
    manifest = scan_manifest(folder) if manifest is None else manifest
    state = PartState(manifest.records, damage=list(manifest.damage), cut=manifest.cut)
    for rec in manifest.records:
        if rec["kind"] == "drop":
            state.dropped[rec["part"]] = rec.get("reason", "")
            state.good.pop(rec["part"], None)
            state.bad.pop(rec["part"], None)
    for rec in state.parts:
        if rec["part"] in state.dropped:
            continue
        reason = next((why for _, meta in table_files(rec)
                       if (why := check_file(folder, meta))), None)
        if reason:
            state.bad[rec["part"]] = reason
        else:
            state.good[rec["part"]] = rec
    return state
