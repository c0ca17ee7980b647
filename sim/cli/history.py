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
):
    """Compare a replay's cumulative transfers with its observed counts: per-point errors,
    the averaged relative difference, and a figure."""

    def go():
        from sim.store.files import safe_name
        from sim.verification.history import history_figure, save_figure, validate_history

        report = validate_history(scenario, replications, seed, policy)
        name = safe_name(report.scenario.metadata.name)
        path = save_figure(history_figure(report),
                           figure or Path("results") / f"{name}-history.png")
        return report, path

    report, path = guard(go)
    _print_history(report, path)


def _print_history(report, path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from sim.verification.history import fmt_points

    console = Console(width=160)
    table = Table(title=f"{report.scenario.metadata.name}: model ({report.replications} "
                        f"replications, seed {report.seed}, policy {report.policy or 'none'})"
                        f" versus observed cumulative transfers")
    for col in ("date", "measure", "observed", "model mean [95% CI]", "range", "error",
                "relative error", "source"):
        table.add_column(col, overflow="fold", max_width=60 if col == "source" else None)
    for r in fmt_points(report):
        table.add_row(r["date"], r["measure"], r["observed"], r["model"], r["range"],
                      r["error"], r["relative"], r["source"])
    console.print(table)
    console.print(f"averaged relative difference: {report.averaged_relative_difference:.1%} "
                  f"(mean of |model mean - observed| / observed over "
                  f"{len(report.points)} points)")
    console.print(f"figure written to {path}")
