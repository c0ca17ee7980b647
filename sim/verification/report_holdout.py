"""The leave-future-out section of docs/validation.md.

``python -m sim.verification --holdout`` calibrates the January 2026 replay on the
observations up to each cut that leaves at least two to fit (:func:`holdout_cuts`), forecasts
every observation from the posterior and scores it; the scores are kept in
``docs/validation-holdout.json`` (a calibration takes minutes, so the plain
``python -m sim.verification`` reuses the stored scores) and rendered by :func:`holdout_lines`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "validation-holdout.json"
REPLAY = ROOT / "scenarios" / "jan2026_replay.yaml"


def run_holdout(path: Path = DATA, population: int = 300, generations: int = 6,
                runs: int = 200, workers: int | None = None, echo=print) -> dict[str, Any]:
    """Run the leave-future-out check for every cut and store the scores at ``path``."""
    from sim.calibration import Settings
    from sim.scenario import load_scenario
    from sim.verification.history import holdout_cuts, validate_holdout

    settings = Settings(population=population, max_generations=generations)
    cuts = []
    for cut in holdout_cuts(load_scenario(REPLAY)):
        t0 = time.perf_counter()
        rep = validate_holdout(REPLAY, cut, settings, runs=runs, workers=workers)
        cal = rep.calibration
        cuts.append({"after": cut.isoformat(), "fitted": len(cal.observed),
                     "generations": len(cal.generations) - 1, "runs": cal.runs,
                     "seconds": round(time.perf_counter() - t0, 1),
                     "posterior": cal.intervals().to_dict(orient="records"),
                     "scores": rep.scores.to_dict(orient="records")})
        echo(f"holdout after {cut}: {len(cal.observed)} fitted, {cal.runs} runs, "
             f"{cuts[-1]['seconds']:.0f} s")
    data = {"scenario": "scenarios/jan2026_replay.yaml", "seed": cal.seed,
            "settings": {"population": population, "generations": generations,
                         "predictive_runs": runs}, "cuts": cuts}
    path.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    return data


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|")


def holdout_lines(path: Path = DATA) -> list[str]:
    """The section (markdown lines); 'Not run.' without stored scores."""
    out = ['<a id="holdout"></a>', "",
           "## Leave-future-out checks of the calibration", ""]
    if not path.is_file():
        return out + ["Not run (`python -m sim.verification --holdout`).", ""]
    data = json.loads(path.read_text(encoding="utf-8"))
    s = data["settings"]
    out += [
        f"`sim validate-history {data['scenario']} --holdout-after DATE` for every cut that "
        f"leaves at least two observations to fit: ABC-SMC on the observations up to DATE "
        f"({s['population']} particles, at most {s['generations']} generations, root seed "
        f"{data['seed']}; docs/calibration.md), then {s['predictive_runs']} posterior "
        f"predictive runs, each with a posterior sample, the other uncertain inputs drawn "
        f"from their priors and fresh randomness. Scored per observation: relative error of "
        f"the predictive mean against the reported count, whether the central 50% and 90% "
        f"predictive bands meet the reported range, and the CRPS (people; scoringrules' "
        f"ensemble estimator). **in sample**: the observation was fitted (not a test of "
        f"prediction); **out of sample**: it was reported after the cut.", ""]
    for cut in data["cuts"]:
        out += [f"### Fitted on the observations up to {cut['after']} "
                f"({cut['fitted']} fitted; {cut['generations']} generations, {cut['runs']} "
                f"runs, {cut['seconds']:.0f} s)", "",
                "| observation | sample | reported | predictive mean | 50% band | 90% band | "
                "relative error | 50% meets | 90% meets | CRPS |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for r in cut["scores"]:
            rep = f"{r['observed']:,.0f}" if r["low"] == r["high"] else \
                f"{r['observed']:,.0f} ({r['low']:,.0f}-{r['high']:,.0f})"
            out.append(f"| {r['window']} | {'in sample' if r['in_sample'] else 'out of sample'}"
                       f" | {rep} | {r['mean']:,.0f} | {r['q25']:,.0f}-{r['q75']:,.0f} | "
                       f"{r['q05']:,.0f}-{r['q95']:,.0f} | {r['rel_error']:+.1%} | "
                       f"{'yes' if r['cover50'] else 'no'} | "
                       f"{'yes' if r['cover90'] else 'no'} | {r['crps']:,.1f} |")
        post = "; ".join(f"{p['parameter']} {p['median']:.4g} ({p['low']:.4g}-"
                         f"{p['high']:.4g})" for p in cut["posterior"])
        out += ["", f"Posterior median (90% interval): {_cell(post)}.", ""]
    oos = [r for c in data["cuts"] for r in c["scores"] if not r["in_sample"]]
    if oos:
        n = len(oos)
        out += [f"**Out of sample, over all cuts ({n} forecasts):** mean |relative error| "
                f"{sum(abs(r['rel_error']) for r in oos) / n:.1%}; the 50% band meets the "
                f"reported range in {sum(r['cover50'] for r in oos)} of {n}, the 90% band in "
                f"{sum(r['cover90'] for r in oos)} of {n}; mean CRPS "
                f"{sum(r['crps'] for r in oos) / n:,.0f} people. With this few observations "
                f"these are a check, not a measured calibration rate.", ""]
    return out
