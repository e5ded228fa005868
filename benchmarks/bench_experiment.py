"""Benchmark of the experiment runner: replications per minute, overhead, parent memory.

Runs a two-arm paired comparison of a scenario (`--scenario`, default the demo city)
with `--runs` runs in all (`--years` each) through `edusim.run_experiment` with
`--workers` processes, and reports wall time and runs per minute. With `--overhead` it
also runs the same replications in a plain loop of `edusim.results.run_scenario` in this
process and compares with the runner at one worker (same process, no pool), so the
difference is the runner's own cost: planning, hashing, the store, the summaries.
The parent's peak RSS is printed to show memory stays flat in the number of runs.

    python benchmarks/bench_experiment.py --runs 1000 --years 2 --workers 2
    python benchmarks/bench_experiment.py --runs 40 --years 10 --workers 1 --overhead
    python benchmarks/bench_experiment.py --scenario scenarios/hangzhou.yaml --runs 4 --workers 2

Nothing here asserts on time: the figures go into notes and benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from edusim.experiment.runner import run_experiment
from edusim.results import run_scenario

ROOT = Path(__file__).resolve().parents[1]


def experiment(scenario: Path, runs: int, years: int) -> dict:
    """A two-arm compare design with runs / 2 paired replications."""
    return {
        "name": "bench",
        "scenario": str(scenario.resolve()),
        "years": years,
        "replications": max(1, runs // 2),
        "seed": 1,
        "metrics": ["quality_sd"],
        "variants": {"base": {}, "slow-housing": {"set": {"housing.adjust_speed": 0.05}}},
        "design": {"kind": "compare"},
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "demo.yaml")
    parser.add_argument("--runs", type=int, default=200, help="runs in all (two arms)")
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead", action="store_true", help="also time a plain loop")
    args = parser.parse_args()

    spec = experiment(args.scenario, args.runs, args.years)
    with tempfile.TemporaryDirectory() as folder:
        result = run_experiment(spec, workers=args.workers, out=Path(folder) / "out")
    runs = result.ran
    print(
        f"runner: {runs} runs of {args.years} years, {args.workers} worker(s): "
        f"{result.wall_seconds:.1f} s, {60 * runs / result.wall_seconds:.0f} runs/min, "
        f"parent peak RSS {peak_rss_mib():.0f} MiB"
    )
    if not args.overhead:
        return
    started = time.perf_counter()
    for replicate in range(spec["replications"]):
        for overrides in ({}, {"housing.adjust_speed": 0.05}):
            run_scenario(args.scenario, replicate + 1, years=args.years, overrides=overrides)
    loop = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        in_process = run_experiment(spec, workers=1, out=Path(folder) / "out")
    overhead = in_process.wall_seconds - loop
    print(
        f"plain loop: {loop:.1f} s; runner with 1 worker: {in_process.wall_seconds:.1f} s; "
        f"overhead {overhead:.2f} s = {100 * overhead / loop:.1f}% "
        f"({1000 * overhead / runs:.1f} ms per run)"
    )


if __name__ == "__main__":
    main()
