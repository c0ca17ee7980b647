"""The parameter draw of a replication (see :mod:`sim.scenario.draws` for the section):
the values, and the scenario that runs with them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sim.scenario.draws import STREAM, WEIGHT, ParameterDraw


def draw_values(scn: Any, replication: int, seed: int | None = None) -> dict[str, Any]:
    """The values replication ``replication`` draws for every active uncertainty of ``scn``
    (fitted ones from the sample file, the others from their prior)."""
    from sim.rng import stream
    from sim.scenario.uncertainties import active

    params: ParameterDraw | None = scn.parameters
    root = scn.metadata.seed if seed is None else int(seed)
    section = active(scn.uncertainties)
    out: dict[str, Any] = {}
    row: dict[str, Any] = {}
    if params is not None and params.draw == "posterior":
        rows = params.rows or []
        weights = [float(r.get(WEIGHT, 1.0)) for r in rows]
        if len(set(weights)) <= 1:
            row = rows[replication % len(rows)]
        else:
            u = stream(root, replication, STREAM).random() * sum(weights)
            acc, pick = 0.0, len(rows) - 1
            for i, w in enumerate(weights):
                acc += w
                if u < acc:
                    pick = i
                    break
            row = rows[pick]
    for name, unc in section.items():
        if name in row:
            out[name] = row[name]
        else:
            u = stream(root, replication, f"{STREAM}:{name}").random()
            out[name] = unc.value(u)
    return out


def drawn_scenario(scn: Any, replication: int, seed: int | None = None) -> Any:
    """``scn`` with the values of replication ``replication`` drawn (:func:`draw_values`)
    and set; kept with ``scn``, so that every policy reuses it."""
    root = scn.metadata.seed if seed is None else int(seed)
    return scn.derived(f"drawn:{int(replication)}:{root}",
                       lambda: build_drawn(scn, replication, root))


def build_drawn(scn: Any, replication: int, seed: int | None = None,
                fixed: Mapping[str, Any] | None = None) -> Any:
    """``scn`` with the values of replication ``replication`` set: ``fixed`` ones as given,
    the others drawn as :func:`draw_values` does (not kept)."""
    from sim.scenario.loader import scenario_from_dict, scenario_to_dict
    from sim.scenario.uncertainties import active, overrides, with_values

    section = active(scn.uncertainties)
    values = draw_values(scn, replication, seed)
    values.update(fixed or {})
    base = scenario_to_dict(scn)
    base.pop("uncertainties", None)
    params = base.pop("parameters", None) or {"draw": "prior"}
    data = with_values(base, overrides(section, values, base))
    data["parameters"] = {"draw": params["draw"],
                          "values": {n: numeric(v, section.get(n)) for n, v in values.items()}}
    if "samples" in params:
        data["parameters"]["samples"] = params["samples"]
    return scenario_from_dict(data, source=f"{scn.metadata.name} (replication {replication} "
                                            f"with drawn parameters)")


def numeric(value: Any, unc: Any) -> float:
    """A drawn value as a number: itself, or a categorical's index among its values."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if unc is not None and unc.dist == "categorical":
        texts = [json.dumps(v, sort_keys=True, default=str) for v in unc.values or []]
        text = json.dumps(value, sort_keys=True, default=str)
        if text in texts:
            return float(texts.index(text))
    return float("nan")


def needs_draw(scn: Any) -> bool:
    """Whether ``scn`` draws its parameters before it runs (and has not drawn them yet)."""
    params = getattr(scn, "parameters", None)
    return params is not None and params.values is None
