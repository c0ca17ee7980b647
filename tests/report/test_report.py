"""``sim report``: one self-contained HTML file, checked as text and in headless Chromium."""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.errors import OutputError
from sim.report import build_report
from tests.plots import stored
from tests.report.browser import IMAGES_OK, Browser, find_chromium

runner = CliRunner()
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (make test installs it with "
                             "`apt-get install -y chromium`; it could not be installed here)")


@pytest.fixture(scope="module")
def batch_report(tmp_path_factory, batch_dir):
    folder = stored.copy_of(batch_dir, tmp_path_factory.mktemp("batch-report"))
    return build_report(folder)


@pytest.fixture(scope="module")
def run_report(tmp_path_factory, run_dir):
    folder = stored.copy_of(run_dir, tmp_path_factory.mktemp("run-report"))
    return build_report(folder)


def images(text: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]+)"', text)


@pytest.mark.parametrize("which", ["batch_report", "run_report"])
def test_report_is_self_contained(which, request):
    path = request.getfixturevalue(which)
    assert path.name == "report.html" and path.is_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    # nothing to fetch: no scripts, stylesheets, fonts or images from elsewhere
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r'(src|href)="(?!#|data:)', text)
    srcs = images(text)
    assert len(srcs) >= 8
    for src in srcs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "@media print" in text and "@page" in text


def test_batch_report_content(batch_report):
    text = batch_report.read_text(encoding="utf-8")
    for heading in ("Summary", "Key figures", "Policy comparison", "Transfers over time",
                    "Who pays", "Scenario", "Assumptions and sources", "Provenance"):
        assert f">{heading}</h2>" in text, heading
    # KPI and comparison tables
    assert "People transferred to Iraq" in text and "difference vs baseline" in text
    assert "p (Holm)" in text and "iraq_alone" in text and "eu_key" in text
    # assumptions and sources quoted from docs/sources.md, cited by the scenario comments
    assert "scenarios/baseline.yaml" in text
    assert re.search(r"<strong>A1</strong>", text) and re.search(r"<strong>S1</strong>", text)
    assert "Reuters camp data" in text  # S1
    assert "<strong>P2</strong>" in text  # policy assumptions from docs/policies.md
    # provenance: spec, seed, versions
    assert "Batch spec" in text and "plots_batch" in text and "20260121" in text
    assert "Package versions" in text and "numpy" in text


def test_reports_embed_the_analysts_figures(batch_report, run_report):
    batch = batch_report.read_text(encoding="utf-8")
    for fig in ("tradeoff", "costs-shares", "costs", "beds", "forest"):
        assert f'id="fig-{fig}"' in batch, fig
    assert ">Trade-offs between policies</h2>" in batch
    run = run_report.read_text(encoding="utf-8")
    for fig in ("costs-budgets", "transfers-history", "tradeoff"):
        assert f'id="fig-{fig}"' in run, fig
    # completion is described by its median and the share finished, never a bare mean
    assert "finished" in batch and "median" in batch


def test_run_report_compares_with_observations(run_report):
    text = run_report.read_text(encoding="utf-8")
    assert "Model against observed cumulative transfers" in text
    assert "2,250" in text and "relative error" in text
    assert "scenarios/jan2026_replay.yaml" in text and "A36" in text
    assert "sim run" in text and "--seed 20260118" in text


def test_report_of_a_folder_that_is_not_results(tmp_path):
    with pytest.raises(OutputError, match="not a results folder"):
        build_report(tmp_path)
    assert not (tmp_path / "report.html").exists()


def test_sim_report_command(tmp_path, batch_dir):
    folder = stored.copy_of(batch_dir, tmp_path)
    out = tmp_path / "shared" / "r.html"
    out.parent.mkdir()
    res = runner.invoke(app, ["report", str(folder), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"report written to {out}" in res.output
    assert out.stat().st_size > 100_000
    res = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "not a folder" in res.output


# ----------------------------------------------------------------------------- browser
def _check_in_browser(path: Path, shots: Path) -> dict:
    with Browser(width=1280, height=2000) as b:
        session, page = b.open(path.resolve().as_uri())
        imgs = b.evaluate(session, IMAGES_OK)
        title = b.evaluate(session, "document.title")
        shot = b.screenshot(session, shots / f"{path.parent.name}.png")
        pdf = b.pdf(session, shots / f"{path.parent.name}.pdf")
    return {"page": page, "images": imgs, "title": title, "shot": shot, "pdf": pdf}


@needs_chromium
@pytest.mark.parametrize("which", ["batch_report", "run_report"])
def test_report_in_headless_chromium(which, request, tmp_path):
    path = request.getfixturevalue(which)
    got = _check_in_browser(path, tmp_path)
    page = got["page"]
    assert page.loaded
    assert page.errors == [], page.errors  # no console errors, exceptions or failed loads
    assert got["images"]["count"] >= 8 and got["images"]["broken"] == []
    assert "Transfers from north-east Syria to Iraq" in got["title"]
    shot = got["shot"].read_bytes()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    import struct

    width, height = struct.unpack(">II", shot[16:24])
    assert (width, height) == (1280, 2000)
    pdf = got["pdf"].read_bytes()
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") >= 5  # prints over pages
    keep = os.environ.get("SIM_REPORT_SCREENSHOT_DIR")
    if keep:  # to look at the page: SIM_REPORT_SCREENSHOT_DIR=/some/dir pytest ...
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(got["shot"], Path(keep) / f"report-{which}.png")
        shutil.copy(got["pdf"], Path(keep) / f"report-{which}.pdf")


@needs_chromium
def test_the_browser_check_catches_errors(tmp_path):
    """The checks above are not vacuous: a broken image and a script error are reported."""
    bad = tmp_path / "bad" / "index.html"
    bad.parent.mkdir()
    bad.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body>'
                   '<img alt="missing" src="missing.png">'
                   '<img alt="corrupt" src="data:image/png;base64,AAAA">'
                   '<script>console.error("boom"); undefinedFunction();</script></body></html>')
    got = _check_in_browser(bad, tmp_path)
    errors = " ".join(got["page"].errors)
    assert "boom" in errors and "undefinedFunction" in errors
    assert sorted(got["images"]["broken"]) == ["corrupt", "missing"]


def test_report_of_a_sweep_without_daily_series(tmp_path):
    folder = stored.copy_of(stored.sweep_store(), tmp_path)
    text = build_report(folder).read_text(encoding="utf-8")
    assert "did not keep daily series" in text
    assert "Parameter sweeps" in text and "fleets.road_convoy.units" in text
    assert text.count("<h2>Key figures (") == 2  # one table per sweep point
