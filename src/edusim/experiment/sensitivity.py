"""Sensitivity indices of Morris and Sobol designs, by SALib's analysers.

The outcome of a design point is the mean over its replicates of a metric's final-year
value (replicates share seeds across points, so seed noise is common to all points).
A metric with a missing outcome at any point (a failed point, or a metric undefined in
the scenario, such as group gaps without groups) gets no indices, only a note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from edusim.experiment.design import salib_problem
from edusim.experiment.spec import MorrisDesign, RangeDesign, SobolDesign

MORRIS_COLUMNS: tuple[str, ...] = ("mu_star", "mu_star_conf", "sigma", "mu")
SOBOL_COLUMNS: tuple[str, ...] = ("S1", "S1_conf", "ST", "ST_conf")


def index_columns(design: RangeDesign) -> tuple[str, ...]:
    """The index columns a design reports."""
    return MORRIS_COLUMNS if isinstance(design, MorrisDesign) else SOBOL_COLUMNS


def _indices(design: RangeDesign, samples: np.ndarray, y: np.ndarray, seed: int) -> dict:
    problem = salib_problem(design)
    if isinstance(design, MorrisDesign):
        from SALib.analyze import morris

        return morris.analyze(problem, samples, y, num_levels=design.levels, seed=seed)
    if isinstance(design, SobolDesign):
        from SALib.analyze import sobol

        return sobol.analyze(problem, y, calc_second_order=design.second_order, seed=seed)
    raise TypeError(f"no sensitivity indices for {type(design).__name__}")


def sensitivity_table(
    design: RangeDesign, samples: np.ndarray, outcomes: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """Indices per metric and parameter.

    `samples` are the design's points in sampling order (one row each); `outcomes` has
    one row per point in the same order and one column per metric. Returns columns
    metric, parameter, the design's index columns, and note (why indices are missing).
    """
    columns = index_columns(design)
    rows = []
    for metric in outcomes.columns:
        y = outcomes[metric].to_numpy(dtype=float)
        if np.isfinite(y).all() and np.ptp(y) > 0:
            result, note = _indices(design, samples, y, seed), ""
        else:
            result = None
            note = "not finite at every point" if not np.isfinite(y).all() else "constant"
        for position, parameter in enumerate(design.parameters):
            row = {"metric": metric, "parameter": parameter}
            for column in columns:
                row[column] = float(result[column][position]) if result else float("nan")
            row["note"] = note
            rows.append(row)
    return pd.DataFrame(rows, columns=["metric", "parameter", *columns, "note"])
