"""Grouped array operations."""

import numpy as np

from edusim.grouped import rank_within


def test_rank_within_ranks_each_group_from_its_best():
    group = np.array([1, 0, 1, 0, 1])
    key = np.array([0.5, 2.0, 0.9, 1.0, 0.1])
    assert rank_within(group, key).tolist() == [1, 0, 0, 1, 2]


def test_rank_within_equals_a_sort_per_group():
    rng = np.random.default_rng(11)
    group = rng.integers(0, 7, 300)
    key = rng.integers(0, 5, 300).astype(float)  # many ties
    ranks = rank_within(group, key)
    for g in range(7):
        rows = np.flatnonzero(group == g)
        expected = rows[np.argsort(-key[rows], kind="stable")]
        assert (ranks[expected] == np.arange(rows.size)).all()
