"""Benchmark of the experiment runner: replications per minute, overhead, parent memory.

Runs a two-arm paired comparison of a scenario (`--scenario`, default the demo city)
with `--runs` runs in all (`--years` each) through `edusim.run_experiment` with
`--workers` processes, and reports wall time and runs per minute. With `--overhead` it
also runs the same replications in a plain loop of `edusim.results.run_scenario` in this
process and compares with the runner at one worker (same process, no pool), so the
difference is the runner's own cost: planning, hashing, the store, the summaries.
The parent's peak RSS is printed to show memory stays flat in the number of runs.
With `--worker-memory` it instead runs `--scenario` (the demo city, `--years` 2) again
and again in one spawned worker process, through the runner's own `run_task`, and prints
that worker's resident memory after each count in `--checkpoints`: a worker must not
grow with the number of runs it has done. `--small` runs a smaller city instead (one
district, six schools); `--without-release` makes `EduModel.release` do nothing in the
worker, which shows the growth before models were released from Mesa's id registry.

    python benchmarks/bench_experiment.py --runs 1000 --years 2 --workers 2
    python benchmarks/bench_experiment.py --runs 40 --years 10 --workers 1 --overhead
    python benchmarks/bench_experiment.py --scenario scenarios/hangzhou.yaml --runs 4 --workers 2
    python benchmarks/bench_experiment.py --worker-memory --checkpoints 25 100 200
    python benchmarks/bench_experiment.py --worker-memory --without-release

Nothing here asserts on time: the figures go into notes and benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from edusim.experiment.runner import run_experiment
from edusim.experiment.task import Task, run_task
from edusim.results import run_scenario
from edusim.scenario.loader import load_scenario

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


SMALL_CITY = {
    "name": "small",
    "years": 2,
    "city": {
        "districts": [
            {
                "name": "Core",
                "kind": "urban",
                "area_km2": 20,
                "towns": 2,
                "schools": {"primary": 4, "junior": 2},
                "pupils": {"primary": 1200, "junior": 600},
                "income_level": 1.0,
                "house_price_cny_per_m2": 30000,
            }
        ]
    },
}
"""One urban district with six schools and 1,800 pupils (assumption: just big enough to
exercise every phase), run for two years."""


def current_rss_mib() -> float:
    """This process's resident memory now (Linux /proc; else the peak, which bounds it)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return peak_rss_mib()


def run_cities(city: Path | dict, years: int, first_seed: int, count: int, release: bool) -> float:
    """In a worker: run the city `count` times (seeds from `first_seed`) as the runner's
    tasks do; return the worker's resident memory after a garbage collection."""
    if not release:
        from edusim.model import EduModel

        EduModel.release = lambda self: None  # what the worker did before the fix
    scenario = load_scenario(city, {"years": years})
    for seed in range(first_seed, first_seed + count):
        outcome = run_task(Task(f"bench-{seed}", scenario, seed))
        if not outcome.ok:
            raise RuntimeError(outcome.error)
    gc.collect()
    return current_rss_mib()


def worker_memory(city: Path | dict, years: int, checkpoints: list[int], release: bool) -> None:
    """One spawned worker runs the city up to each checkpoint; print its RSS."""
    context = multiprocessing.get_context("spawn")
    name = city.name if isinstance(city, Path) else "the small city"
    print(f"{name}, {years} years a run, release={'yes' if release else 'no'}", flush=True)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        done = 0
        for checkpoint in sorted(checkpoints):
            started = time.perf_counter()
            rss = pool.submit(
                run_cities, city, years, done + 1, checkpoint - done, release
            ).result()
            seconds = time.perf_counter() - started
            print(
                f"worker RSS after {checkpoint:>5} runs: {rss:7.1f} MiB "
                f"({checkpoint - done} runs in {seconds:.1f} s)",
                flush=True,
            )
            done = checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "demo.yaml")
    parser.add_argument("--runs", type=int, default=200, help="runs in all (two arms)")
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead", action="store_true", help="also time a plain loop")
    parser.add_argument(
        "--worker-memory", action="store_true", help="RSS of one worker running many cities"
    )
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[25, 100, 200])
    parser.add_argument("--small", action="store_true", help="with --worker-memory: small city")
    parser.add_argument(
        "--without-release",
        action="store_true",
        help="with --worker-memory: keep every model in Mesa's registry (before the fix)",
    )
    args = parser.parse_args()
    if args.worker_memory:
        city = SMALL_CITY if args.small else args.scenario
        worker_memory(city, args.years, args.checkpoints, release=not args.without_release)
        return

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
