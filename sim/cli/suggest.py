""""Did you mean ...?" for names typed on the command line (policies, KPIs, scenarios,
columns)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


def closest(name: str, choices: Iterable[object]) -> str | None:
    """The choice closest to ``name`` (ignoring case, ``-`` for ``_``), if close enough."""
    names = [str(c) for c in choices]
    norm = {n.lower().replace("-", "_"): n for n in names}
    key = str(name).lower().replace("-", "_")
    if key in norm:
        return norm[key]
    hit = get_close_matches(key, list(norm), n=1, cutoff=0.6)
    return norm[hit[0]] if hit else None


def did_you_mean(name: str, choices: Iterable[object]) -> str:
    """``; did you mean 'x'?`` or an empty string."""
    hit = closest(name, choices)
    return f"; did you mean '{hit}'?" if hit else ""


def existing_file(path, what: str = "scenario file"):
    """``path`` if it is a file; else a clear error naming the closest file of its folder."""
    from pathlib import Path

    from sim.cli.text import fail

    path = Path(path)
    if path.is_file():
        return path
    folder = path.parent if path.parent.is_dir() else None
    names = [p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml")] if folder else []
    hint = did_you_mean(path.name, names)
    if hint:
        hint = f"; did you mean '{path.parent / closest(path.name, names)}'?"
    fail(f"{path}: file not found (expected a {what}){hint}")
    return path
