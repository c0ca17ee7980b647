"""``sim run``: replications of one scenario, and a table of its KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.app import app, fail, run_guarded, state


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, help="Replications (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")]
    = None,
    out: Annotated[Path | None, typer.Option(help="New output folder.")] = None,
    policy: Annotated[str | None, typer.Option(
        help="Policy name from the scenario's policies:, or 'all'.")] = None,
    force: Annotated[bool, typer.Option(
        help="Replace an existing `sim run` output folder.")] = False,
    plots: Annotated[bool, typer.Option(help="Also draw the figures.")] = True,
):
    """Run one scenario: replications into a results folder, and a KPI table."""

    def go():
        from sim.batch.run import run_scenario
        from sim.scenario import load_scenario

        policies: list[str | None] = [None]
        if policy:
            from sim.policy import policy_names

            names = policy_names(load_scenario(scenario))
            if policy == "all":
                policies = list(names)
            elif policy in names:
                policies = [policy]
            else:
                fail(f"unknown policy '{policy}' (expected 'all' or one of: "
                      f"{', '.join(names) or 'none defined'})")
        return run_scenario(scenario, replications, seed, out, policies, force)

    from sim.batch.run import RunFailed

    try:
        output = run_guarded(go)
    except RunFailed as exc:
        if state["debug"]:
            typer.echo(exc.traceback, err=True)
        fail(str(exc), code=1)
    from sim.analysis.summary import compare_observed, summarise

    results = output.results
    _print_summary(output, summarise(results.kpis),
                   compare_observed(output.scenario, results.daily))
    if output.scenario.parameters is not None and list(output.policies) == [None]:
        from sim.cli.calibrate import print_forecast

        run_guarded(lambda: print_forecast(output))
    if plots:
        run_guarded(lambda: _draw(results))


def _fmt(x: float) -> str:
    from sim.numbers import fmt_number

    return fmt_number(x)


def _cell(row) -> str:
    """``mean ± half-width`` of a summary row (the half-width of the 95% t-interval)."""
    if row is None:
        return ""
    mean, low, high = row["mean"], row["ci_low"], row["ci_high"]
    text = _fmt(mean)
    if row["n"] >= 2 and low == low:
        half = (high - low) / 2
        text += f" ± {_fmt(half if half > 1e-9 * max(abs(mean), 1.0) else 0.0)}"
    return text


def _print_summary(summary, t, observed) -> None:
    import shutil

    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(shutil.get_terminal_size((140, 40)).columns, 140))
    policies = list(dict.fromkeys(t["policy"]))
    rows = {(r["policy"], r["kpi"]): r for _, r in t.iterrows()}
    table = Table(title=f"{summary.scenario.metadata.name}: {summary.replications} "
                        f"replications, seed {summary.seed} (mean ± 95% CI half-width)")
    table.add_column("KPI")
    for p in policies:
        table.add_column(p, justify="right")
    from sim.kpis import flat_key, parse_key
    from sim.kpis import summary as summary_kpis

    present = set(t["kpi"])
    payer_shares = sorted(k for k in present if (hit := parse_key(k)) is not None
                          and hit[0].key == "share_by_payer"
                          and t.loc[t["kpi"] == k, "mean"].abs().max() > 0.005)
    shown = [k for k in summary_kpis() if k in present]
    if flat_key("days_blocked_by_reason", reason="funding") in present:
        shown.append(flat_key("days_blocked_by_reason", reason="funding"))
    for kpi in shown + payer_shares:
        label = kpi if kpi not in payer_shares else \
            f"share paid by {parse_key(kpi)[1]['payer']}"
        cells = [_cell(rows.get((p, kpi))) for p in policies]
        n_ok = [rows[(p, kpi)]["n"] for p in policies if (p, kpi) in rows]
        if kpi == "completion_day" and min(n_ok, default=0) < summary.replications:
            cells = [c + f" ({int(rows[(p, kpi)]['n'])}/{summary.replications} done)"
                     if (p, kpi) in rows else c for p, c in zip(policies, cells)]
        table.add_row(label, *cells)
    console.print(table)
    if len(observed):
        obs = Table(title="Model versus observed cumulative transfers")
        for col in ("policy", "date", "observed", "model mean [95% CI]", "relative error"):
            obs.add_column(col)
        for _, r in observed.iterrows():
            obs.add_row(str(r["policy"]), r["date"], f"{r['observed']:,}",
                        f"{_fmt(r['model_mean'])} [{_fmt(r['model_low'])}, "
                        f"{_fmt(r['model_high'])}]", f"{r['rel_error']:+.0%}")
        console.print(obs)
        mean_abs = observed.groupby("policy")["rel_error"].apply(
            lambda s: s.abs().mean())
        for p, v in mean_abs.items():
            console.print(f"averaged relative difference ({p}): {v:.1%}")
    console.print(f"results written to {summary.out}")


def _draw(results) -> None:
    try:
        from sim.plots.files import plot_folder
    except ImportError:  # plotting not installed in this build
        return
    written = plot_folder(results.path)
    if written:
        typer.echo(f"{len(written)} figures written to {results.path / 'figures'}")
