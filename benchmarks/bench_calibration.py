"""Recovery of known parameters on the demo city: targets made by the model itself.

The truth is `families.quality_taste_mean = 0.5` and `housing.famous_premium_share =
0.08` (the default). The observations are the mean of four runs at the truth with seeds
the calibration never uses (SD: their replicate SD), for three metrics in 2021 (three
school years). The calibration then searches both parameters over wide ranges. A
parameter is recovered when the truth lies inside its profile range (good trials); the
premium share of the city *as built* is expected to be weakly identified, because the
housing market replaces it during the burn-in.

    .venv/bin/python benchmarks/bench_calibration.py [--trials 24] [--reps 3] [--workers 2]

Prints the profile and fit tables and the wall time; writes results/calibrations/bench-demo.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import yaml

from edusim.experiment.calibrate import calibrate
from edusim.results import markdown_table, run_scenario
from edusim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"
TRUTH = {"families.quality_taste_mean": 0.5, "housing.famous_premium_share": 0.08}
RANGES = ["families.quality_taste_mean:0.1:0.9", "housing.famous_premium_share:0.0:0.3"]
METRICS = ("movers_share", "premium_top_decile_share", "premium_median_share")
YEAR = 2021
SEEDS = (901, 902, 903, 904)


def synthetic_targets(folder: Path) -> Path:
    truth = load_scenario(DEMO, {**TRUTH, "years": YEAR - 2018})
    values: dict[str, list[float]] = {name: [] for name in METRICS}
    for seed in SEEDS:
        metrics = run_scenario(truth, seed).tables["metrics"]
        final = metrics[metrics["year"] == YEAR].set_index("metric")["value"]
        for name in METRICS:
            values[name].append(float(final[name]))
    targets = {
        "name": "demo-synthetic",
        "targets": [
            {
                "metric": name,
                "year": YEAR,
                "observed": float(np.mean(series)),
                "sd": max(float(np.std(series, ddof=1)), 1e-4),
                "source": f"the model at {TRUTH}, seeds {SEEDS}",
            }
            for name, series in values.items()
        ],
    }
    path = folder / "demo-synthetic-targets.yaml"
    path.write_text(yaml.safe_dump(targets, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "results" / "calibrations" / "bench-demo"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    targets = synthetic_targets(args.out.parent)
    made = time.perf_counter() - started
    result = calibrate(
        DEMO,
        targets,
        RANGES,
        trials=args.trials,
        replications=args.reps,
        workers=args.workers,
        out=args.out,
        progress=True,
    )
    print(f"truth: {TRUTH}")
    print(markdown_table(result.profile))
    print()
    print(markdown_table(result.fit[["target", "observed", "sd", "model_mean", "z"]]))
    print(
        f"\ntargets made in {made:.1f} s; calibration {args.trials} trials x {args.reps} reps "
        f"in {result.wall_seconds:.1f} s wall ({result.ran} runs, {result.reused} reused)"
    )


if __name__ == "__main__":
    main()
