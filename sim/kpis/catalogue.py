"""The KPI catalogue: every KPI declared once, with what it means and how it is computed.

A :class:`Kpi` has a key, a label, a unit (and how figures show it), a direction (is more
better?), a tier (``headline`` KPIs lead every table and figure, ``summary`` ones follow,
``detail`` ones are kept in the data), the dimensions it is broken down by, and a function
that computes it from a run. Results, analysis, the CLI, plots and the report all read this
catalogue; nothing else knows how a KPI is named.

Flat keys. In a KPI dict (``RunResult.kpis``) and a stored KPI table each value has a flat
key: a total KPI's key (``transferred``), or the KPI's template filled with its dimension
values (``cost:payer:USA``, ``moved:al_hol>karkh``). :func:`flat_key` builds them and
:func:`parse_key` reads them back; :func:`long_table` gives the tidy long form (one row per
KPI and dimension values), so no caller splits strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Direction = Literal["higher", "lower"]
Tier = Literal["headline", "summary", "detail"]
DIMENSIONS = ("payer", "site", "destination", "nationality", "category", "cost_category",
              "kind", "reason", "fleet")
"""Every dimension a KPI can be broken down by (columns of the long table)."""


@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalogue."""

    key: str
    label: str
    """Plain words; a broken-down KPI's label names its dimensions: ``Cost paid by {payer}``."""
    unit: str
    """Unit of the stored value: people, days, USD, share (0-1), person-days, trips ..."""
    direction: Direction
    """Whether more is better (``higher``) or worse (``lower``) when policies are ranked."""
    compute: Callable[[Any], Any] = field(repr=False, compare=False)
    """``compute(run)`` -> a float (no dimensions) or ``{dimension values: float}``."""
    tier: Tier = "detail"
    dims: tuple[str, ...] = ()
    template: str = ""
    """Flat key with ``{dimension}`` fields (default: the key)."""
    shown_unit: str = ""
    """Unit in tables and figures (default: ``unit``), after multiplying by ``scale``."""
    scale: float = 1.0
    needs_policy: bool = False
    """Computed only for runs under a burden-sharing policy."""
    description: str = ""

    @property
    def pattern(self) -> str:
        return self.template or self.key

    def flat(self, **dims: str) -> str:
        return self.pattern.format(**dims) if self.dims else self.pattern

    def title(self, **dims: str) -> str:
        """The label with its dimension values filled in (``Cost paid by USA``)."""
        return self.label.format(**{k: str(v).replace("_", " ") for k, v in dims.items()})

    @property
    def axis_unit(self) -> str:
        return self.shown_unit or self.unit


class Catalogue:
    """The ordered set of KPIs (declaration order is display order)."""

    def __init__(self) -> None:
        self._kpis: dict[str, Kpi] = {}
        self._exact: dict[str, Kpi] = {}  # flat key of each KPI without dimensions
        self._regex: list[tuple[re.Pattern, Kpi]] = []
        self._flat_cache: dict[str, tuple[Kpi, dict[str, str]] | None] = {}

    def add(self, kpi: Kpi) -> Kpi:
        if kpi.key in self._kpis:
            raise ValueError(f"KPI {kpi.key!r} is declared twice")
        unknown = set(kpi.dims) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"KPI {kpi.key!r}: unknown dimensions {sorted(unknown)}")
        self._kpis[kpi.key] = kpi
        if not kpi.dims:
            self._exact[kpi.pattern] = kpi
        else:
            body = re.escape(kpi.pattern)
            for d in kpi.dims:
                body = body.replace(re.escape("{" + d + "}"), f"(?P<{d}>[^:>]+)")
            self._regex.append((re.compile(f"^{body}$"), kpi))
            # the most literal template first: cost:payer:{payer} before cost:{cost_category}
            self._regex.sort(key=lambda rk: -len(re.sub(r"\{[^}]*\}", "", rk[1].pattern)))
        self._flat_cache.clear()
        return kpi

    def remove(self, key: str) -> None:
        """Take a KPI out (for tests and interactive use)."""
        kpi = self._kpis.pop(key)
        self._exact.pop(kpi.pattern, None)
        self._regex = [(r, k) for r, k in self._regex if k.key != key]
        self._flat_cache.clear()

    def __getitem__(self, key: str) -> Kpi:
        return self._kpis[key]

    def __contains__(self, key: object) -> bool:
        return key in self._kpis

    def __iter__(self):
        return iter(self._kpis.values())

    def __len__(self) -> int:
        return len(self._kpis)

    def keys(self) -> list[str]:
        return list(self._kpis)

    def parse(self, flat: str) -> tuple[Kpi, dict[str, str]] | None:
        """The KPI and dimension values of a flat key (None for an unknown key)."""
        if flat in self._flat_cache:
            return self._flat_cache[flat]
        hit: tuple[Kpi, dict[str, str]] | None = None
        kpi = self._exact.get(flat)
        if kpi is not None:
            hit = (kpi, {})
        else:
            for regex, k in self._regex:
                m = regex.match(flat)
                if m:
                    hit = (k, m.groupdict())
                    break
        self._flat_cache[flat] = hit
        return hit

    def tier(self, *tiers: Tier) -> list[str]:
        """Flat keys of the total KPIs of these tiers, in display order."""
        return [k.pattern for k in self if k.tier in tiers and not k.dims]


