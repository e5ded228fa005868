"""Unit tests of the enrollment rules' building blocks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.policy.enrollment import (
    RULE_CODES,
    members_table,
    ranked_lists,
    resident_standing,
    rules_in_force,
    with_fallback,
    zone_of_schools,
)
from edusim.scenario.schema import EnrollmentParams, EnrollmentScope


def test_rules_in_force_by_stage_and_district_later_entries_win():
    params = EnrollmentParams(
        rule="catchment",
        by_area=(
            EnrollmentScope(rule="zones", stages=("primary",)),
            EnrollmentScope(rule="choice", districts=("B",)),
        ),
    )
    codes = rules_in_force(params, ["A", "B"])
    assert codes.tolist() == [
        [RULE_CODES["zones"], RULE_CODES["catchment"]],
        [RULE_CODES["choice"], RULE_CODES["choice"]],
    ]


def test_zones_partition_each_district_stage_into_runs_of_neighbours():
    angle = np.linspace(0, 2 * np.pi, 7, endpoint=False)
    x, y = np.cos(angle), np.sin(angle)
    zone = zone_of_schools(x, y, np.zeros(7, int), np.zeros(7, int), size=3)
    sizes = np.bincount(zone)
    assert sizes.sum() == 7 and sizes.min() >= 2  # a lone last school joins its neighbours
    other = zone_of_schools(x, y, np.array([0] * 4 + [1] * 3), np.zeros(7, int), size=3)
    assert not set(other[:4]) & set(other[4:])  # zones never cross districts


def test_members_table_and_ranked_lists():
    table = members_table(np.array([1, 0, 1, -1]), 2)
    assert table.tolist() == [[1, -1], [0, 2]]
    candidates = np.array([[3, 5, -1], [7, 8, 9]])
    utility = np.array([[1.0, 2.0, 9.0], [0.0, 5.0, 1.0]])
    assert ranked_lists(candidates, utility, 2).tolist() == [[5, 3], [8, 9]]
    lists = with_fallback(np.array([[5, 3], [8, 9]]), np.array([3, 7]))
    assert lists.tolist() == [[5, 3, -1], [8, 9, 7]]


def test_priority_ladder_orders_classes_before_years_of_residence():
    local = np.array([True, False, True, False, True])
    owner = np.array([True, True, False, False, False])
    years = np.array([0.0, 9.0, 5.0, 20.0, 0.5])
    standing = resident_standing(local, owner, years, EnrollmentParams())
    # local owner > non-local owner > local renter > migrant (by points) = short-stay renter
    assert standing[0] > standing[1] > standing[2] > standing[3] > standing[4]
    reordered = EnrollmentParams(priority_ladder=("renter", "local_owner"))
    standing = resident_standing(local, owner, years, reordered)
    assert standing[2] > standing[0] > standing[1]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-1, 5), max_size=40))
def test_members_table_lists_each_owners_schools_in_index_order(owners):
    owner = np.array(owners, dtype=np.int64)
    table = members_table(owner, 6)
    for o in range(6):
        members = table[o][table[o] >= 0]
        assert members.tolist() == np.flatnonzero(owner == o).tolist()
        assert (table[o][members.size :] == -1).all()  # padded after the members only
