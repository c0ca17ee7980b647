"""The report's tables: key figures per policy, the paired comparison, costs by payer, and
the model against observed counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis import completion as cmpl
from sim.analysis import present
from sim.analysis.compare import compare_columns
from sim.analysis.stats import mean_ci
from sim.kpis import flat_key, headline, summary
from sim.plots.data import observed_frame, payer_columns, policies_of
from sim.plots.files import View
from sim.report.html import esc, fmt, md_inline
from sim.report.html import table as _table

REPORT_KPIS = tuple(summary())
"""Rows of the key-figures table: the catalogue's headline and summary KPIs."""
COMPARE_KPIS = tuple(headline())
"""KPIs of the comparison table: the catalogue's headline KPIs."""


def _small(text: str) -> str:
    """``4,210 [4,100, 4,300]`` -> the mean, with its interval in small type below it."""
    head, sep, rest = text.partition(" [")
    return f'{esc(head)}<br><span class="small">[{esc(rest)}</span>' if sep else esc(text)


def kpi_table(kpis: pd.DataFrame, policies: list[str], horizon: float | None = None) -> str:
    """Key figures: the catalogue's summary KPIs per policy (mean [95% CI]; the completion
    day as its median with unfinished runs beyond the horizon, and the share finished)."""
    shown = [k for k in REPORT_KPIS if k in kpis.columns and
             (kpis[k].notna().any() or k == cmpl.COMPLETION)]
    rows = []
    for k in shown:
        title, unit, _ = present.unit_of(k)
        row = [f"{esc(title)}<br><span class='small'>{esc(unit)}</span>"]
        for p in policies:
            v = kpis.loc[kpis["policy"] == p, k].to_numpy(dtype=float)
            if k == cmpl.COMPLETION:
                c = cmpl.completion(v, horizon)
                text = cmpl.median_text(c.median, c.median_low, c.median_high)
                row.append(f"{_small(text)}<br><span class='small'>"
                           f"{c.finished}/{c.n} finished</span>")
                continue
            m, lo, hi, n = mean_ci(v)
            row.append(_small(present.mean_ci(m, lo, hi, k, n)))
        rows.append(row)
    return _table(["KPI", *map(esc, policies)], rows, set(range(1, len(policies) + 1)))


def compare_table(table: pd.DataFrame, kpis: tuple[str, ...] = COMPARE_KPIS) -> str:
    """The paired comparison: one section per KPI, one row per policy (and group)."""
    by = table.attrs.get("by", "policy") or "policy"
    level = table.attrs.get("level", 0.95)
    group_cols = compare_columns(table, by)
    chosen = [k for k in kpis if k in set(table["kpi"])]
    head = [*map(esc, group_cols), esc(by), "estimate [95% CI]",
            "difference vs baseline [95% CI]", "p (Holm)", ""]
    n = len(group_cols)
    num = {n + 1, n + 2, n + 3}
    body = []
    for k in chosen:
        g = table[table["kpi"] == k]
        sense = g["direction"].iloc[0] if len(g) else "lower"
        body.append(f"<tr class='section'><td colspan='{len(head)}'>"
                    f"{esc(present.heading(k, sense))}</td></tr>")
        for _, r in g.iterrows():
            cls = present.is_clear(r, level)
            diff = esc(present.difference(r, by, level))
            if cls:
                diff = f'<span class="{cls}">{diff}</span>'
            cells = [esc(r[c]) for c in group_cols] + [
                esc(r[by]), _small(present.estimate(r)), diff, esc(present.p_value(r)),
                esc(present.rank(r, by))]
            body.append("<tr>" + "".join(
                f'<td class="num">{c}</td>' if i in num else f"<td>{c}</td>"
                for i, c in enumerate(cells)) + "</tr>")
    th = "".join(f'<th class="num">{h}</th>' if i in num else f"<th>{h}</th>"
                 for i, h in enumerate(head))
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def payer_table(kpis: pd.DataFrame, policies: list[str]) -> str:
    """Mean cost paid by each payer (USD million) and its share of the total with the 95%
    t-interval of the share, per policy."""
    payers = payer_columns(kpis)
    cost = {q: flat_key("cost_by_payer", payer=q) for q in payers}
    share = {q: flat_key("share_by_payer", payer=q) for q in payers}
    means = {p: kpis.loc[kpis["policy"] == p, list(cost.values())].mean() for p in policies}
    shown = [q for q in payers if max(float(means[p][cost[q]]) for p in policies) > 0]
    rows = []
    for q in shown:
        row = [esc(q)]
        for p in policies:
            v = float(means[p][cost[q]])
            text = present.value(v, cost[q])
            if share[q] in kpis.columns and float(means[p].sum()) > 0:
                s = kpis.loc[kpis["policy"] == p, share[q]].to_numpy(dtype=float)
                m, lo, hi, n = mean_ci(s)
                text += f" <span class='small'>({esc(present.mean_ci(m, lo, hi, share[q], n))})" \
                        "</span>"
            row.append(text)
        rows.append(row)
    total = flat_key("cost_by_payer", payer="x")  # same unit and scale as every payer's
    rows.append(["<strong>total</strong>"] + [
        f"<strong>{present.value(float(means[p].sum()), total)}</strong>" for p in policies])
    return _table(["payer: USD million (share of the total [95% CI])", *map(esc, policies)],
                  rows, set(range(1, len(policies) + 1)))


# ----------------------------------------------------------------------------- observed
def observed_table(view: View) -> str | None:
    scn = view.scenario
    if scn is None or not scn.observed or view.daily is None or view.daily.empty:
        return None
    obs = observed_frame(scn.observed, scn)
    daily = view.daily
    rows = []
    for p in policies_of(daily):
        g = daily[daily["policy"] == p]
        for _, o in obs.iterrows():
            col = "departed" if o["measure"] == "departed" and "departed" in g else \
                "transferred"
            vals = []
            for _, rep in g.groupby("replication", sort=False):
                rep = rep.sort_values("day")
                vals.append(float(np.interp(o["day"], rep["day"].to_numpy(dtype=float),
                                            rep[col].to_numpy(dtype=float))))
            m, lo, hi, n = mean_ci(np.asarray(vals))
            rel = (m - o["observed"]) / o["observed"] if o["observed"] else math.nan
            rows.append([esc(p), f"{o['date']:%d %b %Y}", esc(o["measure"]),
                         f"{o['observed']:,.0f}",
                         f"{fmt(m)} <span class='small'>[{fmt(lo)}, {fmt(hi)}]</span>",
                         f"{rel:+.0%}" if math.isfinite(rel) else "n/a",
                         md_inline(o["source"])])
    return _table(["policy", "date", "counts", "observed", "model mean [95% CI]",
                   "relative error", "source"], rows, {3, 4, 5})