CATALOGUE = Catalogue()


def kpi(key: str, label: str, unit: str, direction: Direction, **options: Any):
    """Decorator: declare the function below as the computation of KPI ``key``."""

    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        CATALOGUE.add(Kpi(key, label, unit, direction, fn, **options))
        return fn

    return deco


def flat_key(key: str, **dims: str) -> str:
    """The flat key of KPI ``key`` with these dimension values."""
    return CATALOGUE[key].flat(**dims)


def parse_key(flat: str) -> tuple[Kpi, dict[str, str]] | None:
    return CATALOGUE.parse(flat)


def compute(run: Any) -> dict[str, float]:
    """Every KPI of the catalogue for ``run`` as a flat dict (floats; NaN where undefined)."""
    out: dict[str, float] = {}
    policy = run.payers is not None
    for k in CATALOGUE:
        if k.needs_policy and not policy:
            continue
        value = k.compute(run)
        if k.dims:
            for dims, v in value.items():
                out[_flat(k.pattern, k.dims, dims)] = v
        else:
            out[k.pattern] = value
    return out


@lru_cache(maxsize=65536)
def _flat(pattern: str, names: tuple[str, ...], values: tuple[str, ...]) -> str:
    """A flat key from a KPI's template and its dimension values (built once per key)."""
    return pattern.format(**dict(zip(names, values)))


def headline() -> list[str]:
    """The headline KPIs (flat keys), in display order."""
    return CATALOGUE.tier("headline")


def summary() -> list[str]:
    """Headline and summary KPIs (flat keys), in display order."""
    return CATALOGUE.tier("headline", "summary")


def direction(flat: str) -> Direction:
    """Whether more of this KPI is better; KPIs outside the catalogue count as lower."""
    hit = CATALOGUE.parse(flat)
    return hit[0].direction if hit else "lower"


def label(flat: str) -> tuple[str, str, float]:
    """(title, unit shown, scale) of a flat key; a readable fallback outside the catalogue."""
    hit = CATALOGUE.parse(flat)
    if hit is None:
        return flat.replace("_", " ").capitalize(), "", 1.0
    k, dims = hit
    return k.title(**dims), k.axis_unit, k.scale


def long_table(kpis: Mapping[str, float] | pd.DataFrame,
               id_columns: Iterable[str] = ()) -> pd.DataFrame:
    """The tidy long form of KPIs: one row per (run,) KPI and dimension values.

    ``kpis``: a flat dict of one run, or a wide table (one row per run, flat keys as columns;
    ``id_columns`` identify a run and are kept). Columns: the id columns, ``kpi`` (catalogue
    key), one column per dimension in :data:`DIMENSIONS` (None where it does not apply),
    ``value``. Keys outside the catalogue are left out.
    """
    import pandas as pd

    wide = pd.DataFrame([dict(kpis)]) if isinstance(kpis, Mapping) else kpis
    ids = [c for c in id_columns if c in wide.columns]
    frames = []
    for col in wide.columns:
        hit = None if col in ids else CATALOGUE.parse(str(col))
        if hit is None:
            continue
        k, dims = hit
        part = wide[ids].copy() if ids else pd.DataFrame(index=wide.index)
        part["kpi"] = k.key
        for d in DIMENSIONS:
            part[d] = dims.get(d)
        part["value"] = wide[col].astype(float)
        frames.append(part)
    cols = [*ids, "kpi", *DIMENSIONS, "value"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]
