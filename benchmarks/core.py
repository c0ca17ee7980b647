"""Core model benchmarks, each figure beside its budget (DESIGN.md, "Performance budgets").

1. One baseline replication (scenarios/baseline.yaml, 730 days, all sites): wall time of
   ``sim.simulate`` (median of repeats after a warm-up).   Budget: < 0.1 s.
2. Person-transfers simulated per second, cohort model vs the one-process-per-person SimPy
   model of the same flow (benchmarks/reference_person_model.py) on a scenario derived
   from tests/data/tiny.yaml (fixed 0.3-day trips, 4 units x 50 seats, nothing else
   binding), both measured in this run.   Budget: cohort >= 20x the reference.
3. Scaling: the baseline with every site's population and capacity x100 vs as shipped
   (the same scenario at 100 times the size).   Budget: run time ratio < 1.5x.

Timings use ``time.perf_counter``; samples of the two sides of a ratio are interleaved and
medians are reported, since the machine may be loaded by other processes (the 1-minute load
average is printed beside each figure). Run ``python -m benchmarks.core`` or call
:func:`main`, which prints the table and returns the numbers as a dict.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"

BUDGET_BASELINE_S = 0.1
BUDGET_RATE_RATIO = 20.0
BUDGET_SCALE_RATIO = 1.5


# ----------------------------------------------------------------------------- scenarios
def flow_overrides(people: int, units: int = 4, seats: int = 50, travel: float = 0.3,
                   horizon: int | None = None) -> dict:
    """Overrides of tests/data/tiny.yaml for a plain transfer flow: ``people`` adults at the
    camp, ``units`` x ``seats``, fixed ``travel`` days each way, no load or turnaround time,
    no escapes; beds, screening and the crossing never bind. The horizon covers the
    programme with a few days to spare."""
    if horizon is None:
        rounds = math.ceil(people / (units * seats))
        horizon = int(math.ceil(rounds * 2 * travel)) + 3
    return {
        "metadata.horizon_days": horizon,
        "sites.camp.population": {"IRQ": {"adult": people}},
        "sites.camp.capacity": max(people, 1),
        "destinations.centre.beds": people,
        "destinations.centre.intake_per_day": max(people, 1),
        "crossings.rabia.daily_throughput": people,
        "fleets.road.units": units,
        "fleets.road.seats": seats,
        "fleets.road.load_time": {"dist": "fixed", "value": 0},
        "fleets.road.turnaround": {"dist": "fixed", "value": 0},
        "routes.0.travel_time": {"dist": "fixed", "value": travel},
        "escapes.base_hazard_per_day": {"camp": 0.0, "prison": 0.0},
    }


def flow_scenario(people: int, **kwargs):
    """tests/data/tiny.yaml with :func:`flow_overrides`."""
    import sim

    return sim.load_scenario(TINY, overrides=flow_overrides(people, **kwargs))


def scaled(scenario, factor: int):
    """The same scenario with every site's population and capacity multiplied by ``factor``."""
    from sim.scenario import scenario_from_dict, scenario_to_dict

    data = scenario_to_dict(scenario)
    for site in data["sites"].values():
        site["capacity"] = int(site["capacity"]) * factor
        site["population"] = {nat: {cat: int(n) * factor for cat, n in cats.items()}
                              for nat, cats in site["population"].items()}
    return scenario_from_dict(data, source=f"{scenario.metadata.name} x{factor}")


# ----------------------------------------------------------------------------- timing
def _load() -> float:
    return os.getloadavg()[0]


def _sample(fn: Callable[[], object], inner: int) -> float:
    """Seconds per call of ``fn``, over ``inner`` back-to-back calls."""
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) / inner


def _inner_for(fn: Callable[[], object], min_sample_s: float) -> int:
    """Calls per sample so that a sample lasts about ``min_sample_s`` (warms ``fn`` up)."""
    once = _sample(fn, 1)
    return max(1, math.ceil(min_sample_s / max(once, 1e-9)))


