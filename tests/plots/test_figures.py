"""Each figure function on small stored results: panels, series, labels, edge cases."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim.plots as plots
from sim.plots.data import moved_from_kpis, moved_from_trips, policy_keys
from sim.plots.style import OKABE_ITO, PALETTE, Provenance

PROV = Provenance(scenario="baseline", replications=3, seed=20260121, version="0.1.0",
                  source="batch 'test'")


# ----------------------------------------------------------------------------- helpers
def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.texts]


def gids(ax, kind: str = "lines") -> list[str]:
    return [a.get_gid() for a in getattr(ax, kind) if a.get_gid()]


def by_prefix(ax, prefix: str, kind: str = "lines") -> list[str]:
    return [g for g in gids(ax, kind) if g.startswith(prefix)]


def check_common(fig: Figure, title_words: str) -> None:
    """Title, provenance footnote, rendered without error, nothing outside the figure."""
    assert isinstance(fig, Figure)
    title = next(t for t in fig.texts if t.get_gid() == "title")
    assert title_words.lower() in title.get_text().lower()
    foot = next(t for t in fig.texts if t.get_gid() == "provenance").get_text()
    assert "sim " in foot
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # a plain savefig keeps title and footnote
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for t in (title, next(t for t in fig.texts if t.get_gid() == "provenance")):
        ext = t.get_window_extent(renderer)
        assert ext.x0 >= box.x0 - 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def check_units(ax, word: str) -> None:
    label = ax.get_ylabel() + " " + ax.get_xlabel()
    assert word in label, label


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """Figure functions must not touch pyplot's global figure registry."""
    from matplotlib._pylab_helpers import Gcf

    before = len(Gcf.get_all_fig_managers())
    yield
    assert len(Gcf.get_all_fig_managers()) == before


def test_backend_is_not_interactive():
    assert matplotlib.get_backend().lower() in ("agg", "module://matplotlib_inline.backend_inline")


# ----------------------------------------------------------------------------- time series
def test_site_population_panels_series_and_bands(batch, baseline):
    daily = batch.daily
    fig = plots.site_population(daily, scenario=baseline, provenance=PROV)
    check_common(fig, "site")
    axes = fig.axes
    assert len(axes) == len(baseline.sites) == 6
    for ax, site in zip(axes, baseline.sites.values()):
        assert ax.get_title(loc="left").replace("\n", " ") == site.name
        medians = by_prefix(ax, "median:")
        assert sorted(medians) == sorted(f"median:{p}" for p in ("iraq_alone", "eu_key"))
        assert len(by_prefix(ax, "band90:", "collections")) == 2
        assert len(by_prefix(ax, "band50:", "collections")) == 2
        check_units(ax, "people")
    foot = next(t for t in fig.texts if t.get_gid() == "provenance").get_text()
    assert "Scenario baseline" in foot and "seed 20260121" in foot and "3 replication" in foot
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"iraq_alone", "eu_key", "50% of replications", "90% of replications"} <= set(
        legend)
    # dates on the time axis
    assert isinstance(axes[-1].xaxis.get_major_formatter(), matplotlib.dates.ConciseDateFormatter)


def test_policy_colours_are_okabe_ito(batch):
    fig = plots.site_population(batch.daily, sites=["al_hol"])
    colours = {line.get_gid(): matplotlib.colors.to_hex(line.get_color())
               for line in fig.axes[0].lines if line.get_gid()}
    assert colours["median:iraq_alone"].upper() == OKABE_ITO["blue"].upper()
    assert colours["median:eu_key"].upper() == OKABE_ITO["orange"].upper()
    assert all(c.upper() in {p.upper() for p in PALETTE} for c in colours.values())


