"""The report's tables: key figures per policy, the paired comparison, costs by payer, and
the model against observed counts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci
from sim.kpis import flat_key, headline, summary
from sim.plots.data import observed_frame, payer_columns, policies_of
from sim.plots.files import View
from sim.plots.labels import kpi_label
from sim.report.html import esc, fmt, md_inline
from sim.report.html import table as _table

REPORT_KPIS = tuple(summary())
"""Rows of the key-figures table: the catalogue's headline and summary KPIs."""
COMPARE_KPIS = tuple(headline())
"""KPIs of the comparison table: the catalogue's headline KPIs."""


def _cell(values: np.ndarray, scale: float) -> str:
    m, lo, hi, n = mean_ci(values * scale)
    if n == 0:
        return "n/a"
    if n < 2 or not math.isfinite(lo) or hi - lo <= 1e-9 * max(abs(m), 1):
        return fmt(m)
    return f'{fmt(m)}<br><span class="small">[{fmt(lo)}, {fmt(hi)}]</span>'


def kpi_table(kpis: pd.DataFrame, policies: list[str]) -> str:
    present = [k for k in REPORT_KPIS if k in kpis.columns and kpis[k].notna().any()]
    if "completion_day" in kpis.columns and "completion_day" not in present:
        present.insert(2, "completion_day")  # never finished: say so
    rows = []
    for k in present:
        lab = kpi_label(k)
        row = [f"{esc(lab.name)}<br><span class='small'>{esc(lab.unit)}</span>"]
        for p in policies:
            v = kpis.loc[kpis["policy"] == p, k].to_numpy(dtype=float)
            text = _cell(v, lab.scale)
            if k == "completion_day":
                done = int(np.isfinite(v).sum())
                text += f'<br><span class="small">{done}/{v.size} finished</span>'
            row.append(text)
        rows.append(row)
    return _table(["KPI", *map(esc, policies)], rows, set(range(1, len(policies) + 1)))


def compare_table(table: pd.DataFrame, kpis: tuple[str, ...] = COMPARE_KPIS) -> str:
    by = table.attrs.get("by", "policy") or "policy"
    sweep = [c for c in table.columns if c not in _COMPARE and c not in (by, "scenario")]
    multi_scenario = "scenario" in table.columns and table["scenario"].nunique() > 1
    group_cols = (["scenario"] if multi_scenario else []) + sweep
    chosen = [k for k in kpis if k in set(table["kpi"])]
    head = [*map(esc, group_cols), esc(by), "mean [95% CI]",
            "difference vs baseline (95% CI)", "p (Holm)", ""]
    n = len(group_cols)
    body = []
    for k in chosen:
        lab = kpi_label(k)
        g = table[table["kpi"] == k]
        sense = g["direction"].iloc[0] if len(g) else "lower"
        body.append(f"<tr class='section'><td colspan='{len(head)}'>{esc(lab.name)} "
                    f"<span class='small'>({esc(lab.unit)}; {sense} is better)</span>"
                    "</td></tr>")
        for _, r in g.iterrows():
            s = lab.scale
            mean = (f"{fmt(r['mean'] * s)} <span class='small'>[{fmt(r['ci_low'] * s)}, "
                    f"{fmt(r['ci_high'] * s)}]</span>")
            if r[by] == r["baseline"]:
                diff = "baseline"
            elif not (isinstance(r["diff"], float) and math.isfinite(r["diff"])):
                diff = esc(r.get("verdict", "n/a"))
            else:
                d = r["diff"] * s
                sig = math.isfinite(r["p_holm"]) and r["p_holm"] < 0.05 and d != 0
                better = (d < 0) == (r["direction"] == "lower")
                cls = ("better" if better else "worse") if sig else ""
                word = ("clearly " + ("better" if better else "worse")) if sig else \
                    "no clear difference"
                diff = (f'<span class="{cls}">{"+" if d > 0 else ""}{fmt(d)}</span> '
                        f"<span class='small'>({fmt(r['diff_ci_low'] * s)} to "
                        f"{fmt(r['diff_ci_high'] * s)}); {word}</span>")
            p = r["p_holm"]
            ptxt = "" if not math.isfinite(p) else ("&lt;0.001" if p < 0.001 else f"{p:.3g}")
            best = "best" if r[by] == r["best"] else ("~ best" if r["in_best_subset"] else "")
            cells = [esc(r[c]) for c in group_cols] + [esc(r[by]), mean, diff, ptxt, best]
            body.append("<tr>" + "".join(
                f'<td class="num">{c}</td>' if i in (n + 1, n + 3) else f"<td>{c}</td>"
                for i, c in enumerate(cells)) + "</tr>")
    th = "".join(f'<th class="num">{h}</th>' if i in (n + 1, n + 3) else f"<th>{h}</th>"
                 for i, h in enumerate(head))
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


_COMPARE = {"kpi", "direction", "n", "mean", "ci_low", "ci_high", "baseline", "n_pairs", "diff",
            "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "rel_halfwidth", "verdict",
            "best", "in_best_subset", "indifference", "run_id", "replication", "seed"}


def payer_table(kpis: pd.DataFrame, policies: list[str]) -> str:
    payers = payer_columns(kpis)
    cols = {q: flat_key("cost_by_payer", payer=q) for q in payers}
    means = {p: kpis.loc[kpis["policy"] == p, list(cols.values())].mean() for p in policies}
    shown = [q for q in payers if max(float(means[p][cols[q]]) for p in policies) > 0]
    rows = []
    for q in shown:
        row = [esc(q)]
        for p in policies:
            total = float(means[p].sum())
            v = float(means[p][cols[q]])
            share = f" <span class='small'>({v / total:.0%})</span>" if total > 0 else ""
            row.append(f"{v / 1e6:,.1f}{share}")
        rows.append(row)
    totals = ["<strong>total</strong>"] + [f"<strong>{float(means[p].sum()) / 1e6:,.1f}"
                                           f"</strong>" for p in policies]
    rows.append(totals)
    return _table(["payer (USD million, share)", *map(esc, policies)], rows,
                  set(range(1, len(policies) + 1)))


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

