"""Output for pipes: ``--format csv|json|markdown`` gives parseable tables whose numbers are the
raw values (the same as the saved comparison), and an unknown format is a clear error."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from sim.cli import app
from sim.kpis import headline, label
from tests.plots import stored

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_compare_csv_holds_the_comparison_in_display_units(tmp_path):
    folder = stored.copy_of(stored.batch_store(), tmp_path)
    res = invoke("compare", folder, "--format", "csv")
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    saved = pd.read_csv(folder / "compare.csv")
    assert set(table["kpi"]) == set(headline()) & set(saved["kpi"])
    for _, r in table.iterrows():
        s = saved[(saved["kpi"] == r["kpi"]) & (saved["policy"] == r["policy"])].iloc[0]
        scale = label(r["kpi"])[2]
        if r["kpi"] == "completion_day":  # the estimate is the median (inf: never)
            want = s["median"]
        else:
            want = s["mean"] * scale
        got = float(r["estimate"]) if r["estimate"] != "inf" else math.inf
        assert (math.isnan(got) and math.isnan(want)) or math.isclose(got, want,
                                                                      rel_tol=1e-9)
        assert r["unit"] == label(r["kpi"])[1]


def test_compare_json_and_markdown(tmp_path):
    folder = stored.copy_of(stored.batch_store(), tmp_path)
    res = invoke("compare", folder, "--format", "json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    assert {"kpi", "policy", "estimate", "difference", "p_holm", "rank"} <= set(rows[0])
    md = invoke("compare", folder, "--format", "markdown").stdout
    assert "| policy |" in md and "|---|" in md and "### " in md


def test_run_json_is_one_document(tmp_path):
    res = invoke("run", ROOT / "scenarios" / "jan2026_replay.yaml", "-n", "2", "--out",
                 tmp_path / "r", "--no-plots", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["kpis"] and doc["observed"]
    assert {r["kpi"] for r in doc["kpis"]} >= {"transferred", "escaped"}


def test_unknown_format_is_a_clear_error(tmp_path):
    res = invoke("compare", stored.batch_store(), "--format", "jsno")
    assert res.exit_code == 2
    assert "did you mean 'json'" in " ".join(res.stderr.split())
