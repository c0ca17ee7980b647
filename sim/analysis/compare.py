"""Policy comparison: means with CIs, paired differences vs a baseline, Holm, best subset.

``compare(results, baseline="iraq_alone")`` gives one row per scenario (and sweep point),
policy and KPI:

==================  ==============================================================
column              meaning
==================  ==============================================================
scenario, <sweep>   the group compared within (one scenario at one sweep point)
policy              the level compared (the ``by`` column; default the policy)
kpi                 KPI name
direction           "lower" or "higher" is better (for the best subset)
n, mean             runs and mean of the KPI
ci_low, ci_high     t-based CI of the mean (default 95%)
baseline            the baseline level of this comparison
n_pairs             pairs (same scenario, sweep point and replication: common random
                    numbers) with both values known
diff                mean paired difference (this level minus the baseline)
diff_ci_low/high    paired-t CI of the difference
p_value, p_holm     paired-t p-value; Holm-adjusted over every comparison of the KPI
                    (all groups and levels): the family is one KPI
rel_halfwidth       CI half-width / |diff| (or / |baseline mean| when the CI covers 0)
verdict             plain words: "higher than iraq_alone by 120 (95% CI 80 to 160)",
                    "no clear difference from iraq_alone (95% CI -10 to 30)", "baseline"
best                the level with the best mean in the group (for this KPI); for the
                    completion day the best by :mod:`sim.analysis.completion` (median
                    with unfinished runs counted as beyond the horizon, then share
                    finished), never a mean over finished runs only
in_best_subset      True unless the level is shown worse than the best by more than the
                    indifference amount: the one-sided lower confidence bound (Bonferroni
                    over the k-1 comparisons with the best) of the paired difference
                    "level worse than best" exceeds ``indifference``
indifference        the indifference amount used (default 1% of |best mean|)
finished            completion day only: share of runs finished within the horizon
median, median_low, completion day only: Kaplan-Meier median and its 95% interval
median_high         (``inf`` = beyond the horizon)
==================  ==============================================================

The completion day's ``diff`` and p-values use the restricted completion day (unfinished runs
counted at the horizon; see :mod:`sim.analysis.completion`) when the horizon is known (a
results folder); its best subset holds the levels whose median's 95% interval reaches the
best median (plus the indifference amount); ``mean`` and its CI stay over the finished
runs.

A difference is called clear when ``p_holm < 1 - level``; the CIs shown are per comparison.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import completion as cmpl
from sim.analysis.stats import holm, lower_bound, paired_interval, rel_halfwidth, t_interval
from sim.kpis import direction as kpi_direction
from sim.kpis import headline
from sim.numbers import fmt_number
from sim.scenario.errors import Problem, ScenarioError

HEADLINE = tuple(headline())
"""KPIs printed by ``sim compare`` when no ``--kpi`` is given (the catalogue's headline)."""

RESULT_COLUMNS = ("kpi", "direction", "n", "mean", "ci_low", "ci_high", "baseline", "n_pairs",
                  "diff", "diff_ci_low", "diff_ci_high", "p_value", "p_holm", "rel_halfwidth",
                  "verdict", "best", "in_best_subset", "indifference", "finished", "median",
                  "median_low", "median_high")
"""Columns of a comparison that are results, not group or level columns."""

PREFERRED_BASELINE = "iraq_alone"
_ID = ("run_id", "scenario", "policy", "replication", "seed")


def _frame(source) -> tuple[pd.DataFrame, list[str], str, list[str] | None]:
    """KPI table, its id columns, a name for messages, and the level order (if known)."""
    from sim.store.reader import Results

    if isinstance(source, (str, Path)):
        from sim.store.reader import open_results

        source = open_results(source)
    if isinstance(source, Results):
        kpis = source.kpis.copy()
        kpis["_horizon"] = _horizons(source)
        return kpis, source.id_columns, str(source.path), source.policies
    if isinstance(source, pd.DataFrame):
        ids = source.attrs.get("id_columns") or [c for c in _ID if c in source.columns]
        return source, list(ids), "<table>", None
    raise TypeError(f"expected a results folder, Results or DataFrame, got {type(source)}")


def group_columns(table: pd.DataFrame, by: str = "policy") -> list[str]:
    """The columns a comparison was made within (scenario, sweep paths), in order."""
    skip = {*RESULT_COLUMNS, by, "run_id", "replication", "seed"}
    return [c for c in table.columns if c not in skip and not str(c).startswith("_")]


def compare_columns(table: pd.DataFrame, by: str = "policy") -> list[str]:
    """The group columns that take more than one value (a constant one says nothing)."""
    return [c for c in group_columns(table, by) if table[c].nunique(dropna=False) > 1]


def _horizons(results) -> list[float]:
    """The horizon (days) of each run's scenario variant, in the order of ``results.kpis``
    (NaN where the stored scenario cannot be read)."""
    import yaml

    by_label = {}
    for label, text in results.scenarios.items():
        try:
            by_label[label] = float(yaml.safe_load(text)["metadata"]["horizon_days"])
        except (TypeError, KeyError, ValueError, yaml.YAMLError):
            by_label[label] = math.nan
    runs = results.runs
    if len(runs) != len(results.kpis):
        return [math.nan] * len(results.kpis)
    return [by_label.get(v, math.nan) for v in runs["variant"]]


def _problem(where: str, path: str, message: str, choices: Iterable[Any] = ()) -> ScenarioError:
    from difflib import get_close_matches

    bad = message.split("'")[1] if message.count("'") >= 2 else ""
    near = get_close_matches(bad, [str(c) for c in choices], n=1, cutoff=0.6) if bad else []
    if near:
        message = f"{message}; did you mean '{near[0]}'?"
    return ScenarioError([Problem(where, None, path, message)])


def direction(kpi: str, higher_is_better: Iterable[str] | None = None) -> str:
    """"higher" or "lower" is better: the catalogue's direction, or ``higher_is_better``
    (flat keys) when given."""
    if higher_is_better is not None:
        return "higher" if kpi in tuple(higher_is_better) else "lower"
    return kpi_direction(kpi)


def fmt(x: float) -> str:
    """A number for people, in words for millions and billions (verdicts)."""
    return fmt_number(x, words=True)


def verdict(diff: float, low: float, high: float, p_adj: float, baseline: str,
            level: float = 0.95, n_pairs: int = 0) -> str:
    pct = f"{level * 100:g}%"
    if n_pairs < 2 or not math.isfinite(p_adj):
        return f"cannot tell: {n_pairs} paired run(s) with {baseline}"
    if p_adj < 1 - level and diff != 0:
        if diff > 0:
            return f"higher than {baseline} by {fmt(diff)} ({pct} CI {fmt(low)} to {fmt(high)})"
        return f"lower than {baseline} by {fmt(-diff)} ({pct} CI {fmt(-high)} to {fmt(-low)})"
    return f"no clear difference from {baseline} ({pct} CI {fmt(low)} to {fmt(high)})"


def _levels(df: pd.DataFrame, by: str, order: list[str] | None) -> list:
    present = list(dict.fromkeys(df[by].tolist()))
    if order and by == "policy":
        return [p for p in order if p in present] + [p for p in present if p not in order]
    return present


def compare(results, baseline: Any = None, kpis: Iterable[str] | str | None = None, *,
            by: str = "policy", level: float = 0.95,
            indifference: float | dict[str, float] | None = None,
            indifference_rel: float = 0.01, higher_is_better: Iterable[str] | None = None,
            save: bool = False) -> pd.DataFrame:
    """Compare policies (or any ``by`` column: ``scenario`` or a sweep parameter) per KPI.

    ``results``: a results folder, :class:`sim.store.Results` or its ``kpis`` table.
    ``baseline``: the level the others are compared with (default ``iraq_alone`` if present,
    else the first). ``kpis``: names (default: every KPI). Pairs are runs of the same
    scenario, sweep point and replication (common random numbers). ``indifference``: amount
    (per KPI, or one for all) within which a level counts as good as the best; default
    ``indifference_rel`` x |best mean|. ``save=True`` writes ``compare.csv`` and
    ``compare.parquet`` into the results folder. See the module doc for the columns.
    """
    df, ids, where, order = _frame(results)
    if by not in df.columns or by in ("run_id", "replication", "seed"):
        choices = [c for c in ids if c not in ("run_id", "replication", "seed")]
        raise _problem(where, "by", f"cannot compare by {by!r} (expected one of: "
                                    f"{', '.join(choices)})", choices)
    all_kpis = [c for c in df.columns if c not in ids and not str(c).startswith("_")
                and pd.api.types.is_numeric_dtype(df[c])]
    if kpis is None:
        chosen = [k for k in all_kpis if df[k].notna().any()]
    else:
        chosen = [kpis] if isinstance(kpis, str) else list(kpis)
        unknown = [k for k in chosen if k not in all_kpis]
        if unknown:
            raise _problem(where, "kpi", f"unknown KPI {', '.join(map(repr, unknown))} "
                                         f"(expected one of: {', '.join(all_kpis)})", all_kpis)
    levels = _levels(df, by, order)
    if baseline is None:
        baseline = PREFERRED_BASELINE if PREFERRED_BASELINE in levels else (
            levels[0] if levels else None)
    elif baseline not in levels:
        matches = [lv for lv in levels if str(lv) == str(baseline)]
        if not matches:
            raise _problem(where, "baseline", f"unknown {by} {baseline!r} (expected one of: "
                                              f"{', '.join(map(str, levels))})", levels)
        baseline = matches[0]
    group_cols = [c for c in ids if c not in ("run_id", "replication", "seed", by)]
    rows = []
    if df.empty:
        return _empty(group_cols, by)
    for key, g in df.groupby(group_cols, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        head = dict(zip(group_cols, key))
        wide = g.set_index(["replication", by])[chosen].unstack(by)
        glevels = [lv for lv in levels if lv in set(g[by])]
        horizon = _group_horizon(g)
        present = g.assign(_run=1.0).set_index(["replication", by])["_run"].unstack(by)
        present = present.reindex(index=wide.index).notna()
        for kpi in chosen:
            rows.extend(_kpi_rows(wide[kpi], head, by, kpi, glevels, baseline, level,
                                  indifference, indifference_rel, higher_is_better, horizon,
                                  present))
    out = pd.DataFrame(rows)
    for kpi in chosen:  # Holm within each KPI's family of comparisons
        mask = (out["kpi"] == kpi).to_numpy()
        out.loc[mask, "p_holm"] = holm(out.loc[mask, "p_value"].to_numpy())
    out["verdict"] = [
        "baseline" if r[by] == baseline else
        f"no {baseline} runs to compare with" if not r["_has_base"] else
        verdict(r["diff"], r["diff_ci_low"], r["diff_ci_high"], r["p_holm"], str(baseline),
                level, r["n_pairs"])
        for _, r in out.iterrows()]
    out = out.drop(columns="_has_base")
    lead = [c for c in ids if c in group_cols or c == by]
    out = out[lead + [c for c in out.columns if c not in lead]]
    out.attrs["baseline"] = baseline
    out.attrs["by"] = by
    out.attrs["level"] = level
    if save:
        save_compare(results, out)
    return out


def _group_horizon(g: pd.DataFrame) -> float | None:
    if "_horizon" not in g.columns:
        return None
    h = g["_horizon"].dropna()
    return float(h.iloc[0]) if len(h) and h.nunique() == 1 else None


def _empty(group_cols: list[str], by: str) -> pd.DataFrame:
    return pd.DataFrame(columns=[*group_cols, by, "kpi", "direction", "n", "mean", "ci_low",
                                 "ci_high", "baseline", "n_pairs", "diff", "diff_ci_low",
                                 "diff_ci_high", "p_value", "p_holm", "rel_halfwidth",
                                 "verdict", "best", "in_best_subset", "indifference",
                                 "finished", "median", "median_low", "median_high"])


def _kpi_rows(wide: pd.DataFrame, head: dict, by: str, kpi: str, levels: list, baseline,
              level: float, indifference, indifference_rel: float,
              higher_is_better, horizon: float | None = None,
              present: pd.DataFrame | None = None) -> list[dict]:
    sense = direction(kpi, higher_is_better)
    sign = 1.0 if sense == "lower" else -1.0  # sign * (x - best) = how much worse
    means = {lv: t_interval(wide[lv].to_numpy(), level) for lv in levels}
    ran = {lv: (present[lv].to_numpy() if present is not None and lv in present.columns
                else np.ones(len(wide), dtype=bool)) for lv in levels}
    done = {} if kpi != cmpl.COMPLETION else {
        lv: cmpl.completion(wide[lv].to_numpy(dtype=float)[ran[lv]], horizon) for lv in levels}
    values = {lv: np.where(ran[lv], cmpl.restricted(wide[lv].to_numpy(), horizon), np.nan)
              if done else wide[lv].to_numpy(dtype=float) for lv in levels}
    best = _best(levels, means, done, values, sign)
    if isinstance(indifference, dict):
        delta = float(indifference.get(kpi, 0.0))
    elif indifference is not None:
        delta = float(indifference)
    else:
        delta = indifference_rel * abs(means[best].mean) if best is not None else 0.0
        if done and best is not None and math.isfinite(done[best].median):
            delta = indifference_rel * done[best].median
    k = sum(1 for lv in levels if means[lv].n > 0 or (done and done[lv].n > 0))
    has_base = baseline in wide.columns
    base_mean = means[baseline].mean if has_base and baseline in means else math.nan
    rows = []
    for lv in levels:
        m = means[lv]
        row = {**head, by: lv, "kpi": kpi, "direction": sense, "n": m.n, "mean": m.mean,
               "ci_low": m.low, "ci_high": m.high, "baseline": baseline}
        if has_base and lv != baseline:
            d = paired_interval(values[lv], values[baseline], level)
            row.update(n_pairs=d.n, diff=d.mean, diff_ci_low=d.low, diff_ci_high=d.high,
                       p_value=d.p_value,
                       rel_halfwidth=rel_halfwidth(d.mean, d.halfwidth, base_mean,
                                                   d.covers_zero))
        else:
            row.update(n_pairs=m.n if lv == baseline else 0, diff=math.nan,
                       diff_ci_low=math.nan, diff_ci_high=math.nan, p_value=math.nan,
                       rel_halfwidth=math.nan)
        row["p_holm"] = math.nan
        counted = done[lv].n if done else m.n
        if best is None or counted == 0:  # no values: cannot be counted among the best
            in_best = False
        elif lv == best:
            in_best = True
        elif done:  # not shown to finish later: its median's interval reaches the best's
            in_best = bool(done[lv].median_low <= done[best].median + delta)
        else:
            worse = sign * (values[lv] - values[best])
            alpha = (1 - level) / max(k - 1, 1)
            in_best = bool(lower_bound(worse, alpha) <= delta)
        row.update(best=best, in_best_subset=in_best, indifference=delta, _has_base=has_base)
        c = done.get(lv) if done else None
        row.update(finished=c.share_finished if c else math.nan,
                   median=c.median if c else math.nan,
                   median_low=c.median_low if c else math.nan,
                   median_high=c.median_high if c else math.nan)
        rows.append(row)
    return rows


def _best(levels: list, means: dict, done: dict, values: dict, sign: float):
    """The best level: best mean; for the completion day, the best by completion rank."""
    if done:
        ranked = [lv for lv in levels if done[lv].n > 0]
        return min(ranked, key=lambda lv: done[lv].rank_key(
            float(np.nanmean(values[lv])) if np.isfinite(values[lv]).any() else math.nan)
            ) if ranked else None
    ranked = [lv for lv in levels if means[lv].n > 0]
    return min(ranked, key=lambda lv: sign * means[lv].mean) if ranked else None


def save_compare(results, table: pd.DataFrame) -> tuple[Path, Path]:
    """Write ``compare.csv`` and ``compare.parquet`` into the results folder (atomically)."""
    import io

    from sim.store.files import atomic_write
    from sim.store.reader import Results

    if isinstance(results, (str, Path)):
        folder = Path(results)
    elif isinstance(results, Results):
        folder = results.path
    else:
        raise TypeError("save needs a results folder (not a bare table)")
    csv = folder / "compare.csv"
    parquet = folder / "compare.parquet"
    atomic_write(csv, table.to_csv(index=False).encode())
    buf = io.BytesIO()
    flat = table.copy()
    for c in flat.columns:
        if flat[c].dtype == object:
            flat[c] = flat[c].map(lambda v: v if v is None or isinstance(v, str) else
                                  json.dumps(v) if isinstance(v, (dict, list)) else str(v))
    flat.attrs = {}
    import pyarrow as pa
    import pyarrow.parquet as pq

    # one thread: pyarrow threads that touched Python objects can abort the interpreter at
    # exit (seen with pyarrow 24 on Python 3.11)
    pq.write_table(pa.Table.from_pandas(flat, preserve_index=False, nthreads=1), buf)
    atomic_write(parquet, buf.getvalue())
    return csv, parquet
