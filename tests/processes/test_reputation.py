"""Reputation: within-stage z-scores of results, smoothed over the years."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.reputation import standardise_within, updated_reputation


def test_standardise_within_by_hand():
    values = np.array([1.0, 2.0, 3.0, 5.0, 5.0])
    groups = np.array([0, 0, 0, 1, 1])
    z = np.sqrt(1.5)  # (3 - 2) / sqrt(2/3)
    np.testing.assert_allclose(standardise_within(values, groups), [-z, 0.0, z, 0.0, 0.0])


def test_a_group_without_spread_gets_zeros_despite_rounding():
    # the float mean of three copies of this value is one ulp off, and its SD about 1e-14
    values = np.full(3, 86.14776363179928)
    np.testing.assert_array_equal(standardise_within(values, np.zeros(3, int)), np.zeros(3))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(-1000, 1000).map(lambda v: v / 8)),
        min_size=1,
        max_size=40,
    )
)
def test_standardised_groups_have_mean_zero_and_sd_one_or_zero(rows):
    groups = np.array([g for g, _ in rows])
    values = np.array([v for _, v in rows])
    z = standardise_within(values, groups)
    for g in np.unique(groups):
        mine = z[groups == g]
        assert abs(mine.mean()) < 1e-9
        assert np.isclose(mine.std(), 1.0) or np.allclose(mine, 0.0)


def test_updated_reputation_by_hand():
    reputation = np.array([1.0, -1.0, 0.0])
    observed = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(updated_reputation(reputation, observed, 0.3), [0.7, -0.4, 0.6])
    np.testing.assert_allclose(updated_reputation(reputation, observed, 0.0), reputation)
    np.testing.assert_allclose(updated_reputation(reputation, observed, 1.0), observed)
