"""Make the README figure: cumulative transfers per policy on the baseline.

    .venv/bin/python docs/figures/make_readme_figure.py [--replications 10] [--workers 2]

Runs the policy batch (scenarios/batches/policies.yaml) with a few replications into a
temporary folder and writes docs/figures/transfers.png (kept under 300 KB).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import sim
import sim.plots as plots
from sim.plots.files import write_figure

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SPEC = ROOT / "scenarios" / "batches" / "policies.yaml"
TARGET = HERE / "transfers.png"
MAX_BYTES = 300_000


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=TARGET)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sim-readme-") as tmp:
        res = sim.run_batch(SPEC, out=Path(tmp) / "policies", replications=args.replications,
                            workers=args.workers, progress=False)
        res = sim.open_results(res.path)
        fig = plots.cumulative_transfers(
            res.daily, provenance=plots.provenance_of_results(res),
            title="Cumulative transfers to Iraq under each burden-sharing policy (baseline)")
        write_figure(fig, args.out)
    size = args.out.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{args.out} is {size:,} bytes (over {MAX_BYTES:,})")
    print(f"wrote {args.out} ({size / 1000:.0f} KB)")
    return args.out


if __name__ == "__main__":
    main()