def test_cumulative_transfers_with_observations_and_error(run_tables, replay):
    daily = run_tables["daily"]
    fig = plots.cumulative_transfers(daily, scenario=replay, provenance="sim run test")
    check_common(fig, "cumulative transfers")
    (ax,) = fig.axes
    assert sorted(by_prefix(ax, "median:")) == ["median:eu_key", "median:iraq_alone"]
    assert len(by_prefix(ax, "observed", "collections")) == 1
    observed = next(c for c in ax.collections if c.get_gid() == "observed")
    assert len(observed.get_offsets()) == len(replay.observed) == 4
    assert len(by_prefix(ax, "error")) == 4
    table = next(t for t in ax.texts if t.get_gid() == "error-table").get_text()
    assert "mean |relative error|" in table and "2,250" in table
    check_units(ax, "people departed")  # the replay's observations count departures


def test_cumulative_transfers_without_observations(batch):
    fig = plots.cumulative_transfers(batch.daily, provenance=PROV)
    (ax,) = fig.axes
    assert not by_prefix(ax, "observed", "collections")
    check_units(ax, "arrived in Iraq")


def test_bed_occupancy_against_capacity(batch, baseline):
    fig = plots.bed_occupancy(batch.daily, scenario=baseline, provenance=PROV)
    check_common(fig, "bed capacity")
    assert len(fig.axes) == len(baseline.destinations) == 3
    for ax, dest in zip(fig.axes, baseline.destinations.values()):
        assert ax.get_title(loc="left").replace("\n", " ") == dest.name
        assert len(by_prefix(ax, "median:")) == 2
        assert by_prefix(ax, "capacity:"), "capacity line"
        check_units(ax, "people")
    # eu_key's pooled fund buys beds: capacity drawn per policy where it differs
    jeddah = fig.axes[0]
    assert max(max(line.get_ydata()) for line in jeddah.lines
               if (line.get_gid() or "").startswith("capacity:")) >= 3000


def test_blocking_stacked_area_per_policy(batch):
    fig = plots.blocking(batch.daily, provenance=PROV)
    check_common(fig, "held transfers back")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["iraq_alone", "eu_key"]
    reasons = {t.get_text() for t in fig.legends[0].get_texts()}
    assert "no funding" in reasons  # Iraq's budget binds under iraq_alone
    for ax in fig.axes:
        assert len(ax.collections) == len(reasons)  # one stacked layer per constraint
        check_units(ax, "people held back")


# ----------------------------------------------------------------------------- costs
def test_payer_costs_bars_and_shares_against_key(batch, baseline):
    keys = policy_keys(baseline, ["iraq_alone", "eu_key"])
    assert keys and abs(sum(keys["eu_key"].values()) - 1) < 1e-9
    fig = plots.payer_costs(batch.kpis, keys=keys, top=5, provenance=PROV)
    check_common(fig, "who pays")
    ax, ax2 = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["iraq_alone", "eu_key"]
    payers = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(payers) == 6 and payers[-1] == "others"
    assert len(ax.patches) == 2 * len(payers)  # one bar segment per policy and payer
    check_units(ax, "USD million")
    labels = [t.get_text() for t in ax2.get_xticklabels()]
    # both policies share one key, and the label says whose it is
    assert labels == ["iraq_alone", "eu_key", "reference key of all policies"]
    # the stacked shares of each bar add up to 100%
    for name in ("iraq_alone", "eu_key", "reference key of all policies"):
        tops = [p.get_height() for p in ax2.patches if p.get_gid().startswith(f"share:{name}:")]
        assert sum(tops) == pytest.approx(100, abs=1e-3)


def test_payer_costs_with_a_zero_cost_policy(batch):
    kpis = batch.kpis.copy()
    free = kpis[kpis["policy"] == "eu_key"].copy()
    free["policy"] = "free"
    for c in free.columns:
        if c.startswith("cost:payer:"):
            free[c] = 0.0
    fig = plots.payer_costs(pd.concat([kpis, free]), provenance=PROV)
    ax, ax2 = fig.axes
    assert "no cost" in [t.get_text() for t in ax.texts]
    assert "no cost" in [t.get_text() for t in ax2.texts]
    assert "free" in next(t for t in fig.texts if t.get_gid() == "provenance").get_text()


