"""The range tables of docs/sources.md and docs/policies.md, written from the scenarios.

The ranges live in the ``uncertainties:`` sections of the shipped scenarios; the docs show
them between the markers ``<!-- uncertainties:NAME -->`` and ``<!-- /uncertainties -->``::

    python -m sim.exploration.rangedocs          # rewrite the tables
    python -m sim.exploration.rangedocs --check  # exit 1 when a table is out of date

:data:`NOT_VARIED` says why an assumption of the docs that has a range is not an
uncertainty (the tests check that every other ranged assumption is one).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from sim.scenario.uncertainties import Uncertainty, active, lookup

NOT_VARIED = {
    "A1": "run settings (horizon, replications, seed), not a property of the world",
    "A5": "a mix over >40 nationalities, not a range of one field",
    "A6": "the share of children splits every camp population; no single field holds it",
    "A14": "coordinates are only drawn on maps; the road distances they feed vary by [A20]",
    "A18": "an order of the disposition rules, not a range",
    "P3": "who pays repatriation (home state or custodian) is a choice within a policy, "
          "a lever rather than an uncertainty",
    "P6": "the alternative (the coalition absorbs it) is a different rule, not a value",
}
"""Ranged assumptions of the docs that are not uncertainties, and why."""

_ROW = re.compile(r"^\|\s*((?:A|P)\d+)\s*\|(.*)\|\s*$")
_BLOCK = re.compile(r"(<!-- uncertainties:(?P<name>[\w:]+) -->\n)(.*?)(<!-- /uncertainties -->)",
                    re.S)
DOCS = {"sources.md": ("A", "baseline", "jan2026_replay"), "policies.md": ("P", "baseline")}


def documented_ranges(root: Path) -> set[str]:
    """Ids of the assumption tables (docs/sources.md, docs/policies.md) that give a range."""
    out = set()
    for doc, col in (("sources.md", 3), ("policies.md", 2)):
        for line in (root / "docs" / doc).read_text(encoding="utf-8").splitlines():
            m = _ROW.match(line)
            if m:
                cells = [c.strip() for c in m.group(2).split("|")]
                if len(cells) > col - 1 and cells[col - 1] not in ("", "-"):
                    out.add(m.group(1))
    return out


def _value(u: Uncertainty, data: dict) -> str:
    v = lookup(data, u.paths[0])
    if u.scale:
        return "the fields' values"
    if isinstance(v, (dict, list)):
        return "`" + json.dumps(v, separators=(", ", ": "))[:40] + "`"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _fields(u: Uncertainty) -> str:
    paths = u.paths
    shown = ", ".join(f"`{p}`" for p in paths[:2])
    return shown + (f" and {len(paths) - 2} more" if len(paths) > 2 else "")


def table(section: dict[str, Uncertainty], data: dict, kind: str,
          removed: list[str] = ()) -> str:
    """A markdown table of the uncertainties whose tag starts with ``kind``."""
    lines = ["| id | uncertainty | field(s) | value used | distribution and range |",
             "|---|---|---|---|---|"]
    rows = []
    for name, u in section.items():
        tags = [t.strip("[]") for t in u.tags if t.startswith(f"[{kind}")]
        if not tags:
            continue
        rng = u.range_text() + (f" ({u.note})" if u.note else "")
        rows.append((int(tags[0][1:]), f"| {', '.join(tags)} | `{name}` | {_fields(u)} | "
                                       f"{_value(u, data)} | {rng.replace('|', '/')} |"))
    lines += [r for _, r in sorted(rows, key=lambda t: t[0])]
    lines += [f"| - | `{name}` | - | - | not varied here |" for name in removed]
    return "\n".join(lines) + "\n"


def blocks(root: Path) -> dict[str, str]:
    """Marker name -> generated table, e.g. ``A:baseline``, ``A:jan2026_replay``."""
    from sim.scenario import load_scenario

    out = {}
    for kind, *names in DOCS.values():
        base = None
        for name in names:
            scn = load_scenario(root / "scenarios" / f"{name}.yaml")
            data = scn.model_dump(mode="json", by_alias=True, exclude_none=True)
            section = active(scn.uncertainties)
            if base is None:
                base, shown, removed = section, section, []
            else:  # a variant: what differs from the baseline
                shown = {k: u for k, u in section.items() if base.get(k) != u}
                removed = [k for k in base if k not in section]
            out[f"{kind}:{name}"] = table(shown, data, kind, removed)
    return out


def update(root: Path, check: bool = False) -> list[str]:
    """Rewrite the tables (or only compare, with ``check``); the docs out of date."""
    tables = blocks(root)
    stale = []
    for doc in DOCS:
        path = root / "docs" / doc
        text = path.read_text(encoding="utf-8")

        def fill(m: re.Match) -> str:
            body = tables.get(m.group("name"), "")
            return m.group(1) + body + m.group(4)

        new = _BLOCK.sub(fill, text)
        if new != text:
            stale.append(str(path))
            if not check:
                path.write_text(new, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[2]
    stale = update(root, check="--check" in argv)
    for path in stale:
        print(f"{path}: range table {'out of date' if '--check' in argv else 'rewritten'}")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    raise SystemExit(main())
