"""Bit-identical equivalence of the model between two revisions (``make equivalence``).

A refactor or a speed-up must change no number. This script runs every shipped scenario
(``scenarios/*.yaml``) under no policy and under each of its policies, for replications
0, 1 and 2, and 150 generated scenarios (``tests/strategies.py``, the same examples every
time) under no policy, a binding budget and a pooled fund, and compares what two revisions
produce, value for value (NaN equals NaN, dtypes included):

- the KPIs (every flat key);
- the wide daily table;
- the trips, with each trip's route as its name: a revision that stored the route as an
  integer index into the scenario's ``routes:`` has it mapped to the same name
  (``origin>destination by fleet via crossing``, :func:`route_names`) when dumped;
- the ledger;
- the events, with typed columns: a revision that kept ``key=value`` strings in a
  ``detail`` column has them parsed into the same typed columns first
  (:func:`typed_events`, when compared; a pooled fund's order names its facility).

So the comparison stays meaningful across the change of those two tables' presentation:
what is compared is the numbers and names they hold, not their encoding.

    python -m tests.equivalence check --against REV    # this tree versus git revision REV
    python -m tests.equivalence dump DIR               # write this tree's outputs to DIR
    python -m tests.equivalence diff A B               # KPI mean changes between two dumps

``check`` checks REV out into a temporary git worktree and runs ``dump`` there with the same
Python, so both sides see the same packages. A change that moves numbers on purpose is a fix:
``diff`` prints, per scenario and policy, each headline KPI's mean before and after, for the
note that names and measures it. Exit status: 0 identical, 1 different, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPLICATIONS = (0, 1, 2)
GENERATED = 150
TABLES = ("daily", "trips", "ledger", "events")
HEADLINE = ("transferred", "escaped", "completion_day", "completed", "mean_wait_days",
            "cost_total", "share_iraq", "remaining_at_sites", "trips")


def _runs(root: Path):
    """(scenario file, policy or None) for every shipped scenario and policy."""
    import sim

    for path in sorted((root / "scenarios").glob("*.yaml")):
        scn = sim.load_scenario(path)
        yield path, scn, [None, *scn.policies]


def _save(res, run: Path, scn) -> None:
    import pandas as pd

    run.mkdir(parents=True, exist_ok=True)
    kpis = {k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in res.kpis.items()}
    (run / "kpis.json").write_text(json.dumps(kpis, indent=0))
    for name in TABLES:
        df = getattr(res, name)
        if name == "trips":
            df = named_routes(df, scn)
        pd.DataFrame(df).to_pickle(run / f"{name}.pkl")
    plan = res.raw.plan
    (run / "plan.json").write_text(json.dumps({
        "dest_ids": list(plan.dest_ids), "fleet_ids": list(plan.fleet_ids),
        "start": scn.metadata.start_date.isoformat()}))


def _generated(n: int) -> list[dict]:
    """``n`` scenarios from this tree's ``tests/strategies.py`` (derandomized: the same
    examples every time), each with a binding budget and a pooled fund policy."""
    import importlib.util

    from hypothesis import HealthCheck, given, settings

    spec = importlib.util.spec_from_file_location("equivalence_strategies",
                                                  ROOT / "tests" / "strategies.py")
    strategies = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(strategies)
    out: list[dict] = []

    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategies.scenarios())
    def collect(data):
        scale = {c: float(i + 1) for i, c in enumerate(data["countries"])}
        data["policies"] = {
            "tight": {"rule": "host_pays", "budgets": {"IRQ": {"annual": 3.0e5}}},
            "fund": {"rule": "un_scale", "params": {"scale": scale},
                     "fund": {"contributions": {"rule": "un_scale", "params": {"scale": scale}},
                              "annual": 5.0e6, "threshold": 1,
                              "buy": [{"kind": "beds", "target": "d0", "amount": 200,
                                       "cost": 1.0e5, "lag_days": 3, "max_orders": 3},
                                      {"kind": "units", "target": "road", "amount": 1,
                                       "cost": 5.0e4, "lag_days": 2, "max_orders": 2}]}}}
        out.append(data)

    collect()
    return out


def dump(out: Path, root: Path = ROOT) -> int:
    """Write every run's KPIs and tables below ``out`` (one folder per run)."""
    import sim

    if Path(sim.__file__).resolve().parents[1] != root.resolve():
        raise SystemExit(f"sim is imported from {sim.__file__}, not from {root}")
    out.mkdir(parents=True, exist_ok=True)
    # generated first: hypothesis' examples depend on what ran before in the process
    generated = _generated(GENERATED)
    n = 0
    for path, scn, policies in _runs(root):
        for policy in policies:
            for rep in REPLICATIONS:
                _save(sim.simulate(scn, policy=policy, replication=rep),
                      out / path.stem / (policy or "none") / str(rep), scn)
                n += 1
    for i, data in enumerate(generated):
        try:
            scn = sim.scenario.scenario_from_dict(data)
        except sim.ScenarioError:
            continue  # refused by this revision's schema: reported as missing
        for policy in (None, "tight", "fund"):
            _save(sim.simulate(scn, policy=policy, replication=0),
                  out / f"generated-{i:03d}" / (policy or "none") / "0", scn)
            n += 1
    print(f"dumped {n} runs to {out}")
    return 0


