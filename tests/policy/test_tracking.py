"""Experimental classes by hand: who is tracked and the two peer means of a school."""

from __future__ import annotations

import numpy as np

from edusim.policy.tracking import peer_groups, tracked_pupils


def test_the_best_junior_pupils_of_each_grade_fill_the_seats_of_their_school():
    school = np.array([0, 0, 0, 0, 0, 1, 1, 0])
    grade = np.array([7, 7, 7, 8, 8, 7, 7, 5])
    achievement = np.array([0.1, 0.9, 0.5, -0.2, 0.3, 2.0, 1.0, 3.0])
    seats = np.array([2, 0])  # school 0 has 2 seats per grade, school 1 none
    tracked = tracked_pupils(school, grade, achievement, seats)
    # grade 7 at school 0: 0.9 and 0.5; grade 8: both (2 seats, 2 pupils); grade 5 never
    np.testing.assert_array_equal(tracked, [False, True, True, True, True, False, False, False])


def test_peer_groups_split_a_school_s_mean_between_the_tracked_and_the_rest():
    school = np.array([0, 0, 0, 1])
    tracked = np.array([True, False, False, False])
    group, means = peer_groups(school, tracked, np.array([1.0, 0.2, 0.4, 0.5]), 2)
    np.testing.assert_array_equal(group, [1, 0, 0, 2])
    np.testing.assert_allclose(means, [0.3, 1.0, 0.5, 0.0])