def interleaved(fns: dict[str, Callable[[], object]], repeats: int,
                min_sample_s: float = 0.0) -> dict[str, list[float]]:
    """Per-call seconds of each function, ``repeats`` samples each, taken in turn (so a
    change of machine load hits every side alike), after one warm-up call each."""
    inner = {name: _inner_for(fn, min_sample_s) for name, fn in fns.items()}
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            out[name].append(_sample(fn, inner[name]))
    return out


# ----------------------------------------------------------------------------- figures
def baseline_time(repeats: int = 7) -> dict:
    """(1) Wall time of one baseline replication (``sim.simulate``, no policy)."""
    import sim

    scn = sim.load_scenario(BASELINE)
    load0 = _load()
    samples = interleaved({"baseline": lambda: sim.simulate(scn)}, repeats)["baseline"]
    kpis = sim.simulate(scn).kpis
    return {"seconds": statistics.median(samples), "samples": samples, "load": (load0, _load()),
            "trips": kpis["trips"], "transferred": kpis["transferred"]}


def transfer_rates(cohort_people: int = 20_000, reference_people: int = 20_000,
                   repeats: int = 5, min_sample_s: float = 0.5) -> dict:
    """(2) Person-transfers per second: cohort model vs the per-person model, same flow.

    Each model simulates the flow of :func:`flow_scenario` to the end; the rate is people
    transferred / median wall time. Samples are at least ``min_sample_s`` long (short runs
    are repeated back to back within a sample).
    """
    import sim
    from benchmarks.reference_person_model import FlowConfig, run_reference

    cohort_scn = flow_scenario(cohort_people)
    ref_cfg = FlowConfig.from_scenario(flow_scenario(reference_people))
    moved: dict[str, int] = {}

    def cohort() -> None:
        moved["cohort"] = int(sim.simulate(cohort_scn).raw.arrived[-1].sum())

    def reference() -> None:
        moved["reference"] = run_reference(ref_cfg).transferred

    load0 = _load()
    samples = interleaved({"cohort": cohort, "reference": reference}, repeats, min_sample_s)
    res = sim.simulate(cohort_scn)
    ref = run_reference(ref_cfg)
    if moved["cohort"] != cohort_people or moved["reference"] != reference_people:
        raise RuntimeError(f"a model did not move everyone: {moved}")
    if cohort_people == reference_people and (
            res.kpis["trips"] != ref.trips or res.kpis["completion_day"] != ref.completion_day):
        raise RuntimeError("the cohort and per-person models disagree on the same flow: "
                           f"trips {res.kpis['trips']} vs {ref.trips}, completion day "
                           f"{res.kpis['completion_day']} vs {ref.completion_day}")
    t_c, t_r = statistics.median(samples["cohort"]), statistics.median(samples["reference"])
    rate_c, rate_r = cohort_people / t_c, reference_people / t_r
    return {"cohort_people": cohort_people, "reference_people": reference_people,
            "cohort_s": t_c, "reference_s": t_r, "cohort_rate": rate_c, "reference_rate": rate_r,
            "ratio": rate_c / rate_r, "samples": samples, "load": (load0, _load()),
            "trips": res.kpis["trips"], "completion_day": res.kpis["completion_day"]}


def population_scaling(factor: int = 100, repeats: int = 7) -> dict:
    """(3) Run time of the baseline at ``factor`` x population (and capacity) vs 1x."""
    import sim

    base = sim.load_scenario(BASELINE)
    big = scaled(base, factor)
    load0 = _load()
    samples = interleaved({"1x": lambda: sim.simulate(base),
                           f"{factor}x": lambda: sim.simulate(big)}, repeats)
    t1, tn = statistics.median(samples["1x"]), statistics.median(samples[f"{factor}x"])
    return {"factor": factor, "seconds_1x": t1, "seconds_nx": tn, "ratio": tn / t1,
            "samples": samples, "load": (load0, _load())}


