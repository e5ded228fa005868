"""Grouped array operations."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.grouped import (
    members_by_group,
    rank_within,
    rank_within_reference,
    rows_by_key,
    stable_argsort,
)


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


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 80).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(-3, 9), min_size=n, max_size=n),
            st.lists(
                st.one_of(
                    st.sampled_from([0.0, -0.0, 1.0, -np.inf, np.inf, np.nan]),
                    st.floats(-1e3, 1e3, allow_nan=False),
                ),
                min_size=n,
                max_size=n,
            ),
        )
    ),
    st.sampled_from([0, 1000, 10**9]),
)
def test_compiled_rank_within_is_the_lexsort_definition(case, offset):
    """Dense group numbers (compiled buckets) and sparse ones (the sort) both rank as
    `np.lexsort((-key, group))` does, ties, infinities and NaN included."""
    group = np.array(case[0], dtype=np.int64) * (1 + offset) + offset
    key = np.array(case[1], dtype=float)
    np.testing.assert_array_equal(rank_within(group, key), rank_within_reference(group, key))


def test_rows_by_key_are_the_rows_of_each_key_in_order():
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 9, size=200)
    rows = rows_by_key(keys, 11)  # keys 9 and 10 hold no row
    assert len(rows) == 11
    for key, found in enumerate(rows):
        assert np.array_equal(found, np.flatnonzero(keys == key))


def test_members_by_group_is_the_per_group_selection():
    rng = np.random.default_rng(8)
    group = rng.choice([0, 2, 3, 7], size=60)
    school = rng.permutation(60)
    expected = [(int(g), school[group == g]) for g in np.unique(group)]
    found = members_by_group(group, school)
    assert [g for g, _ in found] == [g for g, _ in expected]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(found, expected, strict=True))
    assert members_by_group(np.array([], dtype=np.int64), np.array([], dtype=np.int64)) == []


def test_stable_argsort_keeps_the_row_order_of_equal_keys():
    keys = np.array([2.0, 1.0, 2.0, 0.0, 1.0])
    assert stable_argsort(keys).tolist() == [3, 1, 4, 0, 2]
    # 0.0 and -0.0 are equal keys: row order, as the stable sort gives
    assert stable_argsort(np.array([0.0, -1.0, -0.0, 0.0])).tolist() == [1, 0, 2, 3]
    # NaNs go last in row order
    assert stable_argsort(np.array([np.nan, 1.0, np.nan, 0.5])).tolist() == [3, 1, 0, 2]


def test_stable_argsort_of_distinct_keys_is_the_sorted_order():
    keys = np.array([0.3, -2.5, 7.0, 0.1])
    assert stable_argsort(keys).tolist() == [1, 3, 0, 2]
    assert stable_argsort(np.array([], dtype=float)).tolist() == []
    assert stable_argsort(np.array([4.0])).tolist() == [0]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 400),
    st.sampled_from(["distinct", "few values", "with nan", "integers"]),
)
def test_stable_argsort_is_the_stable_sort(seed, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "distinct":
        keys = rng.normal(size=n)
    elif kind == "few values":
        keys = rng.integers(-2, 3, n) * 0.5
    elif kind == "with nan":
        keys = np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n))
    else:
        keys = rng.integers(0, 5, n)
    got = stable_argsort(keys)
    expected = np.argsort(keys, kind="stable")
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
