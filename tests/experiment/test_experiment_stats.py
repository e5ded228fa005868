"""Paired and Welch intervals agree with scipy's t tests; design points and seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from edusim.experiment.design import points
from edusim.experiment.plan import replicate_seed
from edusim.experiment.spec import GridDesign, LhsDesign
from edusim.experiment.stats import narrowing, paired_difference, welch_difference


def test_intervals_match_scipy():
    rng = np.random.default_rng(0)
    common = rng.normal(size=12)  # shared noise, as common random numbers give
    baseline = common + rng.normal(scale=0.1, size=12)
    treated = common + 0.2 + rng.normal(scale=0.1, size=12)
    paired = paired_difference(treated, baseline)
    welch = welch_difference(treated, baseline)
    expected_paired = stats.ttest_rel(treated, baseline).confidence_interval(0.95)
    expected_welch = stats.ttest_ind(treated, baseline, equal_var=False).confidence_interval(0.95)
    assert (paired.low, paired.high) == pytest.approx(tuple(expected_paired))
    assert (welch.low, welch.high) == pytest.approx(tuple(expected_welch))
    assert paired.mean == pytest.approx(welch.mean)
    assert narrowing(paired, welch) > 3  # pairing removes the shared noise


def test_pairs_with_a_missing_value_are_dropped():
    interval = paired_difference(np.array([1.0, 2.0, np.nan, 4.0]), np.array([0.0, 1.0, 1.0, 3.0]))
    assert interval.n == 3 and interval.mean == pytest.approx(1.0)
    assert np.isnan(paired_difference(np.array([1.0]), np.array([0.0])).low)


def test_replicate_seeds_depend_on_root_and_index_only():
    seeds = [replicate_seed(7, k) for k in range(5)]
    assert len(set(seeds)) == 5 and seeds == [replicate_seed(7, k) for k in range(5)]
    assert replicate_seed(8, 0) != seeds[0]


def test_grid_is_the_full_factorial():
    design = GridDesign(kind="grid", parameters={"a.x": [1, 2, 3], "b.y": ["p", "q"]})
    frame = points(design, seed=0)
    assert len(frame) == 6 and frame.index[0] == "a.x=1, b.y=p"
    assert frame.loc["a.x=3, b.y=q"].tolist() == [3, "q"]


def test_latin_hypercube_is_seeded_and_stratified():
    design = LhsDesign(kind="lhs", samples=10, parameters={"a": (0.0, 1.0), "b": (5.0, 7.0)})
    first, again = points(design, seed=3), points(design, seed=3)
    assert first.equals(again) and not first.equals(points(design, seed=4))
    assert sorted(np.floor(first["a"] * 10).astype(int)) == list(range(10))  # one per stratum
    assert first["b"].between(5, 7).all()
