"""``sim validate-history``: a replay against the counts observed at the time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, guard


@app.command("validate-history")
def validate_history_cmd(
    scenario: Annotated[Path, typer.Argument(help="Replay scenario with an observed: section.")],
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, max=100_000,  # the schema's bounds (sim.scenario.base)
        help="Replications (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, max=2**63 - 1, help="Root seed (default: the scenario's).")] = None,
    policy: Annotated[str | None, typer.Option(
        help="Policy name from the scenario's policies: (default: none).")] = None,
    figure: Annotated[Path | None, typer.Option(
        "--figure", help="Figure file, .png/.svg/.pdf (default: "
                         "results/<scenario name>-history.png).")] = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="Output: text (fits the terminal), csv, json or markdown.")
    ] = "text",
    holdout_after: Annotated[str | None, typer.Option(
        "--holdout-after", help="Calibrate on the observations up to this date (YYYY-MM-DD) "
                                "and score the later ones; 'all': every cut that leaves at "
                                "least two observations to fit.")] = None,
    population: Annotated[int, typer.Option(min=10, max=100_000, help="Holdout: particles per "
                                                         "generation.")] = 300,
    generations: Annotated[int, typer.Option(min=1, max=100, help="Holdout: at most this many "
                                                         "generations.")] = 6,
    runs: Annotated[int, typer.Option(min=10, max=100_000, help="Holdout: predictive runs.")] = 200,
    workers: Annotated[int | None, typer.Option(
        help="Holdout: local worker processes (default: CPU count).")] = None,
):
    """Compare a replay's cumulative transfers with its observed counts: per-point errors,
    the averaged relative difference, and a figure. With --holdout-after: calibrate on the
    earlier observations and score the forecast of the later ones."""
    from sim.cli.suggest import existing_file
    from sim.cli.tables import check_format

    scenario = existing_file(scenario, "scenario file")
    fmt = check_format(fmt)
    if holdout_after is not None:
        _holdout(scenario, holdout_after, seed, population, generations, runs, workers)
        return

    def go():
        from sim.store.files import safe_name
        from sim.verification.history import history_figure, save_figure, validate_history

        report = validate_history(scenario, replications, seed, policy)
        name = safe_name(report.scenario.metadata.name)
        path = save_figure(history_figure(report),
                           figure or Path("results") / f"{name}-history.png")
        return report, path

    report, path = guard(go)
    _print_history(report, path, fmt)


def _print_history(report, path: Path, fmt: str) -> None:
    from sim.cli.tables import Column, Table, emit
    from sim.cli.text import say
    from sim.verification.history import fmt_points

    table = Table(f"{report.scenario.metadata.name}: model ({report.replications} "
                  f"replications, seed {report.seed}, policy {report.policy or 'none'}) "
                  f"against observed cumulative transfers",
                  [Column("date", "date"), Column("measure", "measure"),
                   Column("observed", "observed", True),
                   Column("model", "model mean [95% CI]", True), Column("range", "range", True),
                   Column("error", "error", True), Column("relative", "relative error", True),
                   Column("role", "role"), Column("source", "source")])
    s = table.section()
    for r, raw in zip(fmt_points(report), report.points.to_dict("records")):
        s.add(date=r["date"], measure=r["measure"], observed=(r["observed"], raw["observed"]),
              model=(r["model"], raw["model_mean"]), range=r["range"],
              error=(r["error"], raw["error"]), relative=(r["relative"], raw["rel_error"]),
              role=(r["role"], r["role"]), source=r["source"])
    table.notes.append(report.summary_line())
    emit(table, fmt)
    if fmt == "text":
        say(f"figure written to {path}")


def _holdout(scenario: Path, after: str, seed, population: int, generations: int, runs: int,
             workers) -> None:
    import datetime as dt

    from rich.console import Console

    from sim.cli.app import fail

    def go():
        from sim.calibration import Settings
        from sim.scenario import load_scenario
        from sim.verification.history import holdout_cuts, validate_holdout

        if after == "all":
            cuts = holdout_cuts(load_scenario(scenario))
        else:
            try:
                cuts = [dt.date.fromisoformat(after)]
            except ValueError:
                fail(f"--holdout-after '{after}' is not a date (expected YYYY-MM-DD or all)")
        settings = Settings(population=population, max_generations=generations)
        return [validate_holdout(scenario, c, settings, seed, runs, workers) for c in cuts]

    from sim.cli.app import guard

    console = Console(width=160)
    for report in guard(go):
        console.print(holdout_table(report))


def holdout_table(report):
    from rich.table import Table

    cal = report.calibration
    table = Table(title=f"{cal.scenario.metadata.name}: fitted on the observations up to "
                        f"{report.after} ({len(cal.observed)}), {report.runs} predictive runs")
    for col in ("date", "sample", "observed", "predictive mean", "50% band", "90% band",
                "relative error", "50% covers", "90% covers", "CRPS"):
        table.add_column(col)
    for _, r in report.scores.iterrows():
        rng = f"{r['observed']:,.0f}" if r["low"] == r["high"] else \
            f"{r['observed']:,.0f} ({r['low']:,.0f}-{r['high']:,.0f})"
        table.add_row(r["window"], "in" if r["in_sample"] else "out", rng,
                      f"{r['mean']:,.0f}", f"{r['q25']:,.0f}-{r['q75']:,.0f}",
                      f"{r['q05']:,.0f}-{r['q95']:,.0f}", f"{r['rel_error']:+.1%}",
                      "yes" if r["cover50"] else "no", "yes" if r["cover90"] else "no",
                      f"{r['crps']:,.1f}")
    return table
