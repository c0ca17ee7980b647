"""The figures added for analysts: each rendered and its content checked (labels, series, the
numbers shown), against values computed here independently of the figure code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim.plots as plots
from sim.kpis import flat_key
from sim.plots.style import Provenance
from sim.plots.tradeoff import TRADEOFF, pareto, share_intervals
from tests.plots.test_figures import by_prefix, check_common

PROV = Provenance(scenario="baseline", replications=3, seed=20260121, version="0.1.0",
                  source="batch 'test'")


# ----------------------------------------------------------------------------- Pareto
def test_pareto_by_hand():
    # lower is better for all three: b is dominated by a (<= everywhere, < somewhere); c
    # trades cost for escapes; d equals a (equal points do not dominate each other)
    means = pd.DataFrame({"policy": ["a", "b", "c", "d"],
                          TRADEOFF[0]: [10.0, 12.0, 20.0, 10.0],
                          TRADEOFF[1]: [5.0, 5.0, 1.0, 5.0],
                          TRADEOFF[2]: [0.5, 0.6, 0.5, 0.5]})
    assert pareto(means, TRADEOFF) == {"a": [], "b": ["a", "d"], "c": [], "d": []}


def test_pareto_follows_the_catalogue_direction():
    # transferred: more is better, so the policy moving more people dominates
    key = "transferred"
    means = pd.DataFrame({"policy": ["few", "many"], TRADEOFF[0]: [1.0, 1.0],
                          key: [100.0, 200.0]})
    assert pareto(means, [TRADEOFF[0], key]) == {"few": ["many"], "many": []}


def test_tradeoff_points_intervals_and_front(batch):
    kpis = batch.kpis
    fig = plots.tradeoff(kpis, provenance=PROV)
    check_common(fig, "trade-offs")
    assert len(fig.axes) == len(TRADEOFF) - 1
    policies = list(dict.fromkeys(kpis["policy"]))
    for ax, y in zip(fig.axes, TRADEOFF[1:]):
        for p in policies:
            (point,) = by_prefix(ax, f"point:{p}", "collections")
            g = kpis[kpis["policy"] == p]
            shown = next(c for c in ax.collections if c.get_gid() == point).get_offsets()[0]
            # means in display units: cost in USD million, Iraq's share in %
            from sim.kpis import label

            assert shown[0] == pytest.approx(g[TRADEOFF[0]].mean() * label(TRADEOFF[0])[2])
            assert shown[1] == pytest.approx(g[y].mean() * label(y)[2])
        labels = " ".join(t.get_text() for t in ax.texts)
        assert all(p in labels for p in policies)
        assert "USD million" in ax.get_xlabel()
    foot = next(t for t in fig.texts if t.get_gid() == "provenance").get_text()
    assert "Pareto front" in foot and "lower is better" in foot


# ----------------------------------------------------------------------------- shares
def test_payer_shares_dots_are_the_mean_shares(batch):
    kpis = batch.kpis
    fig = plots.payer_shares(kpis, top=5, provenance=PROV)
    check_common(fig, "share of the cost")
    (ax,) = fig.axes
    payers = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert 0 < len(payers) <= 5
    for p in dict.fromkeys(kpis["policy"]):
        dots = next(c for c in ax.collections if c.get_gid() == f"share:{p}").get_offsets()
        want = [kpis.loc[kpis["policy"] == p, flat_key("share_by_payer", payer=q)].mean() * 100
                for q in payers[::-1]]
        np.testing.assert_allclose(np.asarray(dots)[:, 0], want, rtol=1e-9)
    assert "share of the total cost (%)" == ax.get_xlabel()
    assert "95% t-intervals" in next(t.get_text() for t in fig.texts
                                     if t.get_gid() == "provenance")


def test_share_intervals_cover_their_mean(batch):
    kpis = batch.kpis
    table = share_intervals(kpis, ["iraq_alone"], ["IRQ"])
    (row,) = table.itertuples()
    assert row.low <= row.share <= row.high
    assert row.share == pytest.approx(kpis.loc[kpis["policy"] == "iraq_alone",
                                               "share:payer:IRQ"].mean() * 100)


# ----------------------------------------------------------------------------- budgets
def test_budget_use_by_hand(baseline):
    from sim.policy.compiled import compile_policy

    cp = compile_policy(baseline, "iraq_alone")
    irq = cp.payer_ids.index("IRQ")
    assert np.isfinite(cp.budget[irq])
    days = np.arange(10)
    payers = pd.DataFrame({"policy": "iraq_alone", "replication": 0, "day": days,
                           "payer": "IRQ", "cost": 1e6})
    use = plots.budget_use(payers, baseline, "iraq_alone")
    got = use[use["payer"] == "IRQ"].sort_values("day")["used"].to_numpy()
    np.testing.assert_allclose(got, (days + 1) * 1e6 / cp.budget_first[irq] * 100)


def _line(ax, gid: str):
    return next(line for line in ax.lines if line.get_gid() == gid)


def test_budgets_figure_panels_lines_and_funding(run_dir):
    import sim
    from sim.policy.compiled import compile_policy

    res = sim.open_results(run_dir)
    scn = sim.load_scenario(res.path / res.info["variants"][0]["file"])
    fig = plots.budgets(res.payers, res.daily, scenario=scn, provenance=PROV)
    check_common(fig, "budget use")
    titled = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in titled] == res.policies
    payers, daily = res.payers, res.daily
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    for top, bottom in zip(fig.axes[0::2], fig.axes[1::2]):  # each policy: use above blocks
        policy = top.get_title(loc="left")
        cp = compile_policy(scn, policy)
        budgeted = [cp.payer_ids[int(i)] for i in cp.budgeted]
        assert sorted(g.removeprefix("use:") for g in by_prefix(top, "use:")) == sorted(budgeted)
        assert "budget" in top.get_ylabel()
        mine = payers[payers["policy"] == policy]
        total = daily[daily["policy"] == policy].groupby("day")["blocked:funding"].mean()
        if not total.max() > 0:
            assert any(t.get_text() == "nobody held back for funding" for t in bottom.texts)
            continue
        assert bottom.get_ylabel() == "held back\nfor funding"
        grey = _line(bottom, "funding-total")
        np.testing.assert_array_equal(grey.get_ydata(), total.to_numpy())
        assert sorted(g.removeprefix("held:") for g in by_prefix(bottom, "held:")) == \
            sorted(budgeted)
        for q in budgeted:  # in the payer's colour of the top panel, the table's means
            line = _line(bottom, f"held:{q}")
            assert line.get_color() == _line(top, f"use:{q}").get_color() and q in legend
            want = mine[mine["payer"] == q].groupby("day")["held_for_funding"].mean()
            np.testing.assert_allclose(line.get_ydata(), want.to_numpy())
            assert (want.reindex(total.index) <= total + 1e-9).all()  # at most everyone held
    assert "everyone held back for funding" in legend
    foot = " ".join(next(t for t in fig.texts if t.get_gid() == "provenance").get_text().split())
    assert "counts under both" in foot and "written before" not in foot


def test_budgets_figure_falls_back_to_the_total_for_older_results(run_dir):
    import sim

    res = sim.open_results(run_dir)
    scn = sim.load_scenario(res.path / res.info["variants"][0]["file"])
    old = res.payers.drop(columns="held_for_funding")  # as stored before the record existed
    fig = plots.budgets(old, res.daily, scenario=scn, provenance=PROV)
    check_common(fig, "budget use")
    assert not any(by_prefix(ax, "held:") for ax in fig.axes)
    funding = [ax for ax in fig.axes if by_prefix(ax, "funding", "collections")]
    notes = [ax for ax in fig.axes
             if any(t.get_text() == "nobody held back for funding" for t in ax.texts)]
    held = res.daily.groupby("policy")["blocked:funding"].max()
    assert len(funding) == int((held > 0).sum()) and len(notes) == int((held == 0).sum())
    foot = " ".join(next(t for t in fig.texts if t.get_gid() == "provenance").get_text().split())
    assert "written before the model recorded which payer" in foot
    assert all(p in foot for p in res.policies)


def test_held_per_payer_means_across_replications():
    payers = pd.DataFrame({"policy": "p", "replication": [0, 1, 0, 1, 0, 1, 0, 1],
                           "day": [0, 0, 0, 0, 1, 1, 1, 1],
                           "payer": ["IRQ", "IRQ", "USA", "USA"] * 2,
                           "held_for_funding": [4, 6, 0, 2, 10, 10, 1, 1]})
    got = plots.held_per_payer(payers, "p", ["USA", "IRQ"])
    assert list(got.columns) == ["USA", "IRQ"]
    np.testing.assert_array_equal(got.to_numpy(), [[1, 5], [1, 10]])
    assert plots.held_per_payer(payers.drop(columns="held_for_funding"), "p", ["IRQ"]) is None


# ----------------------------------------------------------------------------- beds, costs
def test_beds_figure_is_not_squashed_and_labels_each_capacity(batch, baseline):
    fig = plots.bed_occupancy(batch.daily, scenario=baseline, provenance=PROV)
    w, h = fig.get_size_inches()
    assert w / h < 2.5
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith(
            "capacity-label:")]
        lines = by_prefix(ax, "capacity:")
        assert len(labels) == len(lines) >= 1
        # every policy is named under exactly one capacity line (or one line for all)
        named = [p for lab in labels for p in lab.removeprefix("beds").lstrip(": ").split(", ")
                 if p]
        assert labels == ["beds"] or sorted(named) == sorted(set(batch.daily["policy"]))


def test_costs_figure_says_whose_key_is_hatched(batch, baseline):
    from sim.plots.data import policy_keys

    pols = list(dict.fromkeys(batch.kpis["policy"]))
    fig = plots.payer_costs(batch.kpis, keys=policy_keys(baseline, pols), provenance=PROV)
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert any(t.startswith("reference key of ") for t in ticks)
    assert "key" not in ticks


# ----------------------------------------------------------------------------- sweep
def test_sweep_effect_means_and_intervals():
    rng = np.random.default_rng(0)
    kpis = pd.DataFrame({"policy": "p", "units": np.repeat([5, 10, 15], 8),
                         "escaped": rng.normal(np.repeat([300.0, 200.0, 100.0], 8), 5.0)})
    fig = plots.sweep_effect(kpis, "units", "escaped", provenance=PROV)
    check_common(fig, "sweep")
    (ax,) = fig.axes
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "sweep:p"]
    np.testing.assert_allclose(line.get_ydata(),
                               kpis.groupby("units")["escaped"].mean().to_numpy())
    assert ax.get_xlabel() == "units" and "people" in ax.get_ylabel()


def test_sweep_effect_of_completion_uses_the_median_and_marks_never():
    from sim.analysis.completion import completion

    nan = np.nan
    kpis = pd.DataFrame({"policy": ["a"] * 8 + ["b"] * 8, "units": [5] * 4 + [10] * 4 + [5] * 4
                         + [10] * 4,
                         "completion_day": [40, 42, nan, 44, 30, 31, 32, 33] + [nan] * 8})
    fig = plots.sweep_effect(kpis, "units", "completion_day", provenance=PROV)
    (ax,) = fig.axes
    (line,) = [ln for ln in ax.lines if ln.get_gid() == "sweep:a"]
    want = [completion(kpis.loc[(kpis.policy == "a") & (kpis.units == u),
                                "completion_day"]).median for u in (5, 10)]
    np.testing.assert_allclose(line.get_ydata(), want)
    (never,) = [c for c in ax.collections if c.get_gid() == "beyond:b"]
    assert len(never.get_offsets()) == 2  # b never finishes at either level
    foot = next(t for t in fig.texts if t.get_gid() == "provenance").get_text()
    assert "median" in foot and "beyond the horizon" in " ".join(foot.split())
