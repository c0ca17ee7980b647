"""Words and numbers for the rows of a comparison and of a summary, shared by the CLI and the
report so that both say the same thing in the same units.

Values are shown in the catalogue's display unit (``USD million``, ``%`` of the total for
shares, ...) through :mod:`sim.numbers`. The completion day is described by its median with
unfinished runs counted as beyond the horizon and the share of runs finished
(:mod:`sim.analysis.completion`), never by a mean over the finished runs only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.analysis import completion as cmpl
from sim.kpis import label
from sim.numbers import fmt_number, fmt_p, fmt_percent, fmt_signed, with_unit


def unit_of(kpi: str) -> tuple[str, str, float]:
    """(title, unit shown, scale) of a KPI's flat key (the catalogue's)."""
    return label(kpi)


def heading(kpi: str, sense: str | None = None) -> str:
    """``Escapes (gross) (people; lower is better)``."""
    title, unit, _ = unit_of(kpi)
    bits = [b for b in (unit, f"{sense} is better" if sense else "") if b]
    return f"{title} ({'; '.join(bits)})" if bits else title


def value(x: Any, kpi: str) -> str:
    """One value of ``kpi`` in its display unit (``23%``, ``260``)."""
    _, unit, scale = unit_of(kpi)
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return with_unit(fmt_number(float(x) * scale), unit)


def mean_ci(mean: float, low: float, high: float, kpi: str, n: int | None = None) -> str:
    """``4,210 [4,100, 4,300]`` in the KPI's display unit."""
    _, unit, scale = unit_of(kpi)
    if n == 0 or mean is None or not math.isfinite(float(mean)):
        return "n/a"
    text = with_unit(fmt_number(mean * scale), unit)
    lo, hi = value(low, kpi), value(high, kpi)
    if low != low or high - low <= 1e-9 * max(abs(mean), 1.0) or lo == hi == text:
        return text  # one run, every run the same, or an interval too narrow to show
    return f"{text} [{lo}, {hi}]"


def estimate(row: Mapping[str, Any]) -> str:
    """The level's estimate in a comparison row: the mean [CI], or for the completion day
    the median [CI] and the share finished."""
    kpi = row["kpi"]
    if kpi == cmpl.COMPLETION and _num(row.get("finished")):
        text = cmpl.median_text(row["median"], row["median_low"], row["median_high"])
        return f"{text}; {fmt_percent(row['finished'])} finished"
    return mean_ci(row["mean"], row["ci_low"], row["ci_high"], kpi, int(row["n"]))


def difference(row: Mapping[str, Any], by: str = "policy", level: float = 0.95) -> str:
    """``+120 [80, 160], clearly worse`` / ``no clear difference`` / ``baseline``."""
    kpi = row["kpi"]
    if row[by] == row["baseline"]:
        return "baseline"
    if not _num(row.get("diff")):
        return str(row.get("verdict", "n/a"))
    _, unit, scale = unit_of(kpi)
    d = row["diff"] * scale
    text = _points(fmt_signed(d), unit)
    if _num(row.get("diff_ci_low")):
        lo, hi = (fmt_number(row[c] * scale) for c in ("diff_ci_low", "diff_ci_high"))
        text += f" [{_points(lo, unit)}, {_points(hi, unit)}]"
    p = row.get("p_holm", math.nan)
    if _num(p) and p < 1 - level and d != 0:
        better = (d < 0) == (row["direction"] == "lower")
        word = "clearly better" if better else "clearly worse"
    else:
        word = "no clear difference"
    return f"{text.strip()}, {word}"


def _points(text: str, unit: str) -> str:
    """A difference of percentages is in percentage points: ``-18.8 pp``."""
    return f"{text} pp" if unit.startswith("%") and text != "n/a" else text


def is_clear(row: Mapping[str, Any], level: float = 0.95) -> str:
    """``better``, ``worse`` or an empty string (no clear difference)."""
    p = row.get("p_holm", math.nan)
    d = row.get("diff", math.nan)
    if not (_num(p) and _num(d)) or p >= 1 - level or d == 0:
        return ""
    return "better" if (d < 0) == (row["direction"] == "lower") else "worse"


def p_value(row: Mapping[str, Any]) -> str:
    return fmt_p(row.get("p_holm"))


def rank(row: Mapping[str, Any], by: str = "policy") -> str:
    if row[by] == row["best"]:
        return "best"
    return "~ best" if bool(row.get("in_best_subset")) else ""


def best_note(level: float = 0.95) -> str:
    return ("best: best mean (completion day: lowest median, unfinished runs counted as "
            "beyond the horizon, then the largest share finished); ~ best: not shown worse "
            f"than the best by more than 1% of it. Differences: mean paired difference with "
            f"its {level * 100:g}% CI; clearly better or worse when the Holm-adjusted p is "
            f"below {1 - level:.2g}.")


def _num(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
