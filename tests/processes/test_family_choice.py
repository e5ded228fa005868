"""Families' decisions at entry: buy or rent into a catchment for a better prospect, or stay;
what an address is worth; how schools are valued."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.family_choice import (
    BUY,
    RENT,
    STAY,
    access_reputation,
    chosen_moves,
    school_values,
    top_reputation_candidates,
)
from edusim.scenario.schema import FamilyParams

PARAMS = FamilyParams(
    affordability_income_multiple=3.0,
    moving_cost_share=0.1,
    rent_premium_share=0.5,
    rent_moving_cost_share=0.01,
)
PREMIUM = np.array([0.0, 100.0, 1000.0])
FLAT = 100.0  # moving costs: 10 when buying, 1 when renting


def _moves(income, taste, buy_access, rent_access, home=0, current=0.0, candidates=(1, 2)):
    n = len(income)
    return chosen_moves(
        np.full(n, home),
        np.full(n, current),
        np.tile(candidates, (n, 1)),
        np.tile(buy_access, (n, 1)).astype(float),
        np.tile(rent_access, (n, 1)).astype(float),
        PREMIUM,
        np.array(income, dtype=float),
        np.array(taste, dtype=float),
        np.full(n, FLAT),
        PARAMS,
    )


def test_chosen_moves_by_hand():
    # school 1: buying gives access 1, renting 0.5; school 2: buying 10, renting 2
    # family 0 (value 500): buy 1: 500 - 100 - 10 = 390; rent 1: 250 - 50 - 1 = 199;
    #   buy 2: 5000 - 1000 - 10 = 3990; rent 2: 1000 - 500 - 1 = 499 -> buys into 2
    # family 1 (no taste): every option loses -> stays
    # family 2 (income 100, value 1000): buying 2 costs a premium of 1000 > 3 x 100; renting 2
    #   costs 500 > 300 too; buy 1: 1000 - 110 = 890; rent 1: 500 - 51 = 449 -> buys into 1
    target, tenure = _moves([1000, 1000, 100], [0.5, 0.0, 10.0], [1, 10], [0.5, 2])
    assert target.tolist() == [2, STAY, 1]
    assert tenure[[0, 2]].tolist() == [BUY, BUY]


def test_renting_is_the_cheaper_route_for_families_who_cannot_afford_to_buy():
    # income 200 (limit 600): buying 2 (premium 1000) is out, renting it (500 + 1) is not
    target, tenure = _moves([200], [10.0], [0.0, 10.0], [0.0, 5.0])
    assert target.tolist() == [2] and tenure.tolist() == [RENT]


def test_a_move_that_does_not_improve_the_prospect_is_never_taken():
    # a dear home catchment (premium 1000) and a cheap one with a worse prospect: selling
    # up would pay, but families move for schools only
    target, _ = _moves(
        [1e6], [0.001], [-1.0, 0.0], [-1.0, 0.0], home=2, current=0.5, candidates=(0, 1)
    )
    assert target.tolist() == [STAY]


def test_the_home_school_is_never_a_move():
    target, _ = _moves([1e9], [1e9], [5.0, 5.0], [5.0, 5.0], home=2, candidates=(2, -1))
    assert target.tolist() == [STAY]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(1e2, 1e6), st.floats(0, 2)), min_size=1, max_size=30),
    st.lists(st.floats(-2, 12), min_size=4, max_size=4),
)
def test_moves_are_affordable_and_worth_it(families, access):
    income = np.array([i for i, _ in families])
    taste = np.array([t for _, t in families])
    buy_access, rent_access = np.array(access[:2]), np.array(access[2:])
    target, tenure = _moves(income, taste, buy_access, rent_access)
    for family, (school, how) in enumerate(zip(target, tenure, strict=True)):
        if school == STAY:
            continue
        k = school - 1
        extra = PREMIUM[school] - PREMIUM[0]
        if how == BUY:
            cost, gain, limit_cost = extra + 0.1 * FLAT, buy_access[k], extra
        else:
            cost = limit_cost = 0.5 * extra + 0.01 * FLAT
            gain = rent_access[k]
        assert limit_cost <= PARAMS.affordability_income_multiple * income[family]
        assert gain > 0
        assert taste[family] * income[family] * gain - cost > 0


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