def route_names(scn) -> list[str]:
    """``origin>destination by fleet via crossing`` per route of the scenario (``#2`` ... for
    a repeated name), as :func:`sim.results.route_names` names them. Defined here too
    because ``dump`` also runs against revisions that predate it."""
    names: list[str] = []
    for r in scn.routes:
        name = f"{r.origin}>{r.destination} by {r.fleet}" + (f" via {r.via}" if r.via else "")
        base, k = name, 1
        while name in names:
            k += 1
            name = f"{base} #{k}"
        names.append(name)
    return names


def named_routes(trips, scn):
    """Trips with ``route`` as a name (a revision that stored the index gets it mapped)."""
    if not len(trips) or isinstance(trips["route"].iloc[0], str):
        return trips
    names = route_names(scn)
    return trips.assign(route=[names[int(r)] for r in trips["route"]])


def typed_events(df, run: Path):
    """Events whose ``detail`` column holds ``key=value`` strings, parsed into the typed
    columns of this tree's :func:`sim.results.events_frame` (a table without ``detail`` is
    returned unchanged). Runs in the comparing process, with this tree's package."""
    if "detail" not in df.columns:
        return df
    import datetime as dt
    from types import SimpleNamespace

    from sim.results import events_frame

    info = json.loads((run / "plan.json").read_text())
    meta = SimpleNamespace(start_date=dt.date.fromisoformat(info["start"]))
    plan = SimpleNamespace(dest_ids=info["dest_ids"], fleet_ids=info["fleet_ids"],
                           scenario=SimpleNamespace(metadata=meta))
    records = list(zip(df["time"], df["kind"], df["target"], df["detail"]))
    return events_frame(records, plan)


def _compare_run(a: Path, b: Path) -> list[str]:
    import pandas as pd

    problems = []
    ka = json.loads((a / "kpis.json").read_text())
    kb = json.loads((b / "kpis.json").read_text())
    if set(ka) != set(kb):  # the order of the keys is presentation, not a number
        missing, extra = set(ka) - set(kb), set(kb) - set(ka)
        problems.append(f"KPI keys differ (only before: {sorted(missing)[:5]}, only after: "
                        f"{sorted(extra)[:5]})")
    for key in ka.keys() & kb.keys():
        if ka[key] != kb[key]:
            problems.append(f"KPI {key}: {ka[key]!r} -> {kb[key]!r}")
    for name in TABLES:
        da, db = pd.read_pickle(a / f"{name}.pkl"), pd.read_pickle(b / f"{name}.pkl")
        if name == "events":
            da, db = typed_events(da, a), typed_events(db, b)
        try:
            pd.testing.assert_frame_equal(da, db, check_exact=True)
        except AssertionError as exc:
            problems.append(f"{name}: {str(exc).splitlines()[0]} ... "
                            f"{' '.join(str(exc).split())[:300]}")
    return problems