def test_payer_costs_without_payer_columns():
    kpis = pd.DataFrame({"policy": ["none", "none"], "replication": [0, 1],
                         "escaped": [1.0, 2.0]})
    fig = plots.payer_costs(kpis)
    assert "no payer costs" in fig.axes[0].texts[0].get_text()


# ----------------------------------------------------------------------------- comparison
def test_forest_plot_from_compare_table(batch):
    import sim

    table = sim.compare(batch, baseline="iraq_alone")
    fig = plots.forest(table, kpis=["escaped", "transferred", "cost_total", "share_iraq"],
                       provenance=PROV)
    check_common(fig, "paired differences")
    assert len(fig.axes) >= 4
    main = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(main) == 4
    for ax in main:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["eu_key"]
        assert len(by_prefix(ax, "ci")) == 1
        assert len(by_prefix(ax, "simultaneous")) == 1  # 3 pairs: a CI exists
        assert "difference vs iraq_alone" in ax.get_xlabel()
    titles = [ax.get_title(loc="left") for ax in main]
    assert "Total cost\n(lower is better)" in titles
    assert any("higher is better" in t for t in titles)  # transfers
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("Holm" in t for t in legend)


def test_forest_plot_with_nothing_to_compare():
    import sim

    kpis = pd.DataFrame({"scenario": "s", "policy": "a", "replication": [0, 1, 2],
                         "seed": 1, "escaped": [1.0, 2.0, 3.0]})
    kpis.attrs["id_columns"] = ["scenario", "policy", "replication", "seed"]
    fig = plots.forest(sim.compare(kpis))
    assert "nothing to compare" in fig.axes[0].texts[0].get_text()


def test_outcome_distributions_with_unfinished_runs(batch):
    fig = plots.outcome_distributions(batch.kpis, horizon=730, provenance=PROV)
    check_common(fig, "distribution")
    esc, comp = fig.axes
    assert sorted(by_prefix(esc, "ecdf:")) == ["ecdf:eu_key", "ecdf:iraq_alone"]
    labels = [t.get_text() for t in comp.get_legend().get_texts()]
    n_done = batch.kpis.groupby("policy")["completion_day"].count()
    for p, k in n_done.items():
        if k < 3:
            assert f"{p}: {k}/3 finished" in labels
            assert f"unfinished:{p}" in gids(comp)
    foot = next(t for t in fig.texts if t.get_gid() == "provenance").get_text()
    assert "did not finish" in foot or "Every run finished" in foot
    check_units(comp, "days")


def test_outcome_distributions_when_nothing_finishes():
    kpis = pd.DataFrame({"policy": ["a"] * 3, "replication": [0, 1, 2],
                         "escaped": [3.0, 5.0, 4.0], "completion_day": [np.nan] * 3})
    fig = plots.outcome_distributions(kpis, horizon=100)
    comp = fig.axes[1]
    assert "a: 0/3 finished" in [t.get_text() for t in comp.get_legend().get_texts()]
    assert any("no run finished" in t.get_text() for t in comp.texts)


def test_sweep_effect_lines_per_policy():
    rng = np.random.default_rng(1)
    rows = [{"policy": p, "replication": r, "fleets.road.units": u,
             "escaped": 100 - 3 * u + rng.normal()} for p in ("a", "b") for u in (5, 10, 15)
            for r in range(3)]
    fig = plots.sweep_effect(pd.DataFrame(rows), "fleets.road.units", "escaped")
    (ax,) = fig.axes
    assert sorted(by_prefix(ax, "sweep:")) == ["sweep:a", "sweep:b"]
    assert ax.get_xlabel() == "fleets.road.units"
    check_units(ax, "people")


