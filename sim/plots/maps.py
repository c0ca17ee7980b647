"""Flow map: sites, crossings and destinations from their lat/lon, lines by people moved.

Drawn with matplotlib only (equirectangular projection, no map tiles, nothing downloaded).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.plots.data import policies_of, with_policy
from sim.plots.style import GREY, OKABE_ITO, fig_legend, finish, new_figure, styled

# Approximate international borders near the sites, for orientation only (a few vertices,
# lat/lon degrees, from general maps; not exact).
BORDERS = {
    "Syria-Iraq": [(37.11, 42.36), (36.81, 42.08), (36.55, 41.55), (36.35, 41.30),
                   (35.80, 41.25), (35.10, 41.20), (34.45, 40.93), (33.37, 38.79)],
    "Syria-Turkey": [(36.83, 38.00), (36.70, 38.95), (36.85, 40.07), (37.05, 41.22),
                     (37.11, 42.36)],
    "Iraq-Turkey": [(37.11, 42.36), (37.28, 43.00), (37.35, 43.60), (37.22, 44.30),
                    (37.14, 44.79)],
}
CITIES = {"Baghdad": (33.31, 44.37), "Mosul": (36.34, 43.13), "Hasakah": (36.50, 40.75),
          "Raqqa": (35.95, 39.02), "Erbil": (36.19, 44.01)}
COUNTRY_LABELS = {"SYRIA": (35.0, 39.4), "IRAQ": (34.2, 43.0), "TURKEY": (37.45, 40.2)}

SITE_COLOURS = {"prison": OKABE_ITO["vermillion"], "camp": OKABE_ITO["orange"]}
DEST_COLOURS = {"prison": OKABE_ITO["blue"], "rehabilitation": OKABE_ITO["green"]}
FLOW_COLOUR = {"prison": OKABE_ITO["blue"], "rehabilitation": OKABE_ITO["green"]}


def _paths(scenario, moved: pd.DataFrame) -> pd.DataFrame:
    """Add a ``crossing`` to flows without one: the crossing of the pair's road route when
    there is a single one (airlifted people then follow the road line: the ``moved:`` KPIs do
    not split by mode), else a direct line."""
    if "crossing" in moved.columns:
        return moved
    via: dict[tuple[str, str], set] = {}
    for r in scenario.routes:
        via.setdefault((r.origin, r.destination), set()).add(r.via)
    cross = []
    for o, d in zip(moved["origin"], moved["destination"]):
        road = {c for c in via.get((o, d), set()) if c}
        cross.append(next(iter(road)) if len(road) == 1 else None)
    return moved.assign(crossing=cross)


@styled
def flow_map(scenario, moved: pd.DataFrame, *, policies: Iterable[str] | str | None = None,
             provenance: Any = None, title: str | None = None, labels: bool = True,
             max_panels: int = 6) -> Figure:
    """Map of origin sites, border crossings and Iraqi destinations, with lines whose width
    is the mean number of people moved per replication (one panel per policy).

    ``moved``: columns ``origin, destination, people`` (and optionally ``policy`` and
    ``crossing``; None = a direct flight), e.g. from
    :func:`sim.plots.data.moved_from_kpis` or :func:`sim.plots.data.moved_from_trips`."""
    moved = with_policy(moved)
    if policies is not None:
        wanted = [policies] if isinstance(policies, str) else list(policies)
        moved = moved[moved["policy"].isin(wanted)]
    pols = policies_of(moved)[:max_panels] if len(moved) else ["none"]
    moved = _paths(scenario, moved)
    peak = float(moved["people"].max()) if len(moved) else 0.0
    lat = [s.lat for s in scenario.sites.values()] + [d.lat for d in
                                                     scenario.destinations.values()]
    lon = [s.lon for s in scenario.sites.values()] + [d.lon for d in
                                                     scenario.destinations.values()]
    lat += [c.lat for c in scenario.crossings.values()]
    lon += [c.lon for c in scenario.crossings.values()]
    lat0 = float(np.mean(lat))
    aspect = 1 / math.cos(math.radians(lat0))
    pad = 0.45
    xlim = (min(lon) - pad, max(lon) + pad)
    ylim = (min(lat) - pad, max(lat) + pad)
    w_deg = (xlim[1] - xlim[0])
    h_deg = (ylim[1] - ylim[0]) * aspect
    ncols = min(len(pols), 3)
    panel_w = 4.4 if len(pols) > 1 else 7.5
    panel_h = panel_w * h_deg / w_deg + 0.5
    fig, axes = new_figure(len(pols), ncols=ncols, panel=(panel_w, panel_h))
    pending = []
    for ax, p in zip(axes, pols):
        g = moved[moved["policy"] == p]
        _base_map(ax, scenario, xlim, ylim, aspect, labels=labels and len(pols) == 1)
        total = float(g["people"].sum()) if len(g) else 0.0
        ax.set_title(p if len(pols) > 1 else f"{p}: {total:,.0f} people moved",
                     loc="left", fontsize=9.5)
        if len(pols) > 1:
            ax.text(0.02, 0.02, f"{total:,.0f} moved", transform=ax.transAxes, fontsize=8,
                    color="#333333")
        if total <= 0:
            ax.text(0.5, 0.5, "nobody moved", transform=ax.transAxes, ha="center",
                    color=GREY)
        for _, r in g.sort_values("people").iterrows():
            if r["people"] <= 0:
                continue
            s = scenario.sites.get(r["origin"])
            d = scenario.destinations.get(r["destination"])
            if s is None or d is None:
                continue
            pts = [(s.lon, s.lat)]
            c = scenario.crossings.get(r["crossing"]) if r["crossing"] else None
            if c is not None:
                pts.append((c.lon, c.lat))
            pts.append((d.lon, d.lat))
            xs, ys = zip(*pts)
            lw = 0.6 + 9.0 * r["people"] / peak if peak > 0 else 0.6
            ax.plot(xs, ys, color=FLOW_COLOUR.get(d.kind, GREY), lw=lw, alpha=0.55,
                    solid_capstyle="round", ls="-" if c is not None else (0, (4, 2)),
                    zorder=3, gid=f"flow:{r['origin']}>{r['destination']}")
            if labels and len(pols) == 1 and r["people"] >= 0.04 * total:
                mx, my = _label_point(pts)
                ax.annotate(f"{r['people']:,.0f}", (mx, my), fontsize=7, color="#222222",
                            ha="center", va="center", zorder=6,
                            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75,
                                  "pad": 0.6})
        pending.append((ax, _points(ax, scenario)))
    handles = [
        Line2D([], [], marker="o", ls="", color=SITE_COLOURS["prison"], label="prison (Syria)"),
        Line2D([], [], marker="o", ls="", color=SITE_COLOURS["camp"], label="camp (Syria)"),
        Line2D([], [], marker="D", ls="", color="black", label="border crossing"),
        Line2D([], [], marker="s", ls="", color=DEST_COLOURS["prison"], label="prison (Iraq)"),
        Line2D([], [], marker="s", ls="", color=DEST_COLOURS["rehabilitation"],
               label="rehabilitation (Iraq)"),
        Line2D([], [], color=GREY, lw=3, alpha=0.6, label="people moved (width)"),
        Line2D([], [], color=GREY, lw=1.5, ls=(0, (4, 2)), label="direct (air)"),
    ]
    fig_legend(fig, handles, ncol=4, fontsize=8)
    kind = "by road via the crossing shown"
    note = ("Line width: mean people moved per replication from each site to each destination "
            f"(widest = {peak:,.0f}); lines drawn {kind} (airlifted people included unless "
            "trips show they flew). Site marker area: initial population. Borders approximate.")
    finish(fig, title or "Where people were moved", provenance, note)
    if labels and len(pols) == 1:
        # place labels once the layout is final (then freeze it), so none collide
        fig.canvas.draw()
        fig.set_layout_engine("none")
        for ax, items in pending:
            _place_labels(ax, items)
    return fig


def _label_point(pts: list[tuple[float, float]]) -> tuple[float, float]:
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    return x0 + 0.55 * (x1 - x0), y0 + 0.55 * (y1 - y0)


def _base_map(ax, scenario, xlim, ylim, aspect, labels: bool) -> None:
    ax.set_facecolor("#F7F9FB")
    for name, line in BORDERS.items():
        ys, xs = zip(*line)
        ax.plot(xs, ys, color="#9A9A9A", lw=0.9, ls=(0, (5, 2, 1, 2)), zorder=1,
                gid=f"border:{name}")
    for label, (y, x) in COUNTRY_LABELS.items():
        if xlim[0] < x < xlim[1] and ylim[0] < y < ylim[1]:
            ax.text(x, y, label, color="#C8C8C8", fontsize=13 if labels else 9,
                    fontweight="bold", ha="center", va="center", zorder=0)
    points = [(s.lat, s.lon) for s in scenario.sites.values()]
    points += [(d.lat, d.lon) for d in scenario.destinations.values()]
    points += [(c.lat, c.lon) for c in scenario.crossings.values()]
    for name, (y, x) in CITIES.items():
        near = any(abs(y - py) < 0.2 and abs(x - px) < 0.2 for py, px in points)
        if xlim[0] < x < xlim[1] and ylim[0] < y < ylim[1] and not near:
            ax.plot([x], [y], marker=".", color="#9A9A9A", ms=4, zorder=2)
            if labels:
                ax.annotate(name, (x, y), xytext=(3, -8), textcoords="offset points",
                            fontsize=7, color="#8A8A8A", style="italic")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude (°E)", fontsize=8)
    ax.set_ylabel("latitude (°N)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(color="#E8E8E8", lw=0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_color("#BBBBBB")


def _points(ax, scenario) -> list[tuple[float, float, str]]:
    """Draw sites, crossings and destinations; return the labels to place."""
    pops = {k: sum(n for cats in s.population.values() for n in cats.values())
            for k, s in scenario.sites.items()}
    big = max(pops.values()) if pops else 1
    items: list[tuple[float, float, str]] = []
    for k, s in scenario.sites.items():
        size = 18 + 260 * math.sqrt(pops[k] / big) if big else 18
        ax.scatter([s.lon], [s.lat], s=size, color=SITE_COLOURS.get(s.kind, GREY),
                   edgecolors="white", linewidths=0.8, zorder=5, gid=f"site:{k}")
    for group in _clusters([(k, s.lat, s.lon) for k, s in scenario.sites.items()]):
        sites = [scenario.sites[k] for k in group]
        names = ",\n".join(x.name.split(" (")[0] for x in sites)
        people = " + ".join(f"{pops[k]:,}" for k in group)
        items.append((float(np.mean([x.lon for x in sites])),
                      float(np.mean([x.lat for x in sites])), f"{names}\n{people}"))
    for k, c in scenario.crossings.items():
        ax.scatter([c.lon], [c.lat], s=34, marker="D", color="black", zorder=5,
                   gid=f"crossing:{k}")
        items.append((c.lon, c.lat, c.name))
    for k, d in scenario.destinations.items():
        ax.scatter([d.lon], [d.lat], s=70, marker="s", color=DEST_COLOURS.get(d.kind, GREY),
                   edgecolors="white", linewidths=0.8, zorder=5, gid=f"dest:{k}")
        items.append((d.lon, d.lat,
                      f"{d.name.split(' (')[0].split(' / ')[0]}\n{d.beds:,} beds"))
    return items


def _clusters(points: list[tuple[str, float, float]], eps: float = 0.08) -> list[list[str]]:
    """Ids of points closer than ``eps`` degrees, grouped (labelled together)."""
    groups: list[list[tuple[str, float, float]]] = []
    for p in points:
        for g in groups:
            if any(abs(p[1] - q[1]) < eps and abs(p[2] - q[2]) < eps for q in g):
                g.append(p)
                break
        else:
            groups.append([p])
    return [[p[0] for p in g] for g in groups]


_OFFSETS = [(-7, 4, "right", "bottom"), (7, 4, "left", "bottom"), (7, -4, "left", "top"),
            (-7, -4, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
            (-7, 0, "right", "center"), (7, 0, "left", "center")]


def _place_labels(ax, items: list[tuple[float, float, str]]) -> None:
    """Annotate each point with the first offset whose text box overlaps no marker, no
    label placed before, and stays inside the axes."""
    from matplotlib.transforms import Bbox

    renderer = ax.figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    r = 7 * ax.figure.dpi / 72
    taken = [Bbox.from_extents(*(ax.transData.transform((x, y)) - r),
                               *(ax.transData.transform((x, y)) + r)) for x, y, _ in items]
    for x, y, text in sorted(items, key=lambda it: -it[1]):
        here = ax.transData.transform((x, y))
        chosen = None
        for dx, dy, ha, va in _OFFSETS:
            ann = _label(ax, x, y, text, dx, dy, ha, va)
            box = ann.get_window_extent(renderer)
            inside_ok = (box.x0 >= inside.x0 and box.x1 <= inside.x1 and
                         box.y0 >= inside.y0 and box.y1 <= inside.y1)
            clash = any(box.overlaps(t) for t in taken
                        if not (t.contains(*here) and t.width <= 2 * r + 1))
            if inside_ok and not clash:
                chosen = ann
                break
            ann.remove()
        if chosen is None:  # every candidate clashed: keep the first
            chosen = _label(ax, x, y, text, *_OFFSETS[0])
        taken.append(chosen.get_window_extent(renderer).padded(9))


def _label(ax, x, y, text, dx, dy, ha, va):
    from matplotlib.patheffects import withStroke

    return ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                       va=va, fontsize=7, color="#222222", zorder=6, linespacing=1.1,
                       path_effects=[withStroke(linewidth=2.4, foreground="white")])
