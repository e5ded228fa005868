"""Sensitivity indices through the same code path the runner uses, on known functions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edusim.experiment.design import sample
from edusim.experiment.sensitivity import sensitivity_table
from edusim.experiment.spec import MorrisDesign, SobolDesign


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function():
    bounds = (-np.pi, np.pi)
    design = SobolDesign(
        kind="sobol", samples=1024, parameters={"x1": bounds, "x2": bounds, "x3": bounds}
    )
    x = sample(design, seed=7)
    table = sensitivity_table(design, x, pd.DataFrame({"y": ishigami(x)}), seed=7)
    assert table["S1"].tolist() == pytest.approx([0.314, 0.442, 0.0], abs=0.05)
    assert table["ST"].tolist() == pytest.approx([0.558, 0.442, 0.244], abs=0.05)
    assert (table["S1_conf"] > 0).all()


def test_morris_ranks_a_linear_function_by_its_slopes():
    design = MorrisDesign(
        kind="morris", trajectories=8, parameters={"a": (0, 1), "b": (0, 1), "c": (0, 1)}
    )
    x = sample(design, seed=1)
    outcomes = pd.DataFrame({"y": 3 * x[:, 0] + x[:, 1], "flat": np.ones(len(x))})
    table = sensitivity_table(design, x, outcomes, seed=1).set_index(["metric", "parameter"])
    assert table.loc["y", "mu_star"].tolist() == pytest.approx([3, 1, 0])
    assert table.loc["y", "sigma"].tolist() == pytest.approx([0, 0, 0], abs=1e-12)
    assert (table.loc["flat", "note"] == "constant").all()
