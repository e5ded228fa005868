"""Each family's best option in the housing market (`processes/housing_rounds.best_options`, the
compiled `_update_best_options`), on hand-built families: the drop-out price is where the
best option stops beating the next best, and staying put (surplus 0) is always an option."""

from __future__ import annotations

import numpy as np

from edusim.processes.housing_rounds import best_options


def _one_family(base_bid, u, price, can_rent=False, value_rent=0.0, rent_rate=0.0):
    width = len(base_bid)
    return best_options(
        np.arange(width, dtype=np.int64)[None, :],  # candidates: catchments 0..width-1
        np.array([base_bid], dtype=float),
        np.array([u], dtype=float),
        np.full((1, width), can_rent),
        np.full((1, width), value_rent, dtype=float),
        np.full((1, width), rent_rate, dtype=float),
        np.zeros(1),  # fixed cost of renting
        np.full(1, 1e9),  # limit
        np.zeros(1, dtype=bool),  # not an owner
        np.zeros(1, dtype=np.int64),
        np.asarray(price, dtype=float),
    )


def test_a_lone_option_is_bid_up_to_its_whole_worth():
    """One catchment worth 100 over the price at u = 1: the family buys there and drops
    out only at 100 (against staying put, worth 0), with a surplus of 100 - price."""
    target, dropout, renting, top = _one_family([100.0], [1.0], [0.0])
    assert target[0] == 0 and renting[0] == -1
    assert dropout[0] == 100.0
    assert top[0] == 100.0


def test_the_drop_out_price_is_where_the_next_best_option_wins():
    """Two catchments worth 100 and 60 at prices 0 and 10 (u = 0.5): surpluses 50 and 25;
    the family bids for the first until its surplus falls to 25, at a price of 50."""
    target, dropout, _, top = _one_family([100.0, 60.0], [0.5, 0.5], [0.0, 10.0])
    assert target[0] == 0
    assert dropout[0] == 100.0 - 25.0 / 0.5
    assert top[0] == 50.0


def test_no_option_worth_its_price_leaves_the_family_where_it_is():
    target, dropout, renting, top = _one_family([10.0], [1.0], [20.0])
    assert target[0] == -1 and renting[0] == -1 and dropout[0] == -np.inf and top[0] == 0.0
