"""Families' housing decision at school entry: move for the best affordable gain, or stay."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.family_choice import STAY, chosen_moves, top_reputation_candidates
from edusim.scenario.schema import FamilyParams

PARAMS = FamilyParams(affordability_income_multiple=3.0)
REPUTATION = np.array([0.0, 1.0, 10.0])
CHANCE = np.array([1.0, 1.0, 0.5])
PREMIUM = np.array([0.0, 100.0, 1000.0])


def _moves(income, taste, candidates=None, moving_cost=10.0, home=0):
    n = len(income)
    if candidates is None:
        candidates = np.tile([0, 1, 2, -1], (n, 1))
    return chosen_moves(
        np.full(n, home),
        candidates,
        REPUTATION,
        CHANCE,
        PREMIUM,
        np.array(income, dtype=float),
        np.array(taste, dtype=float),
        np.full(n, moving_cost),
        PARAMS,
    )


def test_chosen_moves_by_hand():
    # utility of school c: taste x income x chance_c x (rep_c - rep_home) - premium gap - cost
    # family 0: school 1: 0.5*1000*1*1 - 100 - 10 = 390; school 2: 0.5*1000*0.5*10 - 1000 - 10 = 1490
    # family 1: no taste for quality -> every move loses -> stays
    # family 2: school 2 is best (10*100*0.5*10 - 1010 = 3990) but its premium gap 1000 exceeds
    #           3 x income = 300, so it takes school 1 (10*100*1 - 110 = 890)
    moves = _moves([1000, 1000, 100], [0.5, 0.0, 10.0])
    assert moves.tolist() == [2, STAY, 1]
    # a family with little taste whose only candidate is school 1: 0.01*1000*1 - 110 < 0
    only_one = _moves([1000], [0.01], candidates=np.array([[1, -1, -1, -1]]))
    assert only_one.tolist() == [STAY]


def test_the_home_school_is_never_a_move():
    moves = _moves([1e9], [1e9], candidates=np.array([[2, -1]]), home=2)
    assert moves.tolist() == [STAY]


def test_a_higher_moving_cost_only_deters():
    cheap = _moves([1000, 1000, 100], [0.5, 0.3, 10.0], moving_cost=0.0)
    dear = _moves([1000, 1000, 100], [0.5, 0.3, 10.0], moving_cost=1e6)
    assert (cheap != STAY).sum() >= (dear != STAY).sum()
    assert (dear == STAY).all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(1e3, 1e6), st.floats(0, 2)), min_size=1, max_size=30),
    st.floats(0, 1e5),
)
def test_moves_are_affordable_and_worth_it(families, moving_cost):
    income = np.array([i for i, _ in families])
    taste = np.array([t for _, t in families])
    moves = _moves(income, taste, moving_cost=moving_cost)
    for family, target in enumerate(moves):
        if target == STAY:
            continue
        extra = PREMIUM[target] - PREMIUM[0]
        assert extra <= PARAMS.affordability_income_multiple * income[family]
        gain = taste[family] * income[family] * CHANCE[target] * REPUTATION[target]
        assert gain - extra - moving_cost > 0


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
