"""Shared look of every figure: colour-blind-safe palette, fonts, footnotes, date axes.

Figures are built as :class:`matplotlib.figure.Figure` objects attached to the Agg canvas,
without pyplot: no global figure registry, no GUI backend, nothing to close, and a figure
shown in Jupyter still renders (IPython displays any Figure returned by a cell).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""The Okabe-Ito palette (Okabe & Ito 2008), distinguishable with the common forms of colour
blindness."""

PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky",
                                  "yellow")]
"""Series colours in order (black is kept for observations and references)."""

LINESTYLES = ["-", (0, (5, 1.5)), (0, (1.2, 1.2)), (0, (6, 1.5, 1.2, 1.5)), (0, (3, 1.5)),
              (0, (8, 2, 1.2, 2, 1.2, 2)), (0, (2, 2))]
"""Line styles in series order: series that coincide stay distinguishable, and colour is
never the only cue."""

GREY = "#7F7F7F"
LIGHT = "#D9D9D9"
OBSERVED = OKABE_ITO["black"]

BLOCK_COLOURS = {
    "access": OKABE_ITO["purple"], "route": OKABE_ITO["vermillion"],
    "acceptance": OKABE_ITO["blue"], "beds": OKABE_ITO["orange"],
    "crossing": OKABE_ITO["sky"], "units": OKABE_ITO["green"],
    "funding": OKABE_ITO["yellow"],
}
"""Fixed colours of the dispatch constraints (same colour in every figure)."""

BLOCK_LABELS = {
    "access": "site access closed", "route": "route closed", "acceptance": "acceptance cap",
    "beds": "no free beds", "crossing": "crossing quota", "units": "no free units/seats",
    "funding": "no funding",
}

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.edgecolor": "#555555",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}


@dataclass
class Provenance:
    """What a figure was made from; printed as its footnote."""

    scenario: str | None = None
    replications: int | str | None = None
    seed: int | str | None = None
    version: str | None = None
    source: str | None = None
    """E.g. ``batch 'policies'`` or ``sim run results/x``."""
    notes: list[str] = field(default_factory=list)

    def text(self, extra: str | None = None) -> str:
        parts = []
        if self.scenario:
            parts.append(f"Scenario {self.scenario}")
        if self.replications is not None:
            parts.append(f"{self.replications} replication(s) per policy")
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        parts.append(f"sim {self.version or _version()}")
        if self.source:
            parts.append(self.source)
        line = " · ".join(parts)
        notes = [*self.notes, *([extra] if extra else [])]
        return "\n".join([line, *notes]) if notes else line

    def with_note(self, note: str) -> Provenance:
        return Provenance(self.scenario, self.replications, self.seed, self.version,
                          self.source, [*self.notes, note])


def _version() -> str:
    try:
        import sim

        return sim.__version__
    except Exception:  # pragma: no cover
        return "unknown"


def provenance_of(value: Provenance | str | dict | None) -> Provenance:
    if isinstance(value, Provenance):
        return value
    if isinstance(value, dict):
        return Provenance(**value)
    if isinstance(value, str):
        return Provenance(source=value)
    return Provenance()


def new_figure(n: int, ncols: int | None = None, *, panel: tuple[float, float] = (4.6, 3.0),
               sharex: bool = False, sharey: bool = False, width: float | None = None,
               height: float | None = None) -> tuple[Figure, list]:
    """A figure with ``n`` axes in a grid (unused grid cells removed)."""
    n = max(int(n), 1)
    ncols = ncols or min(n, 3)
    nrows = math.ceil(n / ncols)
    w = width or min(panel[0] * ncols, 13.5)
    h = height or panel[1] * nrows + 0.9
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(w, h), layout="constrained")
        FigureCanvasAgg(fig)
        grid = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, squeeze=False)
        axes = list(grid.ravel())
        for i, ax in enumerate(axes[n:], start=n):
            ax.remove()
            above = i - ncols
            if sharex and above >= 0:  # the panel above now ends its column: label its axis
                axes[above].xaxis.set_tick_params(which="both", labelbottom=True)
    return fig, axes[:n]


