"""Priorities in deferred acceptance: residents, siblings, distance, lottery; reserved seats;
older siblings."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.policy.enrollment import UNPLACED, applicant_priority, reserved_seats
from edusim.policy.mechanisms import deferred_acceptance
from edusim.world.households import older_sibling_school


def test_priority_is_lexicographic_resident_sibling_distance_lottery():
    # four applicants to one school
    resident = np.array([[True], [False], [False], [False]])
    sibling = np.array([[False], [True], [False], [False]])
    km = np.array([[50.0], [40.0], [0.4], [3.7]])
    lottery = np.array([0.0, 0.0, 0.1, 0.99])
    priority = applicant_priority(resident, np.zeros(4), sibling, km, lottery, True)
    assert np.argsort(-priority[:, 0]).tolist() == [0, 1, 2, 3]
    # without distance priority the lottery decides between the last two
    flat = applicant_priority(resident, np.zeros(4), sibling, km, lottery, False)
    assert np.argsort(-flat[:, 0]).tolist() == [0, 1, 3, 2]


def test_residents_rank_by_standing_before_anything_else():
    resident = np.array([[True], [True], [False]])
    standing = np.array([100.0, 301.0, 499.0])  # class x 100 + whole years
    priority = applicant_priority(
        resident,
        standing,
        np.array([[False], [False], [True]]),
        np.zeros((3, 1)),
        np.array([0.9, 0.1, 0.5]),
        True,
    )
    assert np.argsort(-priority[:, 0]).tolist() == [1, 0, 2]


def test_reserved_seats_by_hand():
    # two schools with 4 and 2 places, half reserved; applicant 0 lives in 0's catchment
    lists = np.array([[0, 1], [0, -1]])
    seats, resident, free = reserved_seats(
        lists, np.array([0, 1]), np.array([True, True]), np.array([4, 2]), 0.5
    )
    assert free.tolist() == [2, 1, 2, 1]  # reserved 0, reserved 1, open 0, open 1
    assert seats.tolist() == [[0, 2, 3, 1], [2, 0, UNPLACED, UNPLACED]]
    assert resident.tolist() == [[True, False, False, False], [False] * 4]


def test_reserved_places_seat_residents_first_and_go_to_others_when_unused():
    # one school of 4 places, half reserved for its residents; 6 applicants, the two
    # residents hold the worst lottery numbers
    n = 6
    lists = np.zeros((n, 1), dtype=np.int64)
    home = np.array([0, 0, 1, 1, 1, 1])
    lottery = np.array([0.01, 0.02, 0.9, 0.8, 0.7, 0.6])
    seats, resident, free = reserved_seats(lists, home, np.ones(n, bool), np.array([4, 9]), 0.5)
    priority = applicant_priority(
        resident, np.zeros(n), np.zeros(seats.shape, bool), np.zeros(seats.shape), lottery, False
    )
    placed = deferred_acceptance(seats, priority, free) % 2
    assert sorted(np.flatnonzero(placed == 0).tolist()) == [0, 1, 2, 3]
    # without residents applying, the reserved seats go to the best lottery numbers
    outsiders = np.array([1, 1, 1, 1, 1, 1])
    seats, resident, free = reserved_seats(
        lists, outsiders, np.ones(n, bool), np.array([4, 9]), 0.5
    )
    priority = applicant_priority(
        resident, np.zeros(n), np.zeros(seats.shape, bool), np.zeros(seats.shape), lottery, False
    )
    matched = deferred_acceptance(seats, priority, free)
    assert sorted(np.flatnonzero(matched >= 0).tolist()) == [2, 3, 4, 5]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 5),
    st.floats(0, 1),
    st.integers(0, 2**31 - 1),
)
def test_reserved_seats_never_exceed_a_schools_places(applicants, schools, share, seed):
    rng = np.random.default_rng(seed)
    lists = np.stack([rng.permutation(schools) for _ in range(applicants)])
    home = rng.integers(0, schools, applicants)
    places = rng.integers(0, 8, schools)
    seats, resident, free = reserved_seats(lists, home, rng.random(applicants) < 0.8, places, share)
    priority = applicant_priority(
        resident,
        rng.random(applicants) * 400,
        np.zeros(seats.shape, bool),
        rng.random(seats.shape) * 10,
        rng.random(applicants),
        True,
    )
    matched = deferred_acceptance(seats, priority, free)
    school = np.where(matched >= 0, matched % schools, -1)
    assert (np.bincount(school[school >= 0], minlength=schools) <= places).all()
    # nobody is left out while one of its listed schools still has a free place
    taken = np.bincount(school[school >= 0], minlength=schools)
    if (school < 0).any():
        assert (taken == places).all()


def test_older_sibling_school_takes_a_pupil_of_the_same_cell():
    pupil_cell = np.array([5, 5, 7, 9])
    pupil_school = np.array([10, 13, 11, 12])
    entrant_cell = np.array([5, 7, 8, 9])
    has = np.array([True, True, True, False])
    school = older_sibling_school(entrant_cell, has, pupil_cell, pupil_school, 10)
    # cell 5: the last-arrived pupil's school; cell 8 has no pupil; entrant 3 has no sibling
    assert school.tolist() == [13, 11, -1, -1]