# ----------------------------------------------------------------------------- map
def test_flow_map_from_kpis_per_policy(batch, baseline):
    moved = moved_from_kpis(batch.kpis)
    fig = plots.flow_map(baseline, moved, provenance=PROV)
    check_common(fig, "moved")
    assert len(fig.axes) == 2
    for ax, p in zip(fig.axes, ["iraq_alone", "eu_key"]):
        flows = by_prefix(ax, "flow:")
        assert len(flows) == int((moved[moved["policy"] == p]["people"] > 0).sum())
        assert len(by_prefix(ax, "site:", "collections")) == len(baseline.sites)
        assert len(by_prefix(ax, "crossing:", "collections")) == len(baseline.crossings)
        assert len(by_prefix(ax, "dest:", "collections")) == len(baseline.destinations)
        assert not ax.images, "no map tiles"
        assert "longitude" in ax.get_xlabel() and "latitude" in ax.get_ylabel()
    # line width grows with people moved
    ax = fig.axes[0]
    widths = {line.get_gid(): line.get_linewidth() for line in ax.lines
              if (line.get_gid() or "").startswith("flow:")}
    sub = moved[moved["policy"] == "iraq_alone"]
    people = sub.set_index(sub["origin"] + ">" + sub["destination"])["people"]
    big, small = people.idxmax(), people[people > 0].idxmin()
    assert widths[f"flow:{big}"] > widths[f"flow:{small}"]


def test_flow_map_single_policy_from_trips_has_labels(run_tables, replay):
    moved = moved_from_trips(run_tables["trips"])
    assert moved["crossing"].isna().any(), "airlift trips have no crossing"
    fig = plots.flow_map(replay, moved, policies="iraq_alone")
    (ax,) = fig.axes
    labels = " ".join(t.get_text() for t in ax.texts)
    assert "al-Hol camp" in labels and "Rabia" in labels and "beds" in labels
    dashed = [line for line in ax.lines if (line.get_gid() or "").startswith("flow:")
              and line.get_linestyle() != "-"]
    assert dashed, "direct (air) flows are dashed"


def test_flow_map_when_nobody_moves(baseline):
    moved = pd.DataFrame({"policy": ["p"], "origin": ["al_hol"], "destination": ["jeddah1"],
                          "people": [0.0]})
    fig = plots.flow_map(baseline, moved)
    assert "nobody moved" in [t.get_text() for t in fig.axes[0].texts]


# ----------------------------------------------------------------------------- edge cases
def test_single_replication_has_no_bands(batch, baseline):
    daily = batch.daily[batch.daily["replication"] == 0]
    for fig in (plots.site_population(daily, scenario=baseline),
                plots.bed_occupancy(daily, scenario=baseline),
                plots.cumulative_transfers(daily)):
        ax = fig.axes[0]
        assert by_prefix(ax, "median:")
        assert not by_prefix(ax, "band", "collections")
    kpis = batch.kpis[batch.kpis["replication"] == 0]
    plots.outcome_distributions(kpis)
    plots.payer_costs(kpis)


def test_site_that_empties_on_day_zero(batch, baseline):
    daily = batch.daily.copy()
    daily["site:aqtan"] = 0
    fig = plots.site_population(daily, scenario=baseline, sites=["aqtan"])
    ax = fig.axes[0]
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] > 0
    assert all(np.all(np.asarray(line.get_ydata()) == 0) for line in ax.lines
               if (line.get_gid() or "").startswith("median:"))


def test_daily_without_policy_or_dates():
    daily = pd.DataFrame({"day": np.tile(np.arange(10), 2), "replication": np.repeat([0, 1], 10),
                          "site:a": np.r_[np.arange(10, 0, -1), np.arange(10, 0, -1)],
                          "transferred": np.tile(np.arange(10), 2),
                          "dest:x": 1, "beds:x": 5, "blocked:units": 3})
    for fig in (plots.site_population(daily), plots.cumulative_transfers(daily),
                plots.bed_occupancy(daily), plots.blocking(daily)):
        assert fig.axes[0].get_xlabel() == "day"
        assert "median:none" in gids(fig.axes[0]) or fig.axes[0].collections


def test_empty_tables_do_not_fail(batch):
    empty = batch.daily.iloc[0:0]
    for fn in (plots.site_population, plots.bed_occupancy, plots.cumulative_transfers,
               plots.blocking):
        fig = fn(empty)
        assert isinstance(fig, Figure)
    plots.outcome_distributions(batch.kpis.iloc[0:0])