def finish(fig: Figure, title: str, provenance: Provenance | str | dict | None,
           note: str | None = None, subtitle: str | None = None) -> Figure:
    """Title (top left), the figure legend under it, and the provenance footnote at the
    bottom, all inside the figure: the panels are laid out in the space left between them, so
    a plain ``fig.savefig(path)`` keeps everything."""
    import textwrap

    with matplotlib.rc_context(RC):
        renderer = fig.canvas.get_renderer()
        height = fig.bbox.height
        pad = 6 * fig.dpi / 72
        chars = max(int(fig.get_figwidth() * 72 / (7.5 * 0.56)), 40)
        foot = provenance_of(provenance).text(note)
        if subtitle:
            foot = subtitle + "\n" + foot
        foot = "\n".join(textwrap.fill(line, chars) for line in foot.split("\n"))
        t = fig.text(0.01, 1 - pad / height, textwrap.fill(title, int(chars * 0.62)),
                     ha="left", va="top", fontsize=12, fontweight="bold", gid="title")
        top = t.get_window_extent(renderer).height + pad
        legend = getattr(fig, "_sim_legend", None)
        if legend is not None:
            legend.set_bbox_to_anchor((0.5, 1 - (top + pad / 2) / height),
                                      transform=fig.transFigure)
            top += legend.get_window_extent(renderer).height + pad / 2
        f = fig.text(0.01, pad / 2 / height, foot, ha="left", va="bottom", fontsize=7.5,
                     color="#555555", gid="provenance", linespacing=1.35)
        bottom = f.get_window_extent(renderer).height + pad
        fig.get_layout_engine().set(rect=(0, bottom / height, 1,
                                          max(1 - (top + pad) / height - bottom / height, 0.2)))
    return fig


def styled(fn):
    """Run a figure function under the project's rcParams (fonts, grid, palette, legend)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return fn(*args, **kwargs)

    return wrapper


def fig_legend(fig: Figure, handles: list, ncol: int | None = None, **kwargs) -> None:
    """One legend for the whole figure, between the title and the panels."""
    if not handles:
        return
    if ncol is None:
        ncol = len(handles) if len(handles) <= 6 else math.ceil(len(handles) / 2)
    fig._sim_legend = fig.legend(handles=handles, loc="upper center",
                                 bbox_to_anchor=(0.5, 1.0), ncol=ncol,
                                 fontsize=kwargs.pop("fontsize", 8.5), **kwargs)


def colours_for(names: Iterable[Any]) -> dict[Any, str]:
    """A stable colour per name (policy, payer ...), in the order given."""
    names = list(dict.fromkeys(names))
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def linestyles_for(names: Iterable[Any]) -> dict[Any, Any]:
    names = list(dict.fromkeys(names))
    return {name: LINESTYLES[i % len(LINESTYLES)] for i, name in enumerate(names)}


def date_axis(ax, dates: bool = True) -> None:
    import matplotlib.dates as mdates

    if dates:
        loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    else:
        ax.set_xlabel("day")


def thousands(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda x, _: f"{x:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def millions(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda x, _: f"{x / 1e6:,.0f}" if abs(x) >= 1e7 or x == 0
                        else f"{x / 1e6:,.1f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def empty_note(ax, text: str = "no data") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes,
            color=GREY, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def save(fig: Figure, path, fmt: str | None = None) -> None:
    """Save with the project's settings (tight bounding box keeps the footnote)."""
    with matplotlib.rc_context(RC):
        fig.savefig(path, format=fmt, dpi=150, bbox_inches="tight", pad_inches=0.15,
                    metadata=_metadata(fmt or str(path).rsplit(".", 1)[-1]))


def _metadata(fmt: str) -> dict | None:
    # reproducible files: no creation date in PNG/SVG/PDF metadata
    if fmt == "png":
        return {"Software": None}
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None


def label_list(items: Sequence[str], limit: int = 4) -> str:
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def today() -> str:
    return dt.date.today().isoformat()
