"""``plot_folder`` and ``sim plot`` end to end on a batch store and a ``sim run`` folder."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.errors import OutputError
from sim.plots.files import load_folder, plot_folder
from tests.plots import stored

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
DAILY = {"transfers", "population", "beds", "blocking"}
KPI = {"costs", "costs-shares", "tradeoff", "outcomes", "flows", "flows-iraq_alone", "forest"}
RUN = {"costs-budgets", "transfers-history"}
"""Figures of a `sim run` folder of the replay: it keeps the payers table, daily series of
every day, and the scenario has observed counts."""


@pytest.fixture()
def batch_copy(tmp_path, batch_dir):
    return stored.copy_of(batch_dir, tmp_path)


def names(paths) -> set[str]:
    return {p.stem for p in paths}


def test_plot_folder_on_a_batch_store(batch_copy):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = plot_folder(batch_copy, strict=True)
    assert names(written) == DAILY | KPI
    for p in written:
        assert p.parent == batch_copy / "figures"
        assert p.read_bytes()[:8] == PNG
        assert p.stat().st_size > 10_000
    assert not [p for p in (batch_copy / "figures").iterdir() if p.name.startswith(".")]


def test_plot_folder_on_a_run_folder(tmp_path, run_dir):
    folder = stored.copy_of(run_dir, tmp_path)
    written = plot_folder(folder, formats=("png", "svg"), strict=True)
    assert names(written) == DAILY | KPI | RUN
    assert {p.suffix for p in written} == {".png", ".svg"}
    svg = (folder / "figures" / "transfers.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "Cumulative transfers" in svg


def test_a_batch_without_daily_series_gets_the_kpi_figures_and_sweeps(tmp_path):
    folder = stored.copy_of(stored.sweep_store(), tmp_path)
    data = load_folder(folder)
    assert data.sweep_columns == ["fleets.road_convoy.units"]
    assert len(data.views) == 2  # one per sweep point
    written = plot_folder(folder, strict=True)
    got = names(written)
    assert not any(n.startswith(tuple(DAILY)) for n in got)
    assert {"sweep-fleets.road_convoy.units-escaped",
            "sweep-fleets.road_convoy.units-transferred"} <= got
    assert {n for n in got if n.startswith("costs-short")} == {
        "costs-short_fleets.road_convoy.units_5", "costs-short_fleets.road_convoy.units_15"}


def test_not_a_results_folder(tmp_path):
    with pytest.raises(OutputError, match="not a results folder"):
        plot_folder(tmp_path)
    with pytest.raises(OutputError, match="not a folder"):
        plot_folder(tmp_path / "missing")


def test_unknown_format(batch_copy):
    with pytest.raises(OutputError, match="unknown figure format 'jpg'"):
        plot_folder(batch_copy, formats="png,jpg")
    assert not (batch_copy / "figures").exists(), "nothing written on a bad request"


def test_sim_plot_command(batch_copy):
    res = runner.invoke(app, ["plot", str(batch_copy), "--format", "png,pdf"])
    assert res.exit_code == 0, res.output
    assert (batch_copy / "figures" / "forest.pdf").read_bytes()[:5] == b"%PDF-"
    assert f"{2 * len(DAILY | KPI)} figure file(s) written" in res.output


def test_sim_plot_errors_exit_2_without_traceback(tmp_path):
    res = runner.invoke(app, ["plot", str(tmp_path)])
    assert res.exit_code == 2
    assert "not a results folder" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["plot", str(tmp_path), "--format", "gif"])
    assert res.exit_code == 2


def test_sim_run_draws_the_figures(tmp_path):
    out = tmp_path / "tiny"
    res = runner.invoke(app, ["run", str(stored.ROOT / "tests" / "data" / "tiny.yaml"), "-n",
                              "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "figures written to" in res.output
    got = {p.stem for p in (out / "figures").glob("*.png")}
    assert {"transfers", "population", "beds", "outcomes", "flows"} <= got


def test_a_saved_comparison_sets_the_baseline(batch_copy):
    import sim

    sim.compare(batch_copy, baseline="eu_key", save=True)  # as `sim compare --baseline eu_key`
    data = load_folder(batch_copy)
    assert data.compare.attrs["baseline"] == "eu_key"
    assert data.baseline_policy() == "eu_key"
    written = plot_folder(batch_copy, strict=True)
    assert "flows-eu_key" in names(written)


def test_a_saved_comparison_by_sweep_value_is_not_taken_for_policies(tmp_path):
    import sim

    folder = stored.copy_of(stored.sweep_store(), tmp_path)
    sim.compare(folder, by="fleets.road_convoy.units", baseline=5, save=True)
    assert plot_folder(folder, strict=True)  # no "unknown policy 5"
