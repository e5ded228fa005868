"""Families' decisions at entry: what an address is worth, how schools are valued (where
families move is the housing market's: tests/processes/test_housing.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.family_choice import (
    access_reputation,
    address_candidates,
    address_values,
    address_values_reference,
    school_values,
    top_reputation_candidates,
    top_reputation_candidates_reference,
)
from edusim.scenario.schema import FamilyParams


def test_access_reputation_by_hand():
    reputation = np.array([1.0, -1.0, 0.0])
    # catchment 0: two class-0 entrants (placed at 0 and 2), one class-2 entrant placed at 1
    home = np.array([0, 0, 0, 1])
    ladder = np.array([0, 0, 2, 0])
    placed = np.array([0, 2, 1, 1])
    access = access_reputation(home, ladder, placed, reputation, 3)
    assert access[0].tolist() == [0.5, -1.0, 0.0]  # school 2: nobody -> its own reputation
    assert access[1].tolist() == [0.5, -1.0, 0.0]  # no class-1 entrant: as the class above
    assert access[2].tolist() == [-1.0, -1.0, 0.0]


def test_school_values_scale_distance_with_income_and_add_siblings_and_fees():
    params = FamilyParams(sibling_value_income_share=0.1)
    candidates = np.array([[0, 1, -1], [0, 1, -1]])
    km = np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 0.0]])
    values = school_values(
        candidates,
        np.array([1.0, 2.0]),
        km,
        np.array([100.0, 1000.0]),
        np.array([0.5, 0.5]),
        np.array([-1, 1]),
        params,
        0.05,
        fee_cny=np.array([0.0, 30.0]),
    )
    # family 0: 50 - 5 = 45; 100 - 10 - 30 = 60. family 1: 500 - 50 = 450;
    # 1000 - 100 + 100 (sibling) - 30 = 970
    np.testing.assert_allclose(values[:, :2], [[45.0, 60.0], [450.0, 970.0]])
    assert np.isneginf(values[:, 2]).all()
    # a tenfold income leaves the ranking unchanged when tastes are equal and no fee or
    # sibling is involved
    plain = school_values(
        candidates,
        np.array([1.0, 2.0]),
        km,
        np.array([100.0, 1000.0]),
        np.array([0.5, 0.5]),
        np.array([-1, -1]),
        params,
        0.3,
    )
    assert np.argmax(plain[0, :2]) == np.argmax(plain[1, :2])


def test_top_reputation_candidates_by_hand():
    reputation = np.array([0.5, 2.0, 1.0, 3.0, 0.0])
    district = np.array([0, 0, 0, 1, 1])
    stage = np.array([0, 0, 1, 0, 0])
    table = top_reputation_candidates(reputation, district, stage, 2, 2)
    assert table.shape == (2, 2, 2)
    assert table[0, 0].tolist() == [1, 0]
    assert table[0, 1].tolist() == [2, -1]
    assert table[1, 0].tolist() == [3, 4]
    assert table[1, 1].tolist() == [-1, -1]
    public = np.array([True, False, True, True, True])
    only_public = top_reputation_candidates(reputation, district, stage, 2, 2, eligible=public)
    assert only_public[0, 0].tolist() == [0, -1]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 60),
    st.integers(1, 6),
    st.integers(0, 5),
    st.booleans(),
)
def test_top_reputation_candidates_by_one_sort_equal_the_district_loop(
    seed, n_schools, n_districts, k, with_eligible
):
    """Ties (reputations on a few values, 0.0 and -0.0 among them) rank the lower index
    first in both; schools of no stage 0/1 are left out by both."""
    rng = np.random.default_rng(seed)
    reputation = rng.choice(np.array([0.0, -0.0, 0.5, 1.0, -1.0]), n_schools)
    spread = rng.random(n_schools) < 0.3  # some distinct values among the ties
    reputation[spread] = rng.normal(size=int(spread.sum()))
    district = rng.integers(0, n_districts, n_schools)
    stage = rng.integers(0, 3, n_schools)  # stage 2: neither
    eligible = rng.random(n_schools) < 0.7 if with_eligible else None
    got = top_reputation_candidates(reputation, district, stage, k, n_districts, eligible)
    expected = top_reputation_candidates_reference(
        reputation, district, stage, k, n_districts, eligible
    )
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


def test_a_primary_catchment_gives_the_junior_access_of_its_dwellings_by_weight():
    from edusim.processes.family_choice import junior_access_of_catchments

    # cells 0-2 in primary catchment 0; cells 0-1 in junior catchment 2, cell 2 in junior 3;
    # cell 3 has no primary catchment, cell 4 (primary 1) no junior one
    weight = np.array([1.0, 1.0, 2.0, 5.0, 1.0])
    primary = np.array([0, 0, 0, -1, 1])
    junior = np.array([2, 2, 3, 3, -1])
    access = np.array([[0.0, 0.0, 1.0, -1.0], [0.0, 0.0, 0.5, 0.5]])  # classes x schools
    result = junior_access_of_catchments(weight, primary, junior, access, 4)
    # class 0: (1 + 1 - 2) / 4 = 0; class 1: (0.5 + 0.5 + 1) / 4 = 0.5
    np.testing.assert_allclose(result[:, 0], [0.0, 0.5])
    np.testing.assert_array_equal(result[:, 1:], 0.0)


def test_address_candidates_by_hand():
    home = np.array([3, 0])
    nearest = np.array([[5, 7], [1, -1]])  # family 1's cell lists one neighbour only
    reputed = np.array([[7, 9, 3], [9, 0, 0]])
    got = address_candidates(home, nearest, reputed)
    assert got.shape == (2, 4)  # as wide as the longest set: {3, 5, 7, 9}
    assert sorted(got[0]) == [3, 5, 7, 9]
    assert sorted(got[1][:3]) == [0, 1, 9]
    assert got[1, 3] == -1  # padding last


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(0, 6),
    st.integers(0, 10),
    st.integers(0, 2**32 - 1),
)
def test_address_candidates_hold_home_nearest_and_reputed_once(n, n_nearest, n_reputed, seed):
    rng = np.random.default_rng(seed)
    home = rng.integers(0, 12, n)
    nearest = rng.integers(-1, 12, (n, n_nearest))
    reputed = rng.integers(-1, 12, (n, n_reputed))
    got = address_candidates(home, nearest, reputed)
    for row in range(n):
        listed = got[row][got[row] >= 0]
        assert home[row] in listed  # own catchment always in the set
        expected = {home[row], *nearest[row][nearest[row] >= 0], *reputed[row][reputed[row] >= 0]}
        assert set(listed) == expected  # every nearest and reputed one included
        assert listed.size == np.unique(listed).size  # no duplicates
        assert (got[row][listed.size :] == -1).all()  # padding last
    assert got.shape[1] == max(len(set(r[r >= 0]) | {h}) for r, h in zip(got, home, strict=True))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.integers(1, 6))
def test_compiled_address_values_equal_the_array_definition(seed, n, width):
    """Candidates and both value tables identical (padding included), gains that are not
    positive -inf."""
    rng = np.random.default_rng(seed)
    n_schools, n_classes, n_cells = 9, 4, 5
    considered = rng.integers(-1, n_schools, (n_cells, width))
    args = (
        considered,
        rng.integers(0, n_cells, n),
        rng.integers(0, n_classes, n),
        rng.integers(0, n_classes, n),
        rng.normal(size=(n_classes, n_schools)),
        rng.normal(size=(n_classes, n_schools)),
        rng.uniform(0, 1, n_schools),
        rng.normal(size=n),
        rng.normal(size=n),
        rng.uniform(0, 5, n),
    )
    got, expected = address_values(*args), address_values_reference(*args)
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    for values in got[1:]:
        assert (values[np.isfinite(values)] > 0).all() and not np.isnan(values).any()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.integers(1, 6))
def test_compiled_address_values_with_specialties_equal_the_array_definition(seed, n, width):
    rng = np.random.default_rng(seed)
    n_schools, n_classes, n_cells = 9, 4, 5
    liked = rng.integers(-1, 3, n)
    offered = rng.integers(-1, 3, n_schools)
    args = (
        rng.integers(-1, n_schools, (n_cells, width)),
        rng.integers(0, n_cells, n),
        rng.integers(0, n_classes, n),
        rng.integers(0, n_classes, n),
        rng.normal(size=(n_classes, n_schools)),
        rng.normal(size=(n_classes, n_schools)),
        rng.uniform(0, 1, n_schools),
        rng.normal(size=n),
        rng.normal(size=n),
        rng.uniform(0, 5, n),
        liked,
        offered,
        0.3,
        np.where(rng.uniform(size=n) < 0.3, 0.3, 0.0),
    )
    got, expected = address_values(*args), address_values_reference(*args)
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_a_matching_specialty_adds_its_value_to_both_gains_less_the_present_match():
    # one family (worth 2 yuan per SD) weighing schools 0 and 1 from access 0.1; it cares
    # for kind 1, which school 1 offers; its present address offers it too (current 0.5)
    own = np.array([[0.3, 0.2]])
    args = (np.array([[0, 1]]), np.array([0]), np.array([0]), np.array([0]), own, own,
            np.zeros(2), np.array([0.1]), np.array([0.1]), np.array([2.0]))  # fmt: skip
    _, plain, _ = address_values(*args)
    np.testing.assert_allclose(plain, [[2 * 0.2, 2 * 0.1]])
    _, buy, rent = address_values(*args, np.array([1]), np.array([0, 1]), 0.5, np.array([0.0]))
    np.testing.assert_allclose(buy, [[2 * 0.2, 2 * 0.6]])
    np.testing.assert_allclose(rent, [[2 * 0.2, 2 * 0.6]])
    _, buy, _ = address_values(*args, np.array([1]), np.array([0, 1]), 0.5, np.array([0.5]))
    assert buy[0, 0] == -np.inf  # 0.2 - 0.5 < 0: leaving the matching school is not worth it
    np.testing.assert_allclose(buy[0, 1], 2 * 0.1)


def test_school_values_add_the_specialty_bonus_to_reputation():
    from edusim.scenario.schema import FamilyParams

    candidates = np.array([[0, 1]])
    args = (candidates, np.array([0.5, 0.3]), np.zeros((1, 2)), np.array([100.0]),
            np.array([2.0]), np.array([-1]), FamilyParams(), 0.0)  # fmt: skip
    np.testing.assert_allclose(school_values(*args), [[100.0, 60.0]])
    bonus = np.array([[0.0, 0.4]])
    np.testing.assert_allclose(school_values(*args, specialty_bonus=bonus), [[100.0, 140.0]])
