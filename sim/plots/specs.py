"""Which figures a results folder supports: :func:`figure_specs` (drawn by ``sim plot`` and
embedded in the report, in this order). ``folder`` is a :class:`sim.plots.files.Folder`
(not imported here: that module draws the figures listed here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.kpis import headline
from sim.plots.compare import OUTCOMES


@dataclass
class FigureSpec:
    name: str
    title: str
    make: Callable[[], Any]


def figure_specs(folder: Any) -> list[FigureSpec]:
    """Every figure the folder's tables support, not yet drawn."""
    specs: list[FigureSpec] = []
    many = len(folder.views) > 1
    for view in folder.views:
        tag = f"-{_safe(view.label)}" if many else ""
        where = f" ({view.label})" if many else ""
        specs += _daily_specs(view, tag, where)
        specs += _kpi_specs(folder, view, tag, where)
        specs += _flow_specs(folder, view, tag, where)
    if folder.compare is not None and len(folder.compare):
        specs.append(FigureSpec("forest", "Policy comparison (paired differences)",
                                lambda: _cmp().forest(folder.compare,
                                                      provenance=folder.provenance)))
    specs += _sweep_specs(folder)
    return specs


def _cmp():
    from sim.plots import compare

    return compare


def _daily_specs(view, tag: str, where: str) -> list[FigureSpec]:
    """Figures over time (need the daily series; the history needs every day)."""
    from sim.plots import timeseries
    from sim.plots.budgets import budgets

    scn, prov, daily = view.scenario, view.provenance, view.daily
    out: list[FigureSpec] = []
    if daily is None or not len(daily):
        return out
    out.append(FigureSpec(f"transfers{tag}", "Cumulative transfers" + where,
                          lambda: timeseries.cumulative_transfers(daily, scenario=scn,
                                                                  provenance=prov)))
    if scn is not None and scn.observed and _every_day(daily):
        out.append(FigureSpec(f"transfers-history{tag}", "Model against observed counts" +
                              where, lambda: _history(view)))
    out.append(FigureSpec(f"population{tag}", "People at each site" + where,
                          lambda: timeseries.site_population(daily, scenario=scn,
                                                             provenance=prov)))
    out.append(FigureSpec(f"beds{tag}", "Bed occupancy" + where,
                          lambda: timeseries.bed_occupancy(daily, scenario=scn,
                                                           provenance=prov)))
    out.append(FigureSpec(f"blocking{tag}", "Binding constraints" + where,
                          lambda: timeseries.blocking(daily, provenance=prov)))
    if view.payers is not None and len(view.payers) and scn is not None and scn.policies:
        out.append(FigureSpec(f"costs-budgets{tag}", "Budget use and funding blocks" + where,
                              lambda: budgets(view.payers, daily, scenario=scn,
                                                      provenance=prov)))
    return out


def _every_day(daily) -> bool:
    days = daily["day"].drop_duplicates().sort_values()
    return len(days) > 1 and bool((days.diff().dropna() == 1).all())


def _history(view):
    from sim.analysis.summary import history_points
    from sim.plots.data import with_policy
    from sim.plots.history import observed_history

    daily = with_policy(view.daily)
    policy = str(daily["policy"].iloc[0])
    one = daily[daily["policy"] == policy]
    points = history_points(view.scenario, one, policy)
    prov = view.provenance.with_note(f"Model under policy {policy}.")
    return observed_history(one, points, provenance=prov)


def _kpi_specs(folder: Any, view, tag: str, where: str) -> list[FigureSpec]:
    """Figures of the per-run KPIs: who pays, trade-offs, outcome distributions."""
    from sim.plots import costs
    from sim.plots.data import payer_columns, policy_keys
    from sim.plots.tradeoff import TRADEOFF, payer_shares, tradeoff

    scn, prov, kpis = view.scenario, view.provenance, view.kpis
    pols = [p for p in folder.policies if p in set(kpis["policy"])]
    out: list[FigureSpec] = []
    if payer_columns(kpis):
        out.append(FigureSpec(f"costs{tag}", "Costs by payer" + where,
                              lambda: costs.payer_costs(kpis, keys=policy_keys(scn, pols),
                                                        provenance=prov)))
        out.append(FigureSpec(f"costs-shares{tag}", "Cost shares with their uncertainty" +
                              where, lambda: payer_shares(kpis, provenance=prov)))
    if len(pols) > 1 and all(k in kpis.columns for k in TRADEOFF[:2]):
        out.append(FigureSpec(f"tradeoff{tag}", "Trade-offs between policies" + where,
                              lambda: tradeoff(kpis, provenance=prov)))
    if OUTCOMES[0] in kpis.columns:
        horizon = scn.metadata.horizon_days if scn is not None else None
        cols = [c for c in OUTCOMES if c in kpis.columns]
        out.append(FigureSpec(f"outcomes{tag}", "Distributions of escapes and completion" +
                              where, lambda: _cmp().outcome_distributions(
                                  kpis, columns=cols, horizon=horizon, provenance=prov)))
    return out


def _flow_specs(folder: Any, view, tag: str, where: str) -> list[FigureSpec]:
    """Flow maps (need the trips, or the moved KPI, and the scenario's geography)."""
    from sim.plots import maps
    from sim.plots.data import kpi_columns, moved_from_kpis, moved_from_trips

    scn, prov = view.scenario, view.provenance
    pols = [p for p in folder.policies if p in set(view.kpis["policy"])]
    moved = None
    if scn is None:
        return []
    if view.trips is not None and len(view.trips):
        reps = view.kpis.groupby("policy")["replication"].nunique().to_dict()
        moved = moved_from_trips(view.trips, {str(k): v for k, v in reps.items()})
    elif kpi_columns(view.kpis, "moved"):
        moved = moved_from_kpis(view.kpis)
    if moved is None:
        return []
    out = [FigureSpec(f"flows{tag}", "Flow map" + where,
                      lambda: maps.flow_map(scn, moved, provenance=prov))]
    if len(pols) > 1:  # one detailed, labelled map of the baseline policy
        first = folder.baseline_policy()
        out.append(FigureSpec(f"flows-{_safe(first)}{tag}", f"Flow map under {first}" + where,
                              lambda: maps.flow_map(scn, moved, policies=first, provenance=prov,
                                                    title=f"Where people were moved under "
                                                          f"{first}")))
    return out


def _sweep_specs(folder: Any) -> list[FigureSpec]:
    """The effect of each sweep parameter on each headline KPI."""
    out: list[FigureSpec] = []
    for param in folder.sweep_columns:
        if folder.kpis[param].nunique() < 2:
            continue
        for kpi in headline():
            if kpi in folder.kpis.columns and folder.kpis[kpi].notna().any():
                out.append(FigureSpec(
                    f"sweep-{_safe(param)}-{_safe(kpi)}", f"{kpi} against {param}",
                    lambda k=kpi, pa=param: _cmp().sweep_effect(
                        folder.kpis, pa, k, provenance=folder.provenance)))
    return out


def _safe(text: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(text))
    return keep.strip("._")[:80] or "x"


