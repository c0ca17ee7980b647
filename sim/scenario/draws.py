"""Parametric uncertainty inside runs: the ``parameters:`` section of a scenario.

With it, replication ``r`` first draws the scenario's uncertain fields, then runs. In
YAML::

    parameters:
      draw: prior                       # every uncertainty from its distribution

or, the fitted ones from a sample file and the others from their prior,
``parameters: {draw: posterior, samples: jan2026_posterior.csv}`` (the file relative to the
scenario file that names it).

A posterior sample file is a CSV table, one row per sample and one column per fitted
uncertainty (values as :meth:`Uncertainty.value` gives them; a categorical's value as its
JSON text), with an optional ``weight`` column. Replication ``r`` takes row ``r`` modulo the
number of rows (or, with unequal weights, a row drawn by weight); every uncertainty without
a column is drawn from its prior. Every draw comes from the replication's own stream
``parameters:NAME`` (:mod:`sim.rng`), so the same replication draws the same future under
every policy (common random numbers), a new uncertainty never shifts the others, and the
model's own streams are untouched. The loader reads the file into ``rows`` (so a scenario
object carries its posterior with it, to worker processes too).

The drawn scenario (:func:`sim.scenario.drawing.drawn_scenario`) is the scenario with the
drawn values set through the override machinery of
:func:`sim.scenario.uncertainties.overrides`, without its ``uncertainties:``, and with
``parameters.values`` holding what was drawn (recorded with the run as the KPI
``parameter:NAME``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Base

WEIGHT = "weight"
"""The optional weight column of a sample file."""
STREAM = "parameters"
"""Prefix of the named streams of the parameter draw (``parameters:NAME``)."""


class ParameterDraw(Base):
    """How each replication draws the uncertain fields before it runs."""

    draw: Literal["prior", "posterior"]
    samples: str | None = None
    """Posterior sample file (CSV), relative to the scenario file that names it."""
    rows: list[dict[str, Any]] | None = None
    """The samples (read from ``samples`` by the loader, or written inline)."""
    values: dict[str, float] | None = None
    """Set in a drawn scenario: the values drawn for this replication (numbers; a
    categorical's value as its index among the uncertainty's values)."""

    @model_validator(mode="after")
    def _posterior(self) -> ParameterDraw:
        if self.values is not None:
            return self
        if self.draw == "posterior" and not self.rows:
            raise ValueError("draw: posterior needs samples (expected a CSV file of posterior "
                             "samples, e.g. samples: jan2026_posterior.csv)")
        if self.draw == "prior" and (self.samples or self.rows):
            raise ValueError("draw: prior takes no samples (expected draw: posterior to use "
                             "them)")
        weights = [r.get(WEIGHT, 1.0) for r in self.rows or []]
        if any(not isinstance(w, (int, float)) or w < 0 for w in weights) or (
                weights and sum(weights) <= 0):
            raise ValueError("weights must be numbers >= 0 with a positive sum")
        return self

    @property
    def names(self) -> list[str]:
        """The uncertainties the sample file gives values for."""
        return [k for k in (self.rows or [{}])[0] if k != WEIGHT]


ParametersField = Field(default=None, description="Parametric uncertainty inside runs "
                        "(see sim.scenario.draws).")


# ----------------------------------------------------------------------------- sample files
def read_samples(path: Path) -> list[dict[str, Any]]:
    """Rows of a sample file: numbers as floats, anything else as its JSON value (or text)."""
    text = path.read_text(encoding="utf-8")
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        rows.append({k: _cell(v) for k, v in raw.items()})
    return rows


def _cell(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return json.loads(text)
    except ValueError:
        return text


def write_samples(rows: list[Mapping[str, Any]], names: list[str], digits: int = 6) -> str:
    """A sample file's text: a header, then one line per row (numbers to ``digits``
    significant digits, other values as JSON)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(names)
    for r in rows:
        w.writerow([f"{r[n]:.{digits}g}" if isinstance(r[n], (int, float))
                    and not isinstance(r[n], bool) else json.dumps(r[n], sort_keys=True)
                    for n in names])
    return out.getvalue()


def inline_samples(data: dict, path: Path) -> str | None:
    """Read ``parameters.samples`` of plain scenario data read from ``path`` into
    ``parameters.rows`` (in place). Returns a problem message, or None."""
    section = data.get("parameters")
    if not isinstance(section, dict) or not isinstance(section.get("samples"), str) or \
            section.get("rows") is not None:  # rows written inline (or stored) are the samples
        return None
    name = section["samples"]
    file = path.parent / name
    if not file.is_file():
        return f"sample file '{name}' not found (expected a CSV file relative to {path.parent})"
    try:
        rows = read_samples(file)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return f"cannot read sample file '{name}' ({exc})"
    if not rows:
        return f"sample file '{name}' has no rows (expected a header and one row per sample)"
    section["rows"] = rows
    return None
