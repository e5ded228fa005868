"""Per-school aggregation of population arrays."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes import aggregate
from edusim.processes.aggregate import REFERENCES, school_counts, school_mean, school_quantile


def test_school_counts_ignore_unplaced_rows():
    school = np.array([0, 2, 2, -1, 2])
    np.testing.assert_array_equal(school_counts(school, 4), [1, 0, 3, 0])


def test_school_mean_by_hand_and_for_empty_schools():
    values = np.array([1.0, 3.0, 10.0, 99.0])
    school = np.array([0, 0, 2, -1])
    np.testing.assert_allclose(school_mean(values, school, 3), [2.0, 0.0, 10.0])
    np.testing.assert_allclose(school_mean(values, school, 3, empty=np.nan)[1], np.nan)


def test_school_quantile_by_hand():
    values = np.array([0.5, 0.1, 0.4, 0.2, 0.3, 7.0])
    school = np.array([0, 0, 0, 0, 0, 2])
    # lower interpolation: position floor(0.9 * 4) = 3 of the sorted values of school 0
    np.testing.assert_allclose(school_quantile(values, school, 3, 0.9), [0.4, 0.0, 7.0])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.floats(-5, 5)), min_size=1, max_size=60),
    st.floats(0, 1),
)
def test_aggregates_agree_with_a_loop_over_schools(rows, q):
    school = np.array([s for s, _ in rows])
    values = np.array([v for _, v in rows])
    counts = school_counts(school, 5)
    means = school_mean(values, school, 5)
    quantiles = school_quantile(values, school, 5, q)
    for s in range(5):
        mine = values[school == s]
        assert counts[s] == mine.size
        if mine.size:
            assert np.isclose(means[s], mine.mean())
            assert quantiles[s] == np.quantile(mine, q, method="lower")
        else:
            assert means[s] == 0.0
            assert quantiles[s] == 0.0


rows_by_school = st.integers(0, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(-1, 6), min_size=n, max_size=n),
        st.lists(
            st.one_of(
                st.sampled_from([0.0, -0.0, 1.0, np.nan]), st.floats(-1e6, 1e6, allow_nan=False)
            ),
            min_size=n,
            max_size=n,
        ),
    )
)


@settings(max_examples=200, deadline=None)
@given(rows_by_school, st.floats(0, 1), st.sampled_from([0.0, np.nan]))
def test_compiled_aggregates_are_bit_identical_to_the_bincount_definitions(case, q, empty):
    school, values = np.array(case[0], dtype=np.int64), np.array(case[1], dtype=float)
    pairs = [
        (school_counts(school, 7), REFERENCES["school_counts"](school, 7)),
        (
            school_mean(values, school, 7, empty),
            REFERENCES["school_mean"](values, school, 7, empty),
        ),
        (
            school_quantile(values, school, 7, q),
            REFERENCES["school_quantile"](values, school, 7, q),
        ),
    ]
    pairs += list(
        zip(
            aggregate.school_moments(values, school, 7),
            REFERENCES["school_moments"](values, school, 7),
            strict=True,
        )
    )
    for got, expected in pairs:
        assert got.dtype == expected.dtype
        assert got.tobytes() == expected.tobytes()
