"""Exploratory modelling of the demo city with EMA Workbench, through `edusim.evaluate`.

`edusim.evaluate` takes scenario parameters as keywords (dots written `__`) and returns
each metric's final-year value, which is the function interface EMA Workbench's `Model`
expects. Run from the repository root:

    python experiments/ema_workbench_example.py --scenarios 50 --years 10

and it prints the sampled parameters next to the outcomes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import edusim

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"
UNCERTAINTIES = {
    "learning__peer_effect": (0.0, 0.08),
    "families__quality_taste_mean": (0.1, 0.8),
    "housing__adjust_speed": (0.02, 0.4),
}
OUTCOMES = ("quality_sd", "ses_gap", "premium_mean_cny")


def explore(scenarios: int, years: int, seed: int = 1) -> pd.DataFrame:
    """Sample `scenarios` Latin-hypercube points with EMA and run each; one row a point."""
    from ema_workbench import (
        Constant,
        Model,
        RealParameter,
        ScalarOutcome,
        SequentialEvaluator,
        perform_experiments,
    )

    model = Model("edusim", function=edusim.evaluate)
    model.uncertainties = [RealParameter(name, *bounds) for name, bounds in UNCERTAINTIES.items()]
    model.constants = [
        Constant("scenario", str(DEMO)),
        Constant("years", years),
        Constant("seed", seed),
    ]
    model.outcomes = [ScalarOutcome(name) for name in OUTCOMES]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios, evaluator=evaluator)
    table = experiments[list(UNCERTAINTIES)].copy()
    for name in OUTCOMES:
        table[name] = outcomes[name]
    return table


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=20, help="points to sample")
    parser.add_argument("--years", type=int, default=10, help="school years per run")
    args = parser.parse_args(argv)
    table = explore(args.scenarios, args.years)
    print(table.to_string(index=False))
    return table


if __name__ == "__main__":
    main()
