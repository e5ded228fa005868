"""Reputation: results read within stage on a fixed yardstick, smoothed over the years."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.reputation import (
    results_reading,
    results_yardstick,
    standardise_within,
    updated_reputation,
)


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


def test_results_yardstick_by_hand():
    values = np.array([1.0, 2.0, 3.0, 5.0, 5.0])
    groups = np.array([0, 0, 0, 1, 1])
    # group 1 has no spread, group 2 no school: both read nothing
    np.testing.assert_allclose(results_yardstick(values, groups, 3), [np.sqrt(2 / 3), 0.0, 0.0])


def test_results_reading_by_hand():
    values = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    groups = np.array([0, 0, 0, 1, 1])
    # distance from this year's mean of the stage, in the stage's fixed unit
    np.testing.assert_allclose(
        results_reading(values, groups, np.array([0.5, 2.0])), [-2.0, 0.0, 2.0, -0.5, 0.5]
    )
    # a stage whose yardstick is 0 (no spread at the start) reads nothing
    np.testing.assert_allclose(
        results_reading(values, groups, np.array([0.5, 0.0])), [-2.0, 0.0, 2.0, 0.0, 0.0]
    )


def test_a_stage_beyond_the_yardstick_reads_nothing():
    """A group numbered past the yardstick (none was measured for it at the start) reads
    0, like a stage whose yardstick is 0 (a mutation survivor of seed 40 read past the
    end instead)."""
    values = np.array([1.0, 3.0, 4.0, 6.0])
    groups = np.array([0, 0, 1, 1])
    np.testing.assert_allclose(results_reading(values, groups, np.array([2.0])), [-0.5, 0.5, 0, 0])


def test_the_reading_at_the_start_is_the_z_score():
    rng = np.random.default_rng(4)
    values = rng.normal(size=30)
    groups = rng.integers(0, 2, size=30)
    yardstick = results_yardstick(values, groups, 2)
    np.testing.assert_allclose(
        results_reading(values, groups, yardstick), standardise_within(values, groups)
    )


def test_outliers_drawing_away_do_not_shrink_the_others_gaps():
    """Two schools 0.2 apart keep a reading 0.2 / unit apart when a third school (a private
    school creaming off the strongest pupils) moves far above them; a z-score would shrink
    their gap as the spread grows."""
    groups = np.zeros(3, int)
    start = np.array([0.0, 0.2, 0.4])
    later = np.array([0.0, 0.2, 1.6])
    yardstick = results_yardstick(start, groups, 1)
    gap_later = np.diff(results_reading(later, groups, yardstick)[:2])[0]
    assert np.isclose(gap_later, 0.2 / yardstick[0])
    z_gap_later = np.diff(standardise_within(later, groups)[:2])[0]
    assert z_gap_later < 0.5 * gap_later


def test_a_reading_follows_the_stage_mean():
    """The city's results all rising by the same amount change no school's reading."""
    groups = np.array([0, 0, 1, 1])
    values = np.array([0.1, 0.3, -0.2, 0.2])
    yardstick = np.array([0.1, 0.2])
    np.testing.assert_allclose(
        results_reading(values + 0.7, groups, yardstick), results_reading(values, groups, yardstick)
    )


def test_a_spread_counts_only_above_a_billionth_of_the_values_size():
    """`_has_spread`: a spread is one only if it exceeds 1e-9 x the largest absolute
    value (at least 1e-9): at the threshold it is rounding, just above it a spread; the
    threshold grows with the values (written against two seed-43 mutation survivors)."""
    from edusim.processes.reputation import _has_spread

    small = np.array([0.0, 0.5, 1.0])
    assert not _has_spread(1e-9, small)
    assert _has_spread(1.5e-9, small)
    large = np.array([-1e6, 2.0])
    assert not _has_spread(1e-3, large) and not _has_spread(5e-4, large)
    assert _has_spread(2e-3, large)
