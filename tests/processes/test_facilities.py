"""Facilities by hand: the stock of rural and small schools and what sharing in a group
gives each campus."""

from __future__ import annotations

import numpy as np

from edusim.processes.facilities import facility_stock, shared_facility_gain


def test_stock_is_one_less_the_rural_and_small_gaps_never_below_zero():
    rural = np.array([False, True, False, True])
    places = np.array([900, 900, 150, 150])
    np.testing.assert_allclose(facility_stock(rural, places, 0.3, 0.2, 200), [1.0, 0.7, 0.8, 0.5])
    np.testing.assert_allclose(facility_stock(rural, places, 0.7, 0.5, 200)[3], 0.0)


def test_each_campus_gets_its_share_of_the_gap_to_its_group_s_best_stock():
    stock = np.array([1.0, 0.5, 0.7, 0.4, 0.2])
    # group 0: schools 0 (core), 1, 2 at share 0.5; group 1: schools 3 (core) and 1 at 1.0;
    # school 4 in no group
    row_school = np.array([0, 1, 2, 3, 1])
    row_group = np.array([0, 0, 0, 1, 1])
    row_share = np.array([0.5, 0.5, 0.5, 1.0, 1.0])
    gain = shared_facility_gain(stock, row_school, row_group, row_share, 2, 0.03)
    # school 1: max(0.03 * 0.5 * 0.5, 0.03 * 1.0 * (0.5 - 0.5)) = 0.0075
    # school 2: 0.03 * 0.5 * 0.3 = 0.0045; school 3 is group 1's best (0.5 > 0.4 is school
    # 1's): 0.03 * 1.0 * 0.1 = 0.003
    np.testing.assert_allclose(gain, [0.0, 0.0075, 0.0045, 0.003, 0.0])


def test_no_groups_no_gain():
    gain = shared_facility_gain(
        np.array([1.0, 0.2]), np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0), 0, 0.03
    )
    np.testing.assert_array_equal(gain, [0.0, 0.0])