# ----------------------------------------------------------------------------- report
def _row(figure: str, measured: str, budget: str, ratio: str, ok: bool | str | None,
         load: tuple[float, float] | str | None) -> str:
    verdict = ok if isinstance(ok, str) else "" if ok is None else ("PASS" if ok else "FAIL")
    loads = load if isinstance(load, str) else f"{load[0]:.2f} -> {load[1]:.2f}" if load else ""
    return f"{figure:<44} {measured:>26} {budget:>9} {ratio:>13} {verdict:>6}  {loads}"


def main(argv: list[str] | None = None) -> dict:
    """Measure the three core figures, print them beside their budgets, return them."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.core",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed samples per figure")
    ap.add_argument("--people", type=int, default=20_000,
                    help="population of the flow for the cohort model")
    ap.add_argument("--reference-people", type=int, default=20_000,
                    help="population of the flow for the per-person model (keep it < ~20 s)")
    ap.add_argument("--factor", type=int, default=100, help="population multiple for scaling")
    args = ap.parse_args([] if argv is None else argv)
    reps = max(args.repeats, 1)

    print(f"core benchmarks ({os.cpu_count()} CPUs, Python {sys.version.split()[0]}); "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base = baseline_time(reps)
    rates = transfer_rates(args.people, args.reference_people, max(reps // 2, 3))
    scale = population_scaling(args.factor, reps)

    ok_base = base["seconds"] < BUDGET_BASELINE_S
    ok_rate = rates["ratio"] >= BUDGET_RATE_RATIO
    ok_scale = scale["ratio"] < BUDGET_SCALE_RATIO
    header = _row("figure", "measured", "budget", "ratio", "result", "load avg (1 min)")
    print(header)
    print("-" * len(header))
    print(_row(f"baseline replication (median of {reps})", f"{base['seconds']:.3f} s",
               f"< {BUDGET_BASELINE_S:g} s", f"{base['seconds'] / BUDGET_BASELINE_S:.2f}x budget",
               ok_base, base["load"]))
    print(_row(f"  cohort model, {rates['cohort_people']:,} people",
               f"{rates['cohort_rate']:,.0f} /s ({rates['cohort_s']:.3f} s)", "", "", None,
               None))
    print(_row(f"  per-person model, {rates['reference_people']:,} people",
               f"{rates['reference_rate']:,.0f} /s ({rates['reference_s']:.3f} s)", "", "",
               None, None))
    print(_row("person-transfers/s, cohort / per-person", f"{rates['ratio']:.1f}x",
               f">= {BUDGET_RATE_RATIO:g}x", f"{rates['ratio']:.1f}x", ok_rate, rates["load"]))
    print(_row("  baseline 1x", f"{scale['seconds_1x']:.3f} s", "", "", None, None))
    print(_row(f"  baseline {scale['factor']}x population and capacity",
               f"{scale['seconds_nx']:.3f} s", "", "", None, None))
    print(_row(f"run time {scale['factor']}x / 1x population", f"{scale['ratio']:.2f}x",
               f"< {BUDGET_SCALE_RATIO:g}x", f"{scale['ratio']:.2f}x", ok_scale, scale["load"]))
    return {
        "baseline_s": base["seconds"], "baseline_samples": base["samples"],
        "cohort_rate": rates["cohort_rate"], "reference_rate": rates["reference_rate"],
        "cohort_s": rates["cohort_s"], "reference_s": rates["reference_s"],
        "rate_ratio": rates["ratio"], "scale_1x_s": scale["seconds_1x"],
        "scale_nx_s": scale["seconds_nx"], "scale_ratio": scale["ratio"],
        "scale_factor": scale["factor"],
        "load": {"baseline": base["load"], "rates": rates["load"], "scaling": scale["load"]},
        "pass": {"baseline": ok_base, "rate_ratio": ok_rate, "scaling": ok_scale},
    }


if __name__ == "__main__":
    sys.exit(0 if all(main(sys.argv[1:])["pass"].values()) else 1)
