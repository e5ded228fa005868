"""Placing entrants under hard capacities: school-side admission by priority, rounds of
applications down preference lists, classes added when a district is short."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.policy.enrollment import (
    RESIDENT_CLASSES,
    UNPLACED,
    admit_by_priority,
    extra_classes,
    ladder_class,
    place_entrants,
    place_entrants_reference,
    resident_classes,
)

# -- admit_by_priority ----------------------------------------------------------------------


def test_admit_by_priority_by_hand():
    applied = np.array([0, 0, 0, 1, 1, -1, 2])
    priority = np.array([0.3, 0.9, 0.5, 0.1, 0.2, 5.0, 0.0])
    free = np.array([2, 1, 0])
    admitted = admit_by_priority(applied, priority, free)
    # school 0 takes its two best (0.9, 0.5); school 1 its best (0.2); school 2 has no place
    assert admitted.tolist() == [False, True, True, False, True, False, False]


def test_admit_by_priority_with_nobody_applying():
    assert admit_by_priority(np.full(3, -1), np.zeros(3), np.array([5])).tolist() == [False] * 3
    assert admit_by_priority(np.empty(0, int), np.empty(0), np.array([5])).size == 0


@st.composite
def applications(draw):
    n_schools = draw(st.integers(1, 6))
    n = draw(st.integers(0, 40))
    applied = np.array(draw(st.lists(st.integers(-1, n_schools - 1), min_size=n, max_size=n)))
    priority = np.array(draw(st.lists(st.floats(0, 100, allow_nan=False), min_size=n, max_size=n)))
    free = np.array(draw(st.lists(st.integers(0, 10), min_size=n_schools, max_size=n_schools)))
    return applied.astype(np.int64), priority.astype(float), free.astype(np.int64)


@settings(max_examples=100, deadline=None)
@given(applications())
def test_admit_by_priority_fills_places_from_the_top(case):
    applied, priority, free = case
    admitted = admit_by_priority(applied, priority, free)
    assert not admitted[applied < 0].any()
    for school in range(free.size):
        mine = applied == school
        taken = (admitted & mine).sum()
        # never above the free places; everyone admitted when places suffice
        assert taken == min(free[school], mine.sum())
        if taken and (mine & ~admitted).any():
            assert priority[admitted & mine].min() >= priority[mine & ~admitted].max()


# -- place_entrants -------------------------------------------------------------------------


def test_place_entrants_by_hand():
    lists = np.array([[0, 1], [0, 1], [0, 1], [1, -1]])
    priority = np.array([0.1, 0.9, 0.5, 0.7])
    free = np.array([1, 2])
    placed = place_entrants(lists, priority, free)
    # round 1: school 0 takes entrant 1; school 1 takes entrant 3
    # round 2: entrants 0 and 2 apply to school 1, one place left -> entrant 2 (0.5 > 0.1)
    assert placed.tolist() == [UNPLACED, 0, 1, 1]
    assert free.tolist() == [0, 0]  # decremented in place


def test_entrants_move_down_their_list_past_full_schools():
    lists = np.array([[0, 1, 2], [0, 2, 1], [0, -1, -1]])
    free = np.array([0, 1, 0])
    placed = place_entrants(lists, np.array([0.2, 0.1, 0.9]), free)
    # school 0 is full: round 2 entrant 0 gets school 1, entrant 1 finds school 2 full,
    # round 3 entrant 1 finds school 1 now full; entrant 2's list has run out
    assert placed.tolist() == [1, UNPLACED, UNPLACED]
    assert free.tolist() == [0, 0, 0]


@st.composite
def markets(draw):
    n_schools = draw(st.integers(1, 6))
    n = draw(st.integers(0, 40))
    width = draw(st.integers(1, n_schools))
    rows = [
        draw(st.permutations(range(n_schools)))[:width] + [UNPLACED] * draw(st.integers(0, 2))
        for _ in range(n)
    ]
    longest = max((len(r) for r in rows), default=width)
    lists = np.array([r + [UNPLACED] * (longest - len(r)) for r in rows], dtype=np.int64)
    lists = lists.reshape(n, longest)
    priority = np.array(draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)), dtype=float)
    free = np.array(
        draw(st.lists(st.integers(0, 12), min_size=n_schools, max_size=n_schools)), dtype=np.int64
    )
    return lists, priority, free


@settings(max_examples=100, deadline=None)
@given(markets())
def test_place_entrants_respects_places_and_lists(case):
    lists, priority, free = case
    places = free.copy()
    placed = place_entrants(lists, priority, free)
    assert placed.shape == (lists.shape[0],)
    taken = np.bincount(placed[placed >= 0], minlength=places.size)
    assert (taken <= places).all()
    np.testing.assert_array_equal(free, places - taken)
    for row, school in enumerate(placed):
        if school >= 0:
            assert school in lists[row]
        else:
            # turned away only where every listed school filled up
            listed = lists[row][lists[row] >= 0]
            assert (free[listed] == 0).all()


@settings(max_examples=100, deadline=None)
@given(markets())
def test_place_entrants_places_everyone_when_places_suffice(case):
    lists, priority, free = case
    n_schools = free.size
    full_lists = np.array(
        [np.roll(np.arange(n_schools), row) for row in range(lists.shape[0])], dtype=np.int64
    ).reshape(lists.shape[0], n_schools)
    free = free + max(0, lists.shape[0] - int(free.sum()))  # enough places in total
    placed = place_entrants(full_lists, priority, free)
    assert (placed >= 0).all()
    assert (free >= 0).all()


@settings(max_examples=200, deadline=None)
@given(markets(), st.data())
def test_compiled_rounds_place_as_the_reference_rounds(case, data):
    """The compiled rounds give the same schools and leave the same places as rounds of
    `admit_by_priority`, ties in priority included (drawn from few values), and a list
    shared through `rows` places like the same list copied per entrant."""
    lists, priority, free = case
    if data.draw(st.booleans()):
        priority = np.round(priority / 5.0)  # many ties: 0, 1 or 2
    free_ref = free.copy()
    expected = place_entrants_reference(lists, priority, free_ref)
    placed = place_entrants(lists, priority, free)
    np.testing.assert_array_equal(placed, expected)
    assert placed.dtype == expected.dtype
    np.testing.assert_array_equal(free, free_ref)
    if lists.shape[0]:
        shared = data.draw(st.lists(st.integers(0, lists.shape[0] - 1), max_size=30))
        rows = np.array(shared, dtype=np.int64)
        pri = priority[rows] if priority.size else priority
        free_a, free_b = free_ref.copy() + 3, free_ref.copy() + 3
        by_row = place_entrants(lists, pri, free_a, rows=rows)
        np.testing.assert_array_equal(by_row, place_entrants_reference(lists[rows], pri, free_b))
        np.testing.assert_array_equal(free_a, free_b)


# -- extra classes --------------------------------------------------------------------------


def test_extra_classes_by_hand():
    resident = np.array([100, 40, 91, 10])
    places = np.array([90, 45, 45, 45])
    size = np.array([45, 45, 45, 45])
    short = np.array([True, True, True, False])
    # 10 over -> 1 class; none over -> 0; 46 over -> 2 classes; district not short -> 0
    np.testing.assert_array_equal(extra_classes(resident, places, size, short), [1, 0, 2, 0])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 300), st.integers(1, 6)), min_size=1, max_size=8),
    st.integers(20, 50),
)
def test_after_extra_classes_a_short_district_seats_all_its_residents(schools, class_size):
    resident = np.array([r for r, _ in schools])
    classes = np.array([c for _, c in schools])
    size = np.full(resident.size, class_size)
    places = classes * size
    short = np.full(resident.size, resident.sum() > places.sum())
    added = extra_classes(resident, places, size, short)
    assert (added >= 0).all()
    new_places = (classes + added) * size
    if short.any():
        assert (new_places >= resident).all()
        assert new_places.sum() >= resident.sum()
    else:
        assert (added == 0).all()


def test_ladder_class_by_hand_is_the_index_of_each_resident_class():
    """Every combination of registration, tenure and years (below, at and above the
    renters' minimum, and NaN): the ladder class is the index in RESIDENT_CLASSES of the
    one class `resident_classes` puts the family in."""
    # (local, owner, years, class by hand): local owners 0, other owners 1, local tenants
    # resident 3 years or more 2, everyone else 3
    cases = [
        (True, True, 0.0, 0), (True, False, 0.0, 3), (True, False, 2.9, 3),
        (True, False, 3.0, 2), (True, False, 7.5, 2), (True, False, np.nan, 3),
        (False, True, 0.0, 1), (False, True, np.nan, 1), (False, False, 3.0, 3),
        (False, False, 7.5, 3),
    ]  # fmt: skip
    local, owner, years, expected = (np.array(column) for column in zip(*cases, strict=True))
    got = ladder_class(local, owner, years, 3.0)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist()
    classes = resident_classes(local, owner, years, 3.0)
    for index, name in enumerate(RESIDENT_CLASSES):
        assert (got == index).tolist() == classes[name].tolist()
