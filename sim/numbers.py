"""How numbers are shown to people: one formatter for tables, verdicts, figures, the CLI and
the report, so that the same value reads the same everywhere.

>>> fmt_number(1234.5), fmt_number(2.6e8), fmt_number(0.001234), fmt_number(float("nan"))
('1,234', '260 M', '0.00123', 'n/a')
>>> fmt_p(3e-9), fmt_p(0.0412), fmt_percent(0.2345)
('<0.001', '0.041', '23%')
>>> fmt_interval(12.0, 14.25)
'[12, 14.2]'
"""

from __future__ import annotations

import math
from typing import Any


def fmt_number(x: Any, digits: int = 3, words: bool = False) -> str:
    """``digits`` significant digits, thousands separators, millions and billions as
    ``M``/``bn`` (or ``million``/``billion`` with ``words``); ``n/a`` for missing values."""
    if x is None:
        return "n/a"
    v = float(x)
    if not math.isfinite(v):
        return "n/a"
    a = abs(v)
    if a < 1e-9:
        return "0"
    million, billion = (" million", " billion") if words else (" M", " bn")
    if a >= 1e9:
        return f"{v / 1e9:.{digits}g}{billion}"
    if a >= 1e6:
        return f"{v / 1e6:.{digits}g}{million}"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}g}"


def fmt_signed(x: Any, digits: int = 3) -> str:
    """:func:`fmt_number` with a ``+`` on positive values."""
    text = fmt_number(x, digits)
    return f"+{text}" if text not in ("n/a", "0") and not text.startswith("-") else text


def fmt_interval(low: Any, high: Any, digits: int = 3) -> str:
    """``[low, high]``; empty when the interval is missing."""
    if low is None or high is None or not (math.isfinite(float(low)) and
                                            math.isfinite(float(high))):
        return ""
    return f"[{fmt_number(low, digits)}, {fmt_number(high, digits)}]"


def fmt_p(p: Any) -> str:
    """A p-value: ``<0.001`` below 0.001, else two significant digits; empty when missing."""
    if p is None or not math.isfinite(float(p)):
        return ""
    p = float(p)
    return "<0.001" if p < 0.001 else f"{p:.2g}"


def fmt_percent(share: Any, digits: int = 0) -> str:
    """A share (0-1) as a percentage: ``23%`` (``n/a`` when missing)."""
    if share is None or not math.isfinite(float(share)):
        return "n/a"
    return f"{float(share) * 100:.{digits}f}%"


def with_unit(text: str, unit: str) -> str:
    """A formatted value with its unit as the report shows it: ``23%`` for percentages, else
    the number alone (tables name the unit in their headings)."""
    return f"{text}%" if unit.startswith("%") and text != "n/a" else text