def compare(before: Path, after: Path) -> int:
    runs = sorted(p.parent for p in before.glob("*/*/*/kpis.json"))
    if not runs:
        print(f"no runs in {before}", file=sys.stderr)
        return 2
    bad = 0
    for run in runs:
        rel = run.relative_to(before)
        other = after / rel
        if not (other / "kpis.json").exists():
            print(f"{rel}: missing after")
            bad += 1
            continue
        problems = _compare_run(run, other)
        if problems:
            bad += 1
            print(f"{rel}: {len(problems)} difference(s)")
            for p in problems[:8]:
                print(f"    {p}")
    extra = {p.parent.relative_to(after) for p in after.glob("*/*/*/kpis.json")} - \
        {r.relative_to(before) for r in runs}
    for rel in sorted(extra):
        print(f"{rel}: new run (not in the reference)")
    print(f"{len(runs) - bad} of {len(runs)} runs bit-identical"
          + (f"; {len(extra)} new" if extra else ""))
    return 0 if bad == 0 else 1


def diff(before: Path, after: Path) -> int:
    """Mean of each headline KPI per scenario and policy, before and after."""
    rows: dict[tuple[str, str, str], list[list[float]]] = {}
    for side, folder in enumerate((before, after)):
        for f in folder.glob("*/*/*/kpis.json"):
            scenario, policy = f.parts[-4], f.parts[-3]
            k = json.loads(f.read_text())
            for key in HEADLINE:
                v = k.get(key)
                cell = rows.setdefault((scenario, policy, key), [[], []])
                cell[side].append(math.nan if v is None else float(v))
    print(f"{'scenario':<20} {'policy':<12} {'KPI':<20} {'before':>14} {'after':>14} "
          f"{'change':>9}")
    for (scenario, policy, key), (a, b) in sorted(rows.items()):
        ma = sum(a) / len(a) if a else math.nan
        mb = sum(b) / len(b) if b else math.nan
        if ma == mb or (math.isnan(ma) and math.isnan(mb)):
            continue
        rel = (mb - ma) / abs(ma) if ma and not math.isnan(ma) else math.nan
        print(f"{scenario:<20} {policy:<12} {key:<20} {ma:>14,.4g} {mb:>14,.4g} {rel:>+9.2%}")
    return 0


def check(against: str) -> int:
    with tempfile.TemporaryDirectory(prefix="sim-equivalence-") as tmp:
        tree, before, after = Path(tmp) / "tree", Path(tmp) / "before", Path(tmp) / "after"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                        str(tree), against], check=True)
        try:
            env = {**os.environ, "PYTHONPATH": str(tree)}
            # this file, run against the other tree's package (which may not have this file)
            subprocess.run([sys.executable, str(Path(__file__).resolve()), "dump", str(before),
                            "--root", str(tree)], check=True, cwd=tree, env=env)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(tree)], check=False)
        dump(after)
        print(f"comparing {against} (before) with the working tree (after)")
        return compare(before, after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.equivalence",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("dump")
    p.add_argument("out", type=Path)
    p.add_argument("--root", type=Path, default=ROOT)
    p = sub.add_parser("check")
    p.add_argument("--against", default="HEAD")
    for name in ("compare", "diff"):
        p = sub.add_parser(name)
        p.add_argument("before", type=Path)
        p.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "dump":
        return dump(args.out, args.root)
    if args.cmd == "check":
        return check(args.against)
    return (compare if args.cmd == "compare" else diff)(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
