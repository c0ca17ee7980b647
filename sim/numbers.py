"""How numbers are shown to people (tables, verdicts, figures, the report)."""

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
