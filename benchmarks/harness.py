"""The benchmark harness: rows with budgets, interleaved timing, the table, the exit code.

A measure is a function of the :class:`Settings` returning :class:`Row` s. A row holds one
measured value, its budget (if any) and the 1-minute load average while it was measured.
Timing samples of the two sides of a ratio are taken in turn (:func:`interleave`) and
medians are reported, so that a change in the load of the (shared) machine hits both sides
alike and a few slow samples do not move the figure.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.variants import PremiseError


@dataclass(frozen=True)
class Settings:
    """How much work each measure does; ``quick`` is the fast version used by tests."""

    quick: bool = False
    repeats: int = 9  # interleaved timing rounds of the in-process ratios
    customers: int = 20_000  # customers per yardstick sample
    batch_replications: int = 10  # per policy, in the batch-efficiency measure
    batch_rounds: int = 3
    help_runs: int = 7
    memory_small: int = 200
    memory_large: int = 2000

    @classmethod
    def make(cls, quick: bool) -> Settings:
        if not quick:
            return cls()
        return cls(quick=True, repeats=3, customers=5_000, batch_replications=2,
                   batch_rounds=1, help_runs=3, memory_small=20, memory_large=200)


@dataclass(frozen=True)
class Budget:
    """``value op limit``; a non-binding budget is informative only (not in the exit code)."""

    op: str  # ">=" or "<="
    limit: float
    unit: str = "x"
    binding: bool = True

    def __post_init__(self) -> None:
        if self.op not in (">=", "<="):
            raise ValueError(f"budget operator {self.op!r} (expected >= or <=)")

    def holds(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return value >= self.limit if self.op == ">=" else value <= self.limit

    def __str__(self) -> str:
        text = f"{self.op} {fmt(self.limit, self.unit)}"
        return text if self.binding else f"({text}, info)"


def at_least(limit: float, unit: str = "x") -> Budget:
    return Budget(">=", limit, unit)


def at_most(limit: float, unit: str = "x", binding: bool = True) -> Budget:
    return Budget("<=", limit, unit, binding)


def fmt(value: float, unit: str) -> str:
    """A value as the table shows it: ``x`` ratio, ``s`` seconds, ``/s`` rate, ``MiB``."""
    if math.isnan(value):
        return "n/a"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:.2f}{' ' + unit if unit else ''}"


@dataclass
class Row:
    """One line of the table."""

    measure: str
    value: float
    unit: str = "x"
    budget: Budget | None = None
    load: float | None = None  # 1-minute load average while measured
    note: str = ""
    error: str = ""  # e.g. a failed premise: the value means nothing

    @property
    def ok(self) -> bool | None:
        """Whether the budget holds (None: no binding budget)."""
        if self.error:
            return False
        if self.budget is None or not self.budget.binding:
            return None
        return self.budget.holds(self.value)

    @property
    def verdict(self) -> str:
        if self.error:
            return "FAIL"
        if self.budget is None:
            return "info"
        if not self.budget.binding:
            return "info" if self.budget.holds(self.value) else "info (over)"
        return "PASS" if self.budget.holds(self.value) else "FAIL"

    def cells(self) -> list[str]:
        value = "premise failed" if self.error else fmt(self.value, self.unit)
        return [self.measure, value, str(self.budget) if self.budget else "",
                self.verdict, "" if self.load is None else f"{self.load:.2f}"]


@dataclass(frozen=True)
class Measure:
    """A named measure: ``run(settings)`` returns its rows."""

    key: str
    title: str
    run: Callable[[Settings], list[Row]]


# ----------------------------------------------------------------------------- timing
def load1() -> float:
    """The 1-minute load average of the machine."""
    return os.getloadavg()[0]


@dataclass
class Samples:
    """Timed calls of one side: seconds and return value of each, and the load after each."""

    seconds: list[float] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    def median_rate(self, amount: Callable[[Any], float]) -> float:
        """Median over samples of ``amount(value) / seconds``."""
        return statistics.median(amount(v) / s for v, s in zip(self.values, self.seconds))


def interleave(sides: dict[str, Callable[[int], Any]], repeats: int,
               warm_up: bool = True) -> dict[str, Samples]:
    """Call each side with the round number ``i`` (e.g. as the replication), one side after
    the other, for ``repeats`` rounds; time every call. A first round is not recorded
    (imports, caches) unless ``warm_up`` is False."""
    if warm_up:
        for fn in sides.values():
            fn(0)
    out = {name: Samples() for name in sides}
    for i in range(repeats):
        for name, fn in sides.items():
            t0 = time.perf_counter()
            value = fn(i)
            out[name].seconds.append(time.perf_counter() - t0)
            out[name].values.append(value)
            out[name].loads.append(load1())
    return out


def median_load(*samples: Samples) -> float:
    """Median 1-minute load average over the samples of the given sides."""
    return statistics.median(x for s in samples for x in s.loads)


# ----------------------------------------------------------------------------- running
def run_measures(measures: Sequence[Measure], settings: Settings,
                 echo: Callable[[str], None] | None = print) -> list[Row]:
    """Run each measure; a failed premise becomes a failing row (the ratio means nothing)."""
    rows: list[Row] = []
    for m in measures:
        t0 = time.perf_counter()
        try:
            new = m.run(settings)
        except PremiseError as exc:
            new = [Row(m.title, math.nan, error=str(exc), load=load1())]
        rows.extend(new)
        if echo:
            echo(f"  {m.title}: {time.perf_counter() - t0:.1f} s")
    return rows


def exit_code(rows: Sequence[Row]) -> int:
    """0 when every binding budget holds and every premise held, else 1."""
    return 1 if any(r.ok is False for r in rows) else 0


HEADER = ["measure", "measured", "budget", "result", "load 1 min"]


def render_text(rows: Sequence[Row]) -> str:
    """The table for a terminal, notes and failed premises indented below their row."""
    table = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    right = {1, 2, 4}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(HEADER), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append(line(r.cells()))
        for text in (r.error, r.note):
            if text:
                out.append(f"    {text}")
    return "\n".join(out)


def render_markdown(rows: Sequence[Row]) -> str:
    """The table in Markdown, then the notes as a list."""
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---", "---:", "---:", "---",
                                                             "---:"]) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r.cells()) + " |" for r in rows]
    notes = [f"- {esc(r.measure)}: {esc(r.error or r.note)}" for r in rows if r.error or r.note]
    if notes:
        out += [""] + notes
    return "\n".join(out)
