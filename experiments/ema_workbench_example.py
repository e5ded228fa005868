"""Exploratory modelling of the demo city with EMA Workbench, through `edusim.evaluate`.

`edusim.evaluate` takes scenario parameters as keywords (dots written `__`) and returns
each metric's yearly values with `series=True`, the function interface EMA Workbench's
`Model` expects for `TimeSeriesOutcome`s. This example shows the three things a real
study needs:

* seeds as replications: every sampled point runs with each of `--seeds` seeds
  (`ReplicatorModel`), the same seeds at every point (common random numbers), and the
  outcome of a point is the mean over its seeds;
* the `if __name__ == "__main__":` guard at the bottom: with `--processes N` EMA's
  `MultiprocessingEvaluator` starts worker processes that import this file again, and
  without the guard every worker would start the whole exploration once more;
* scenario discovery with PRIM: which parameter ranges make the final-year SES gap
  fall in its lowest quarter.

Run from anywhere (the demo scenario ships with edusim):

    python experiments/ema_workbench_example.py --scenarios 50 --seeds 3 --years 10

It prints the sampled parameters next to the outcomes and PRIM's box.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Sequence

import numpy as np
import pandas as pd

import edusim

UNCERTAINTIES = {
    "learning__peer_effect": (0.0, 0.08),
    "families__quality_taste_mean": (0.1, 0.8),
    "housing__adjust_speed": (0.02, 0.4),
}
OUTCOMES = ("quality_sd", "ses_gap", "premium_mean_cny")
SEEDS = (1, 2, 3, 4, 5)
LOW_GAP_QUANTILE = 0.25
"""PRIM looks for points whose final-year SES gap is in this lowest share (assumption:
'a good outcome' for the example)."""


def explore(
    scenarios: int, years: int, seeds: Sequence[int] = SEEDS[:2], processes: int = 1
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Sample `scenarios` Latin-hypercube points with EMA and run each with every seed.

    Returns one row per point (its parameters and each outcome's final-year mean over
    the seeds) and the yearly series, outcome -> array (points, seeds, years)."""
    from ema_workbench import (
        Constant,
        MultiprocessingEvaluator,
        RealParameter,
        ReplicatorModel,
        SequentialEvaluator,
        TimeSeriesOutcome,
        perform_experiments,
    )

    model = ReplicatorModel("edusim", function=edusim.evaluate)
    model.uncertainties = [RealParameter(name, *bounds) for name, bounds in UNCERTAINTIES.items()]
    model.constants = [
        Constant("scenario_file", "demo"),
        Constant("years", years),
        Constant("series", True),
    ]
    model.replications = [{"seed": seed} for seed in seeds]
    model.outcomes = [TimeSeriesOutcome(name) for name in (*OUTCOMES, "year")]
    evaluator = (
        SequentialEvaluator(model)
        if processes == 1
        else MultiprocessingEvaluator(model, n_processes=processes)
    )
    with evaluator:
        experiments, outcomes = perform_experiments(model, scenarios, evaluator=evaluator)
    table = experiments[list(UNCERTAINTIES)].copy()
    series = {name: np.asarray(outcomes[name], dtype=float) for name in (*OUTCOMES, "year")}
    for name in OUTCOMES:
        table[name] = series[name][:, :, -1].mean(axis=1)  # final year, mean over seeds
    return table, series


def discover(table: pd.DataFrame) -> dict[str, object] | None:
    """PRIM on the sampled parameters: the box where the SES gap is in its lowest quarter.
    Returns the box's limits, coverage and density (None if PRIM finds no box)."""
    from ema_workbench.analysis import prim

    x = table[list(UNCERTAINTIES)]
    y = (table["ses_gap"] <= table["ses_gap"].quantile(LOW_GAP_QUANTILE)).to_numpy()
    options = {"threshold": 0.8} if "threshold" in inspect.signature(prim.Prim).parameters else {}
    box = prim.Prim(x, y, **options).find_box()  # EMA 2.5 takes a threshold, 3.0 none
    if box is None:
        return None
    return {
        "limits": box.box_lim,
        "coverage": float(box.coverage),
        "density": float(box.density),
        "cases": int(y.sum()),
    }


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=20, help="points to sample")
    parser.add_argument("--seeds", type=int, default=2, help="replications (seeds) per point")
    parser.add_argument("--years", type=int, default=10, help="school years per run")
    parser.add_argument("--processes", type=int, default=1, help="EMA worker processes")
    args = parser.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    table, _ = explore(args.scenarios, args.years, seeds, args.processes)
    print(table.to_string(index=False))
    found = discover(table)
    if found is None:
        print("PRIM found no box")
    else:
        print(
            f"\nPRIM: {found['cases']} points with the lowest SES gaps; box coverage "
            f"{found['coverage']:.2f}, density {found['density']:.2f}:"
        )
        print(found["limits"].to_string())
    return table


if __name__ == "__main__":  # required: EMA's worker processes import this file again
    main()
