"""Policy rules checked on small hand-made inputs with values worked out by hand. Each test
was added because a mutant of its rule survived the other tests (docs/testing.md,
mutation testing): the rule had no test, or its test could not tell the mutant apart."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.policy.admission import fed_applicants, percentile, school_lottery_ids
from edusim.policy.district_rotation import mean_travel_to_receivers, school_areas
from edusim.policy.enrollment import consideration_set


def test_lottery_ids_are_the_family_id_shifted_past_the_school_index():
    """The documented layout `uid * 2**20 + school` (a padded -1 counts as school 0): stored
    runs reproduce only if the ids, hence the lottery numbers, stay the same."""
    uids = np.array([0, 1, 7])
    schools = np.array([[0, 3, -1], [2**20 - 1, 0, 1], [5, 4, 2]])
    ids = school_lottery_ids(uids, schools)
    assert ids.dtype == np.uint64
    expected = [
        [0, 3, 0],
        [2**20 + 2**20 - 1, 2**20, 2**20 + 1],
        [7 * 2**20 + 5, 7 * 2**20 + 4, 7 * 2**20 + 2],
    ]
    assert ids.tolist() == expected


def test_lottery_ids_refuse_a_school_index_that_would_spill_into_the_family_id():
    school_lottery_ids(np.array([3]), np.array([[2**20 - 1]]))  # the largest that fits
    with pytest.raises(ValueError, match=r"^more than 2\*\*20 schools: per-school lottery"):
        school_lottery_ids(np.array([3]), np.array([[2**20]]))


def test_school_areas_are_integer_codes():
    """Area codes index arrays (medians, quotas), so they must stay integers."""
    district = np.array([0, 0, 1, 1], dtype=np.int32)
    stage = np.array([0, 1, 0, 1], dtype=np.int8)
    open_public = np.array([True, True, True, False])
    for scope, codes in (("district", [0, 1, 2, -1]), ("city", [0, 1, 0, -1])):
        areas = school_areas(district, stage, open_public, scope)
        assert areas.dtype.kind == "i", scope
        assert areas.tolist() == codes


def test_mean_travel_is_to_the_receivers_of_the_senders_own_area():
    """Seven schools: area 0 = schools 0-3 (senders 0, 1; receivers 2, 3), area 1 = schools
    4-5 (sender 4, receiver 5), school 6 outside the rule but flagged a receiver (it must
    not count). travel[i, j] = 7 i + j."""
    travel = np.arange(49, dtype=float).reshape(7, 7)
    area = np.array([0, 0, 0, 0, 1, 1, -1])
    senders = np.array([True, True, False, False, True, False, False])
    receivers = np.array([False, False, True, True, False, True, True])
    got = mean_travel_to_receivers(travel, area, senders, receivers)
    # school 0: (t02 + t03) / 2 = (2 + 3) / 2; school 1: (9 + 10) / 2; school 4: t45 = 33
    assert got.tolist() == [2.5, 9.5, 0.0, 0.0, 33.0, 0.0, 0.0]


def test_a_sender_with_no_receiver_in_its_area_travels_nowhere():
    travel = np.ones((3, 3))
    area = np.array([0, 1, 1])
    got = mean_travel_to_receivers(
        travel, area, np.array([True, True, False]), np.array([False, False, True])
    )
    assert got.tolist() == [0.0, 1.0, 0.0]


def test_consideration_set_keeps_each_school_once_in_school_order():
    nearest = np.array([[2, 0], [1, 3], [4, 4]])
    reputed = np.array([[0, 5], [6, 2], [4, 1]])
    got = consideration_set(nearest, reputed)
    # row 0: 0 0 2 5 -> the second 0 dropped; row 1: all distinct; row 2: 1 4 4 4
    assert got.tolist() == [[0, -1, 2, 5], [1, 2, 3, 6], [1, 4, -1, -1]]


def test_percentile_of_one_value_is_zero_and_of_none_is_empty():
    assert percentile(np.array([5.0])).tolist() == [0.0]
    empty = percentile(np.array([]))
    assert empty.shape == (0,)


def test_feeder_priority_reaches_school_0_and_never_an_applicant_without_a_primary():
    """School 0 is a junior school like any other: the pupils its feeder sends are fed
    there. An applicant with no primary school (-1) is fed nowhere, whatever it lists."""
    primary = np.array([2, -1, 3])
    feeds = np.array([-1, -1, 0, 1])  # primary 2 feeds junior 0, primary 3 feeds junior 1
    lists = np.array([[0, 1], [1, 0], [1, -1]])
    fed = fed_applicants(primary, feeds, lists)
    assert fed.tolist() == [[True, False], [False, False], [True, False]]
