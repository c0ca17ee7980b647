"""The tables ``sim run`` prints: KPIs per policy, and the model against observed counts."""

from __future__ import annotations

import math

from sim.cli.tables import Column, Table


def _shown_kpis(kpis) -> list[str]:
    """The catalogue's summary KPIs, days held back by funding, and the share of every
    payer that pays at least 0.5% under some policy."""
    from sim.kpis import flat_key, parse_key, summary

    present = [c for c in kpis.columns if kpis[c].dtype.kind in "fi"]
    shown = [k for k in summary() if k in present]
    funding = flat_key("days_blocked_by_reason", reason="funding")
    if funding in present:
        shown.append(funding)
    for k in present:
        hit = parse_key(k)
        if hit is not None and hit[0].key == "share_by_payer" and \
                kpis.groupby("policy")[k].mean().abs().max() > 0.005:
            shown.append(k)
    return shown


def kpi_table(output, how: str) -> Table:
    """One row per KPI (its label and unit), one column per policy: the mean with its 95%
    t-interval (the completion day: its median with unfinished runs counted as beyond the
    horizon, and the share finished). Narrow terminals get one block per KPI."""
    from sim.analysis import completion as cmpl
    from sim.analysis import present
    from sim.analysis.stats import mean_ci

    kpis = output.results.kpis
    scn = output.scenario
    horizon = scn.metadata.horizon_days
    policies = list(dict.fromkeys(kpis["policy"].astype(str)))
    table = Table(f"{scn.metadata.name}: {output.replications} replications, seed "
                  f"{output.seed}; {how}",
                  [Column("kpi", "KPI"), *[Column(p, p, True) for p in policies]],
                  notes=["Means over the replications with their 95% t-interval in "
                         "brackets; the completion day as its median (unfinished runs "
                         "count as beyond the horizon) and the share of runs finished."])
    s = table.section()
    for kpi in _shown_kpis(kpis):
        _, unit, scale = present.unit_of(kpi)
        cells: dict = {"kpi": (present.heading(kpi), kpi)}
        for p in policies:
            v = kpis.loc[kpis["policy"].astype(str) == p, kpi].to_numpy(dtype=float)
            if kpi == cmpl.COMPLETION:
                c = cmpl.completion(v, horizon)
                cells[p] = (cmpl.describe(c), c.median)
                continue
            m, lo, hi, n = mean_ci(v)
            cells[p] = (present.mean_ci(m, lo, hi, kpi, n),
                        m * scale if math.isfinite(m) else None)
        s.add(**cells)
    return table


def observed_table(output) -> Table | None:
    """The model (mean over replications, 95% CI) against the scenario's observed counts;
    None when it has none."""
    from sim.analysis.summary import averaged_relative_difference, compare_observed
    from sim.numbers import fmt_interval, fmt_number

    observed = compare_observed(output.scenario, output.results.daily)
    if not len(observed):
        return None
    table = Table("Model against observed cumulative transfers",
                  [Column("date", "date"), Column("policy", "policy"),
                   Column("observed", "observed", True),
                   Column("model", "model mean [95% CI]", True),
                   Column("rel_error", "relative error", True), Column("role", "role")])
    s = table.section()
    for _, r in observed.iterrows():
        ci = fmt_interval(r["model_low"], r["model_high"])
        s.add(date=str(r["date"]), policy=str(r["policy"]),
              observed=(fmt_number(r["observed"]), int(r["observed"])),
              model=(f"{fmt_number(r['model_mean'])} {ci}".strip(), r["model_mean"]),
              rel_error=(f"{r['rel_error']:+.0%}", r["rel_error"]),
              role=r["role"])
    inputs = int((observed["role"] == "input").sum() / max(observed["policy"].nunique(), 1))
    for p, v in averaged_relative_difference(observed).items():
        table.notes.append(f"averaged relative difference ({p}): {v:.1%}")
    if inputs:
        table.notes.append(f"role input: every replication gives the observed count (the "
                           f"point was fixed by the inputs); the averages leave these "
                           f"{inputs} point(s) out.")
    return table
