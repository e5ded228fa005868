"""Designs turn an experiment's `design:` into points: one set of parameter values each.

Grid points are the full factorial of the listed values; Latin hypercube points come
from `scipy.stats.qmc`; Morris and Sobol points from SALib's samplers, in the order
SALib's analysers expect. Every sampler is seeded, so the points are reproducible.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import qmc

from edusim.experiment.spec import GridDesign, LhsDesign, MorrisDesign, RangeDesign, SobolDesign

ParameterDesign = GridDesign | LhsDesign | MorrisDesign | SobolDesign


def salib_problem(design: RangeDesign) -> dict:
    """The SALib problem dict {num_vars, names, bounds} of a range design."""
    return {
        "num_vars": len(design.parameters),
        "names": list(design.parameters),
        "bounds": [list(bounds) for bounds in design.parameters.values()],
    }


def sample(design: RangeDesign, seed: int) -> np.ndarray:
    """The sampled parameter values of a range design, one row a point."""
    problem = salib_problem(design)
    if isinstance(design, LhsDesign):
        unit = qmc.LatinHypercube(d=problem["num_vars"], seed=np.random.default_rng(seed))
        low, high = np.array(problem["bounds"]).T
        return qmc.scale(unit.random(design.samples), low, high)
    if isinstance(design, MorrisDesign):
        from SALib.sample import morris

        return morris.sample(problem, design.trajectories, num_levels=design.levels, seed=seed)
    if isinstance(design, SobolDesign):
        from SALib.sample import sobol

        return sobol.sample(
            problem, design.samples, calc_second_order=design.second_order, seed=seed
        )
    raise TypeError(f"not a range design: {type(design).__name__}")


def points(design: ParameterDesign, seed: int) -> pd.DataFrame:
    """One row per point, one column per dotted parameter path, indexed by point name."""
    names = list(design.parameters)
    if isinstance(design, GridDesign):
        rows = list(itertools.product(*design.parameters.values()))
        labels = [", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True)) for row in rows]
        frame = pd.DataFrame(rows, columns=names, dtype=object)
    else:
        frame = pd.DataFrame(sample(design, seed), columns=names)
        width = len(str(len(frame) - 1))
        labels = [f"point-{i:0{width}d}" for i in range(len(frame))]
    frame.index = pd.Index(labels, name="variant")
    return frame
