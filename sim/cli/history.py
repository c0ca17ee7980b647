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
):
    """Compare a replay's cumulative transfers with its observed counts: per-point errors,
    the averaged relative difference, and a figure."""
    from sim.cli.suggest import existing_file

    scenario = existing_file(scenario, "scenario file")

    from sim.cli.tables import check_format

    fmt = check_format(fmt)

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
