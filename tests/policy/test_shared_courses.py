"""Shared courses at the core, by hand: the share of the gap, the travel it costs, the best
of several groups, and no loss where the trip costs more than the lessons add."""

from __future__ import annotations

import numpy as np

from edusim.policy.shared_courses import shared_course_gain, travel_hours_lost


def test_travel_hours_are_trips_times_the_round_trip_capped_at_the_lessons_travelled_for():
    # share 0.1 of 20 hours = 2 hours a week at the core, all travelled, 3-hour blocks:
    # 2/3 of a trip a week; 10 km each way at 25 km/h = 0.8 hours a round trip
    hours = travel_hours_lost(
        np.array([0.1, 0.1, 0.1]), np.array([10.0, 0.0, 500.0]), 20.0, 3.0, 1.0, 25.0
    )
    np.testing.assert_allclose(hours, [2.0 / 3.0 * 0.8, 0.0, 2.0])
    # half the lessons taught at the member by the core's teachers: half the trips
    half = travel_hours_lost(np.array([0.1]), np.array([10.0]), 20.0, 3.0, 0.5, 25.0)
    np.testing.assert_allclose(half, [1.0 / 3.0 * 0.8])


def test_members_take_the_share_of_the_core_gap_net_of_travel_best_group_counts():
    quality = np.array([0.30, 0.10, 0.00, 0.25, 0.40])
    # rows: school 1 in two groups (cores 0 and 4), school 2 with core 0, school 3 with
    # core 0 but travel costing more than the lessons add
    member = np.array([1, 1, 2, 3])
    core = np.array([0, 4, 0, 0])
    share = np.array([0.2, 0.1, 0.5, 0.2])
    hours = np.array([0.0, 0.5, 1.0, 1.0])
    gain = shared_course_gain(quality, member, core, share, 1.0, hours, 0.04)
    # school 1: max(0.2 * 0.2, 0.1 * 0.3 - 0.02) = 0.04; school 2: 0.5 * 0.3 - 0.04 = 0.11
    # school 3: 0.2 * 0.05 - 0.04 < 0, so it does not take part
    np.testing.assert_allclose(gain, [0.0, 0.04, 0.11, 0.0, 0.0])
    # half of the lessons given at the member by the core's teachers: school 3 keeps that
    # half (0.2 * 0.5 * 0.05 = 0.005) and skips the visits (0.005 - 0.04 < 0); school 2
    # gets 0.075 + (0.075 - 0.04)
    half = shared_course_gain(quality, member, core, share, 0.5, hours, 0.04)
    np.testing.assert_allclose(half, [0.0, 0.04, 0.11, 0.005, 0.0])


def test_a_member_above_its_core_gains_nothing():
    gain = shared_course_gain(
        np.array([0.1, 0.3]), np.array([1]), np.array([0]), np.array([0.5]), 1.0, np.zeros(1), 0.04
    )
    np.testing.assert_array_equal(gain, [0.0, 0.0])


def test_after_school_services_take_their_weighted_share_of_the_core_gap():
    from edusim.policy.shared_courses import after_school_gain

    quality = np.array([0.30, 0.10, 0.40])
    # school 1 in two groups (cores 0 and 2); 10 after-school hours over 20 lesson hours,
    # each worth a quarter of a lesson hour: 0.125 of the share of the gap
    gain = after_school_gain(
        quality, np.array([1, 1]), np.array([0, 2]), np.array([0.5, 0.2]), 0.5, 0.25
    )
    # max(0.125 * 0.5 * 0.2, 0.125 * 0.2 * 0.3) = max(0.0125, 0.0075)
    np.testing.assert_allclose(gain, [0.0, 0.0125, 0.0])
