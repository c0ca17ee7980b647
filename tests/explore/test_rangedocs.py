"""The range tables of the docs are written from the scenarios' uncertainties."""

from __future__ import annotations

from pathlib import Path

from sim.exploration.rangedocs import blocks, update

ROOT = Path(__file__).resolve().parents[2]


def test_docs_range_tables_are_up_to_date():
    stale = update(ROOT, check=True)
    assert not stale, f"run `python -m sim.exploration.rangedocs`: {stale} out of date"


def test_the_tables_list_every_uncertainty_of_its_kind():
    from sim.scenario import load_scenario
    from sim.scenario.uncertainties import active

    section = active(load_scenario(ROOT / "scenarios" / "baseline.yaml").uncertainties)
    tables = blocks(ROOT)
    for name, u in section.items():
        kind = u.tags[0][1]
        assert f"`{name}`" in tables[f"{kind}:baseline"], name
