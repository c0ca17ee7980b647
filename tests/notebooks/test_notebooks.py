"""Every notebook executes (nbclient, kernel python3) with its small parameters.

Outputs go to a temporary folder: a cell setting ``OUT`` is injected after the cell tagged
``parameters`` (as papermill does). The committed notebooks carry no outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["01_scenario_end_to_end.ipynb",
                                           "02_policy_comparison.ipynb",
                                           "03_batch_and_sweep.ipynb",
                                           "04_uncertainty.ipynb",
                                           "05_calibration.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert book.metadata.kernelspec.name == "python3"
    tagged = [c for c in book.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "one cell tagged 'parameters'"
    assert "REPLICATIONS" in tagged[0].source and "OUT = None" in tagged[0].source
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    sources = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert "results/" not in sources, "notebooks write to a temporary folder"
    imports = [line for line in sources.splitlines() if line.startswith(("import ", "from "))]
    for line in imports:  # the public API only
        assert not any(f"sim.{m}" in line for m in ("model", "batch.", "analysis.", "runner")), \
            line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, tmp_path):
    from nbclient import NotebookClient

    book = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(book.cells)
              if "parameters" in c.get("metadata", {}).get("tags", []))
    injected = nbformat.v4.new_code_cell(f"OUT = {str(tmp_path / 'out')!r}")
    injected.metadata["tags"] = ["injected-parameters"]
    book.cells.insert(at + 1, injected)
    client = NotebookClient(book, kernel_name="python3", timeout=240,
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    images = [o for c in book.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) >= 3, "figures are displayed"
    written = list((tmp_path / "out").rglob("*"))
    assert written, "outputs go to OUT"
    assert not (ROOT / "results" / "policies_nb").exists()
