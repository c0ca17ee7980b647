"""The benchmark harness (benchmarks/) works: the table renders, a budget that does not hold
or a premise that fails gives exit status 1, the premise checks catch unequal trips, the
generated section of docs/performance.md is replaced in place, and the M/M/10 yardstick
serves customers at the rate queueing theory says."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

import sim
from benchmarks import docs, suite
from benchmarks.harness import (
    Budget,
    Measure,
    Row,
    Settings,
    at_least,
    at_most,
    exit_code,
    interleave,
    render_markdown,
    render_text,
)
from benchmarks.variants import (
    BASELINE,
    NO_ESCAPES,
    NOBODY_MOVES,
    ROOT,
    TINY,
    PremiseError,
    budget_bound,
    check_nobody_moved,
    check_same_trips,
    check_trip_multiple,
    scaled,
    with_horizon,
)
from benchmarks.yardstick import run_mmc


def _rows() -> list[Row]:
    return [Row("ratio within budget", 6.0, budget=at_least(5), load=1.25, note="a note"),
            Row("ratio over budget", 1.6, budget=at_most(1.3), load=2.0),
            Row("informative ratio", 12.0, budget=at_most(10, binding=False)),
            Row("help", 0.12, unit="s", budget=at_most(0.3, unit="s")),
            Row("premise | broken", math.nan, error="not the same trips (1 against 2)")]


# ----------------------------------------------------------------------------- table
def test_table_renders_every_row_with_its_verdict():
    text = render_text(_rows())
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["measure", "measured", "budget"]
    row = {line.split("  ")[0].strip(): line for line in lines[2:] if not line.startswith(" ")}
    assert row["ratio within budget"].split()[-2:] == ["PASS", "1.25"]
    assert "6.00x" in row["ratio within budget"] and ">= 5.00x" in row["ratio within budget"]
    assert "FAIL" in row["ratio over budget"] and "<= 1.30x" in row["ratio over budget"]
    assert "info (over)" in row["informative ratio"]
    assert "0.120 s" in row["help"] and "<= 0.300 s" in row["help"]
    assert "premise failed" in row["premise | broken"]
    assert "    not the same trips (1 against 2)" in lines and "    a note" in lines


def test_markdown_table_has_one_line_per_row_and_the_notes():
    md = render_markdown(_rows()).splitlines()
    table = [line for line in md if line.startswith("|")]
    assert len(table) == 2 + len(_rows())
    assert all(line.count(" | ") == 4 for line in table if not line.startswith("|-"))
    assert "premise \\| broken" in table[-1]  # a | in a name does not break the table
    assert "- ratio within budget: a note" in md


def test_budgets_hold_or_not():
    assert at_least(5).holds(5.0) and not at_least(5).holds(4.99)
    assert at_most(1.3).holds(1.3) and not at_most(1.3).holds(1.31)
    assert not at_most(1.3).holds(math.nan) and not at_least(5).holds(math.nan)
    with pytest.raises(ValueError):
        Budget("<", 1.0)


def test_exit_code_counts_binding_budgets_and_premises_only():
    passing = Row("a", 6.0, budget=at_least(5))
    info = Row("b", 12.0, budget=at_most(10, binding=False))
    plain = Row("c", 3.0)
    assert exit_code([passing, info, plain]) == 0
    assert exit_code([passing, Row("d", 1.6, budget=at_most(1.3))]) == 1
    assert exit_code([passing, Row("e", math.nan, error="premise")]) == 1


# ----------------------------------------------------------------------------- main
def _measure(key: str, value: float, budget) -> Measure:
    return Measure(key, key, lambda s: [Row(f"{key} figure", value, budget=budget)])


def _premise(s: Settings) -> list[Row]:
    check_same_trips("injected", [166, 166], [166, 170])
    return []


def test_main_exit_status_follows_the_budgets(capsys):
    good = _measure("good", 0.5, at_most(1.0))
    bad = _measure("bad", 2.0, at_most(1.0))
    assert suite.main(["--quick"], measures=[good]) == 0
    assert suite.main(["--quick"], measures=[good, bad]) == 1
    out = capsys.readouterr().out
    assert "bad figure" in out and "FAIL" in out
    assert suite.main(["--quick", "--only", "good"], measures=[good, bad]) == 0


def test_main_fails_when_a_premise_does_not_hold(capsys):
    good = _measure("good", 0.5, at_most(1.0))
    assert suite.main(["--quick"], measures=[good, Measure("p", "premise", _premise)]) == 1
    assert "not the same trips" in capsys.readouterr().out


def test_main_writes_the_generated_section(tmp_path, monkeypatch, capsys):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Title\n\nText before.\n\n{docs.START}\nold\n{docs.END}\n\nText after.\n")
    monkeypatch.setattr(docs, "DOC", doc)
    assert suite.main(["--quick", "--write-docs"],
                      measures=[_measure("good", 0.5, at_most(1.0))]) == 0
    text = doc.read_text()
    assert text.startswith("# Title\n\nText before.\n\n") and text.endswith("\n\nText after.\n")
    assert "old" not in text and "| good figure | 0.50x | <= 1.00x | PASS |" in text
    assert "CPU cores" in text and "Load average" in text and "quick version" in text


def test_command_line_quick_run_prints_the_table_and_a_consistent_status():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "help"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "sim --help wall time" in proc.stdout, proc.stderr
    assert proc.returncode == (1 if " FAIL " in proc.stdout else 0)


def test_interleave_takes_one_sample_of_each_side_in_turn():
    calls: list[tuple[str, int]] = []
    got = interleave({"a": lambda i: calls.append(("a", i)) or i,
                      "b": lambda i: calls.append(("b", i)) or -i}, repeats=3)
    assert calls == [("a", 0), ("b", 0)] + [(s, i) for i in range(3) for s in "ab"]
    assert got["a"].values == [0, 1, 2] and got["b"].values == [0, -1, -2]
    assert all(len(x.seconds) == len(x.loads) == 3 for x in got.values())


# ----------------------------------------------------------------------------- premises
def test_premise_checks_raise_when_trips_differ():
    assert check_same_trips("same", [166, 158], [166, 158]) == 166
    with pytest.raises(PremiseError, match="not the same trips"):
        check_same_trips("x100", [166, 158], [170, 158])
    with pytest.raises(PremiseError):
        check_same_trips("x100", [166], [166, 158])
    assert check_trip_multiple("x10", [100, 200], [980, 2000], 10) == pytest.approx(9.9)
    with pytest.raises(PremiseError, match="times the trips"):
        check_trip_multiple("x10", [100], [100], 10)


def _trips(scn, policy=None, replication=0) -> tuple[int, float]:
    k = sim.simulate(scn, policy=policy, replication=replication).kpis
    return int(k["trips"]), k["transferred"]


def test_scaled_tiny_world_runs_the_same_trips_or_ten_times_as_many():
    tiny = sim.load_scenario(TINY)
    trips, moved = _trips(tiny)
    assert _trips(scaled(tiny, 100)) == (trips, 100 * moved)
    more, moved10 = _trips(scaled(tiny, 10, units=10))
    assert moved10 == 10 * moved and more == 10 * trips
    with pytest.raises(PremiseError):  # more people, seats as shipped: not the same trips
        check_same_trips("people only", [trips], [_trips(scaled(tiny, 10, units=10))[0]])
    assert _trips(with_horizon(tiny, 4)) == (trips, moved)


def test_scaled_baseline_without_escapes_is_the_same_trips_with_100_times_the_people():
    base = sim.load_scenario(BASELINE, overrides=NO_ESCAPES)
    big = scaled(base, 100)
    policy = budget_bound(base)[0]
    assert big.policies[policy].budgets["IRQ"].annual == 100 * base.policies[
        policy].budgets["IRQ"].annual
    trips, moved = _trips(base)
    assert _trips(big) == (trips, 100 * moved)
    # A budget approves people one at a time while its ceiling covers the next one, so with
    # a hundred times the money the last approvals fall on a finer grain: the same trips,
    # about a hundred times the people.
    trips, moved = _trips(base, policy)
    big_trips, big_moved = _trips(big, policy)
    assert big_trips == trips and big_moved == pytest.approx(100 * moved, rel=1e-3)


@pytest.mark.parametrize("policy", [None, "iraq_alone"])
def test_baseline_where_nobody_moves_has_no_trip_transfer_or_escape(policy):
    base = sim.load_scenario(BASELINE)
    moving = sim.simulate(base, policy=policy).kpis
    with pytest.raises(PremiseError, match="somebody moved"):
        check_nobody_moved("as shipped", [moving])
    still = sim.simulate(sim.load_scenario(BASELINE, overrides=NOBODY_MOVES), policy=policy).kpis
    check_nobody_moved("nobody moves", [still])
    assert still["trips"] == still["transferred"] == still["escaped"] == 0
    assert moving["trips"] > 0 and moving["escaped"] > 0


def test_stock_change_days_counts_days_on_which_the_sites_stocks_move():
    from benchmarks.model_measures import _stock_change_days

    assert _stock_change_days(sim.load_scenario(BASELINE, overrides=NOBODY_MOVES)) == 0
    tiny = sim.load_scenario(TINY)  # no escapes: the trips leave, then nothing moves
    days = _stock_change_days(tiny)
    assert 0 < days == _stock_change_days(with_horizon(tiny, 4))


def test_scaling_refuses_units_that_do_not_divide_the_people():
    with pytest.raises(ValueError):
        scaled(sim.load_scenario(TINY), 10, units=3)


# ----------------------------------------------------------------------------- docs
def test_section_replacement_is_idempotent_and_keeps_the_text_around_it():
    text = f"head\n\n{docs.START}\nold table\n{docs.END}\ntail\n"
    once = docs.replace_section(text, "new table\n")
    assert once == f"head\n\n{docs.START}\nnew table\n{docs.END}\ntail\n"
    assert docs.replace_section(once, "new table\n") == once
    for broken in ("no markers", f"{docs.END}\n{docs.START}\n",
                   f"{docs.START}{docs.END}{docs.START}{docs.END}"):
        with pytest.raises(ValueError):
            docs.replace_section(broken, "x")


def test_write_docs_reports_whether_the_file_changed(tmp_path):
    doc = tmp_path / "p.md"
    doc.write_text(f"a\n{docs.START}\n{docs.END}\nb\n")
    assert docs.write_docs("table", doc) is True
    assert docs.write_docs("table", doc) is False
    assert doc.read_text() == f"a\n{docs.START}\ntable\n{docs.END}\nb\n"


def test_performance_page_has_one_generated_section():
    text = docs.DOC.read_text(encoding="utf-8")
    assert text.count(docs.START) == 1 and text.count(docs.END) == 1
    assert text.index(docs.START) < text.index(docs.END)


# ----------------------------------------------------------------------------- yardstick
@pytest.mark.parametrize("seed", [1, 2])
def test_yardstick_serves_the_arrival_rate_over_a_long_run(seed):
    # A stationary M/M/c queue's departures are a Poisson process of the arrival rate
    # (Burke's theorem): over time T about lam*T are served, with standard deviation
    # sqrt(lam*T). Starting empty serves about L (mean number in the system, ~17 here)
    # fewer; 4 standard deviations cover both.
    lam, horizon = 9.0, 8_000.0
    run = run_mmc(until=horizon, arrival_rate=lam, service_rate=1.0, servers=10, seed=seed)
    expected, sd = lam * horizon, math.sqrt(lam * horizon)
    assert abs(run.served - expected) < 4 * sd
    assert abs(run.arrived - expected) < 4 * sd
    assert 0 <= run.arrived - run.served < 200  # those still in the system at the end
    assert run.sim_time == horizon and run.served_per_s > 0


def test_yardstick_serves_every_customer_of_a_finite_stream():
    run = run_mmc(2_000, seed=3)
    assert run.arrived == run.served == 2_000
    # 2,000 arrivals at rate 9 take about 2000/9 = 222 time units (sd 222/sqrt(2000) = 5)
    assert 2_000 / 9 - 25 < run.sim_time < 2_000 / 9 + 25 + 20
