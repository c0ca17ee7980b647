"""``sim calibrate``: fit a scenario's uncertain inputs to its observations (ABC-SMC)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, run_guarded
from sim.cli.options import Dask, DaskLocal, Workers


@app.command("calibrate")
def calibrate_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario with observed: and uncertainties "
                                                  "marked fit: true.")],
    out: Annotated[Path, typer.Option("--out", help="New output folder.")],
    fit: Annotated[list[str] | None, typer.Option(
        "--fit", help="Uncertainty to fit (repeat; default: those marked fit: true).")] = None,
    until: Annotated[dt.datetime | None, typer.Option(
        "--until", formats=["%Y-%m-%d"], help="Fit only the observations up to this date.")]
    = None,
    population: Annotated[int, typer.Option(min=10, help="Particles per generation.")] = 300,
    generations: Annotated[int, typer.Option(min=1, help="At most this many generations "
                                                         "after the prior.")] = 6,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")]
    = None,
    workers: Workers = None,
    dask: Dask = None,
    dask_local: DaskLocal = None,
    force: Annotated[bool, typer.Option(help="Replace an existing calibration folder.")]
    = False,
    plots: Annotated[bool, typer.Option(help="Also draw the diagnostic figures.")] = True,
):
    """Fit the uncertain inputs of SCENARIO to its observations by ABC-SMC: posterior samples
    with weights, diagnostics and a sample file, into --out."""

    def report(g) -> None:
        typer.echo(f"generation {g.t}: epsilon {g.epsilon:.4g}, {g.evaluated} runs, "
                   f"acceptance {g.acceptance_rate:.1%}, ESS {g.ess:.0f}")

    def go():
        from sim.calibration import Settings, calibrate

        settings = Settings(population=population, max_generations=generations)
        return calibrate(scenario, out, fit=fit, until=until.date() if until else None,
                         settings=settings, seed=seed, workers=workers, dask=dask,
                         dask_local=dask_local, force=force, report=report)

    cal = run_guarded(go)
    _print(cal)
    if plots:
        written = run_guarded(lambda: draw(out))
        typer.echo(f"{len(written)} figures written to {out / 'figures'}")


def draw(folder: Path) -> list[Path]:
    """The diagnostic figures of a calibration folder, into ``folder/figures``."""
    from sim.calibration.files import read_calibration
    from sim.plots.calibration import posterior_marginals, posterior_pairs
    from sim.verification.history import save_figure

    data = read_calibration(folder)
    return [save_figure(posterior_marginals(data), folder / "figures" / "posterior.png"),
            save_figure(posterior_pairs(data), folder / "figures" / "pairs.png")]


def _print(cal) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    table = Table(title=f"{cal.scenario.metadata.name}: posterior of the fitted inputs "
                        f"({len(cal.observed)} observations, seed {cal.seed})")
    for col in ("input", "prior", "prior 90%", "posterior median", "posterior 90%",
                "source"):
        table.add_column(col)
    for _, r in cal.intervals().iterrows():
        table.add_row(r["parameter"], r["prior"], f"{r['prior_low']:.4g} - "
                      f"{r['prior_high']:.4g}", f"{r['median']:.4g}",
                      f"{r['low']:.4g} - {r['high']:.4g}", r["source"])
    console.print(table)
    h = cal.history()
    last = h.iloc[-1]
    console.print(f"{len(h) - 1} generations; last: epsilon {last['epsilon']:.4g}, acceptance "
                  f"{last['acceptance_rate']:.1%}, ESS {last['ess']:.0f} of "
                  f"{cal.settings.population}, {last['matched']:.0%} of the weight matches "
                  f"every observation")
    console.print(f"{cal.runs} runs ({cal.failed} failed) in {cal.seconds:.0f} s "
                  f"({cal.seconds_per_run * 1000:.1f} ms per run, {cal.workers})")
    console.print(f"written to {cal.out}")


def print_forecast(output) -> None:
    """``sim run`` of a scenario that draws its inputs: the forecast tables (bands over the
    runs) and the fan chart (``figures/forecast.png``)."""
    from rich.console import Console
    from rich.table import Table

    from sim.calibration.forecast import fmt_totals, series_from_results, summarise
    from sim.plots.calibration import fan_chart
    from sim.verification.history import save_figure

    fc = summarise(output.scenario, series_from_results(output.results, output.scenario))
    console = Console(width=140)
    table = Table(title=f"{fc.name}: people moved to Iraq (cumulative departures) after the "
                        f"last observation ({fc.last_observation:%d %b %Y}); median [50% "
                        f"band] [90% band] over {fc.runs} runs, each with its own drawn "
                        f"inputs")
    for col in ("date", "detainees", "50%", "90%", "everyone", "50% ", "90% "):
        table.add_column(col, justify="right")
    for _, r in fc.table.iterrows():
        table.add_row(f"{r['date']:%d %b %Y}",
                      *[x for w in ("detainees", "everyone") for x in (
                          f"{r[f'{w}_q50']:,.0f}", f"{r[f'{w}_q25']:,.0f}-{r[f'{w}_q75']:,.0f}",
                          f"{r[f'{w}_q05']:,.0f}-{r[f'{w}_q95']:,.0f}")])
    console.print(table)
    totals = Table(title=f"{fc.name}: by the horizon ({fc.end:%d %b %Y})")
    for col in ("", "median", "50%", "90%", "within horizon"):
        totals.add_column(col)
    for r in fmt_totals(fc):
        totals.add_row(r["what"], r["median"], r["50%"], r["90%"], r["within horizon"])
    console.print(totals)
    path = save_figure(fan_chart(fc), output.out / "figures" / "forecast.png")
    console.print(f"fan chart written to {path} ('after {fc.end:%d %b}': not within the "
                  f"horizon)")
