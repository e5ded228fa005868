"""Running teaching levels (phases/teaching_levels.py): the moves a core may make to its
members without carrying one past it, judged on the current levels."""

from __future__ import annotations

import numpy as np

from edusim.phases.teaching_levels import TeachingLevels

# school 0 (the core): teachers of 2.0, 0.5 and 0.5 (level 1.0); school 1 (a member):
# two teachers of 0.8 (level 0.8)
EFFECTIVENESS = np.array([2.0, 0.5, 0.5, 0.8, 0.8])
SCHOOL = np.array([0, 0, 0, 1, 1])


def levels() -> TeachingLevels:
    return TeachingLevels(EFFECTIVENESS, SCHOOL, 2)


def test_levels_are_the_schools_mean_effectiveness():
    running = levels()
    np.testing.assert_allclose(running.total / running.weight, [1.0, 0.8])


def test_a_move_that_would_carry_the_member_past_the_core_is_not_made():
    """Posting the 2.0 teacher would leave the core at 0.5 and lift the member to 1.2:
    refused; posting a 0.5 teacher leaves the core at 1.25 and the member at 0.7: made."""
    made = levels().moves_within_gap(
        0, np.array([1]), np.array([0, 1]), np.array([1, 1]), np.array([-1, -1])
    )
    np.testing.assert_array_equal(made, [False, True])


def test_a_part_time_move_counts_its_share_of_teaching_time():
    """A walking teacher (`share` of its time at the member): half of the 2.0 teacher
    would leave the core at 2.0 / 2.5 = 0.8 and lift the member to 2.6 / 2.5 = 1.04:
    refused; a tenth of it, core 2.8 / 2.9, member 1.8 / 2.1: made."""
    for share, expected in ((0.5, False), (0.1, True)):
        made = levels().moves_within_gap(
            0, np.array([1]), np.array([0]), np.array([1]), np.array([-1]), share=share
        )
        assert made.tolist() == [expected]


def test_moving_teachers_keeps_the_totals_of_their_teaching_time():
    running = levels()
    running.move(np.array([1, 2]), 0, 1, share=0.5)
    np.testing.assert_allclose(running.weight, [2.0, 3.0])
    np.testing.assert_allclose(running.total, [2.5, 2.1])
    np.testing.assert_allclose(running.total.sum(), EFFECTIVENESS.sum())
