"""The ``sim`` command line: thin over the Python API (parse, call, print).

Input errors (:class:`sim.ScenarioError`) print one located message per problem and exit
with code 2; a traceback is shown only with ``--debug``. Heavy libraries load lazily so that
``sim --help`` answers quickly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Simulate transfers of detainees and camp residents from north-east "
                       "Syria to Iraq, and who bears the cost.")
_state = {"debug": False}

EXIT_INPUT = 2


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False):
    _state["debug"] = debug


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guard(fn):
    """Run ``fn``; turn input and output errors into a message and exit code 2."""
    from sim.errors import OutputError
    from sim.scenario.errors import ScenarioError

    try:
        return fn()
    except (ScenarioError, OutputError) as exc:
        if _state["debug"]:
            raise
        _fail(str(exc))


def _run(fn):
    """:func:`_guard`, printing the warnings ``fn`` gives (e.g. a damaged part left out) as
    one ``warning: ...`` line each on stderr (raw, with their source, under ``--debug``)."""
    import warnings

    if _state["debug"]:
        return _guard(fn)
    with warnings.catch_warnings(record=True) as caught:
        try:
            return _guard(fn)
        finally:
            seen: set[str] = set()
            for w in caught:
                text = " ".join(str(w.message).split())
                if text not in seen:
                    seen.add(text)
                    typer.echo(f"warning: {text}", err=True)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]):
    """Check scenario files; print every problem with its file and line."""
    from sim.scenario import ScenarioError, load_scenario

    failed = []
    for f in files:
        try:
            scn = load_scenario(f)
        except ScenarioError as exc:
            if _state["debug"]:
                raise
            typer.echo(str(exc), err=True)
            failed.append(f)
        else:
            typer.echo(f"{f}: ok ({scn.metadata.name}: {scn.total_population:,} people, "
                       f"{len(scn.sites)} sites, {len(scn.destinations)} destinations)")
    if failed:
        raise typer.Exit(EXIT_INPUT)


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="Write to this file.")] = None):
    """Print the JSON Schema of the scenario format (for editors)."""
    from sim.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        typer.echo(text)


MAIN_KPIS = ("transferred", "released", "repatriated", "escaped", "completion_day",
             "mean_wait_days", "p90_wait_days", "person_days_at_risk", "trips", "cost_total",
             "share_iraq", "largest_share", "days_blocked:funding", "personnel_days")


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
                _fail(f"unknown policy '{policy}' (expected 'all' or one of: "
                      f"{', '.join(names) or 'none defined'})")
        return run_scenario(scenario, replications, seed, out, policies, force)

    from sim.batch.run import RunFailed

    try:
        output = _run(go)
    except RunFailed as exc:
        if _state["debug"]:
            typer.echo(exc.traceback, err=True)
        _fail(str(exc), code=1)
    from sim.analysis.summary import compare_observed, summarise

    results = output.results
    _print_summary(output, summarise(results.kpis),
                   compare_observed(output.scenario, results.daily))
    if plots:
        _run(lambda: _draw(results))


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
    present = set(t["kpi"])
    payer_shares = sorted(k for k in present if k.startswith("share:payer:")
                          and t.loc[t["kpi"] == k, "mean"].abs().max() > 0.005)
    for kpi in [k for k in MAIN_KPIS if k in present] + payer_shares:
        label = kpi.replace("share:payer:", "share paid by ")
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


@app.command("validate-history")
def validate_history_cmd(
    scenario: Annotated[Path, typer.Argument(help="Replay scenario with an observed: section.")],
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", min=1, help="Replications (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")]
    = None,
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

    report, path = _guard(go)
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


@app.command()
def batch(
    spec: Annotated[Path, typer.Argument(help="Batch spec YAML (scenarios/batches/*.yaml).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Results folder (default: results/<spec name>).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Local worker processes (default: CPU count; 0 = in this "
                          "process).")] = None,
    dask: Annotated[str | None, typer.Option(
        "--dask", help="Run on the Dask scheduler at this address.")] = None,
    dask_local: Annotated[int | None, typer.Option(
        "--dask-local", help="Run on a Dask LocalCluster of N worker processes.")] = None,
    chunk: Annotated[int | None, typer.Option(
        "--chunk", help="Replications per task (default: automatic).")] = None,
    replications: Annotated[int | None, typer.Option(
        "--replications", "-n", help="Replications (default: the spec's).")] = None,
    target: Annotated[float | None, typer.Option(
        "--target-rel-halfwidth", help="Add replications until every compared difference "
                                       "of --kpi has CI half-width / |difference| <= this.")
    ] = None,
    kpi: Annotated[list[str] | None, typer.Option(
        "--kpi", help="KPI watched by --target-rel-halfwidth (repeatable).")] = None,
    max_replications: Annotated[int | None, typer.Option(
        "--max-replications", help="Upper limit for adaptive replications (default: 10x "
                                   "the spec's).")] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Policy the others are compared with (adaptive mode).")] = None,
    by: Annotated[str, typer.Option(
        "--by", help="Adaptive mode compares levels of this column: policy, scenario or a "
                     "sweep path.")] = "policy",
    progress: Annotated[bool, typer.Option(
        "--progress/--no-progress", help="Show a progress bar.")] = True,
):
    """Run a batch (scenarios x sweep x policies x replications) into a results folder.

    Rerunning resumes: only missing runs are computed. Exit code 1 if any run failed.
    """
    from sim.batch import run_batch

    def go():
        rule = None
        if target is not None:
            from sim.analysis.adaptive import AdaptiveReplications

            rule = AdaptiveReplications(target, kpi or [], baseline=baseline, by=by,
                                        max_replications=max_replications)
        return rule, run_batch(spec, out, workers=workers, dask=dask, dask_local=dask_local,
                               chunk_size=chunk, replications=replications,
                               progress=progress, more=rule)

    rule, results = _run(go)
    for line in results.summary.lines():
        typer.echo(line)
    if rule is not None and rule.report is not None:
        for line in rule.report.lines():
            typer.echo(line)
    if results.summary.failed:
        raise typer.Exit(1)


@app.command("compare")
def compare_cmd(
    folder: Annotated[Path, typer.Argument(
        help="Results folder written by `sim batch` or `sim run`.")],
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Policy the others are compared with (default: iraq_alone if "
                           "present, else the first).")] = None,
    kpi: Annotated[list[str] | None, typer.Option(
        "--kpi", help="KPI to compare (repeatable; default: all, headline ones "
                      "printed).")] = None,
    by: Annotated[str, typer.Option(
        "--by", help="Compare levels of this column: policy, scenario or a sweep path.")
    ] = "policy",
    indifference_rel: Annotated[float, typer.Option(
        "--indifference-rel", help="Best subset: as good as the best within this share of "
                                   "the best mean.")] = 0.01,
):
    """Compare policies with paired CIs; write compare.csv and compare.parquet."""
    from sim.analysis.compare import HEADLINE, compare, save_compare

    res = _open(folder)

    def go():
        table = compare(res, baseline=baseline, kpis=kpi or None, by=by,
                        indifference_rel=indifference_rel)
        return table, save_compare(res, table)

    table, paths = _run(go)
    if table.empty:
        typer.echo(f"{folder}: no runs to compare")
        return
    shown = table if kpi else table[table["kpi"].isin(HEADLINE)]
    if shown.empty:
        shown = table
    _print_compare(shown, res.sweep_columns, by, table.attrs.get("level", 0.95))
    more = table["kpi"].nunique() - shown["kpi"].nunique()
    extra = f" ({more} more KPIs there)" if more else ""
    typer.echo(f"wrote {paths[0]} and {paths[1]}{extra}")


def _open(folder: Path):
    """The results in ``folder`` (at least one run), after saying how many of the runs its
    spec asks for are used, and warning when that is not all."""
    from sim.store import open_results

    res = _run(lambda: open_results(folder).require_runs())
    coverage = res.coverage
    typer.echo(coverage.line())
    for line in coverage.warnings():
        typer.echo(f"warning: {line}", err=True)
    return res


def _print_compare(table, sweep: list[str], by: str, level: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from sim.analysis.compare import fmt

    console = Console(width=None if sys.stdout.isatty() else 200)
    groups = [c for c in ["scenario", "policy", *sweep] if c in table.columns and c != by]
    pct = f"{level * 100:g}%"
    out = Table(title=f"Comparison vs {table['baseline'].iloc[0]} (paired, common random "
                      f"numbers; p Holm-adjusted per KPI)", show_lines=False)
    for col in [*groups, "KPI", by, f"mean [{pct} CI]", "difference vs baseline", "p (Holm)",
                "best"]:
        out.add_column(col, overflow="fold")
    prev = None
    for _, r in table.iterrows():
        key = tuple(r[c] for c in groups) + (r["kpi"],)
        if prev is not None and key != prev:
            out.add_section()
        prev = key
        best = "best" if r[by] == r["best"] else ("~ best" if r["in_best_subset"] else "")
        mean = f"{fmt(r['mean'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]"
        p = "" if r["p_holm"] != r["p_holm"] else f"{r['p_holm']:.3g}"
        out.add_row(*[str(r[c]) for c in groups], r["kpi"], str(r[by]), mean, r["verdict"], p,
                    best)
    console.print(out)


@app.command("plot")
def plot_cmd(
    folder: Annotated[Path, typer.Argument(help="Results folder (`sim batch` or `sim run`).")],
    fmt: Annotated[str, typer.Option(
        "--format", help="Comma-separated figure formats: png, svg, pdf.")] = "png",
):
    """Draw every figure the stored results support into DIR/figures/."""

    res = _open(folder)

    def go():
        from sim.plots.files import plot_folder

        return plot_folder(res, formats=fmt)

    written = _run(go)
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{len(written)} figure file(s) written to {folder / 'figures'}")


@app.command("report")
def report_cmd(
    folder: Annotated[Path, typer.Argument(help="Results folder (`sim batch` or `sim run`).")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="HTML file to write (default: DIR/report.html).")] = None,
):
    """Write one self-contained HTML report (figures, tables, assumptions, provenance)."""

    res = _open(folder)

    def go():
        from sim.report import build_report

        return build_report(res, out)

    path = _run(go)
    typer.echo(f"report written to {path}")


def main() -> None:  # console script entry point
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
