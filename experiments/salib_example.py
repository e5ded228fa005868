"""Sobol sensitivity of the demo city with SALib directly, through `edusim.evaluate`.

The experiment runner does the same from a YAML file (`design: {kind: sobol}`) with
paired replications, parallel workers and a resumable store; this script shows the
bare function interface for readers who drive SALib themselves. Run from the
repository root:

    python experiments/salib_example.py --samples 64 --years 10

It prints first-order and total indices of each outcome with their 95% intervals.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import sobol as sobol_sample

import edusim

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"
PROBLEM = {
    "num_vars": 2,
    "names": ["learning.peer_effect", "families.quality_taste_mean"],
    "bounds": [[0.0, 0.08], [0.1, 0.8]],
}
OUTCOMES = ("ses_gap", "movers_share")


def indices(samples: int, years: int, seed: int = 1) -> pd.DataFrame:
    """Sobol S1 and ST (with 95% half-widths) of each outcome for each parameter."""
    points = sobol_sample.sample(PROBLEM, samples, calc_second_order=False, seed=seed)
    keywords = [name.replace(".", "__") for name in PROBLEM["names"]]
    runs = [
        edusim.evaluate(
            DEMO, seed=seed, years=years, metrics=OUTCOMES, **dict(zip(keywords, row, strict=True))
        )
        for row in points
    ]
    rows = []
    for outcome in OUTCOMES:
        y = np.array([run[outcome] for run in runs])
        result = sobol_analysis.analyze(PROBLEM, y, calc_second_order=False, seed=seed)
        for position, name in enumerate(PROBLEM["names"]):
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": name,
                    "S1": result["S1"][position],
                    "S1_conf": result["S1_conf"][position],
                    "ST": result["ST"][position],
                    "ST_conf": result["ST_conf"][position],
                }
            )
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=64, help="Sobol base sample (power of 2)")
    parser.add_argument("--years", type=int, default=10, help="school years per run")
    args = parser.parse_args(argv)
    table = indices(args.samples, args.years)
    print(table.to_string(index=False))
    return table


if __name__ == "__main__":
    main()
