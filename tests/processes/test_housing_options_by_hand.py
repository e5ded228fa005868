"""Each family's best option in the housing market (`processes/housing_rounds.best_options`, the
compiled `_update_best_options`), on hand-built families: the drop-out price is where the
best option stops beating the next best, and staying put (surplus 0) is always an option."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.processes.housing_rounds import (
    EXCESS_TOLERANCE,
    Entries,
    ascend_prices,
    ascend_prices_reference,
    best_options,
)


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


def _single_option_entries(wanted: list[int]) -> Entries:
    """Families that are not owners, each with one option: catchment `wanted[i]` (of 3),
    worth 100 over its price at a holding cost of 1 a yuan, no renting."""
    n = len(wanted)
    return Entries(
        active=np.arange(n, dtype=np.int64),
        candidates=np.array(wanted, dtype=np.int32)[:, None],
        base_bid=np.full((n, 1), 100.0),
        u=np.ones(3),
        can_rent=np.zeros((n, 1), dtype=bool),
        value_rent=np.full((n, 1), -np.inf),
        rent_rate=np.zeros(3),
        fixed_rent=np.zeros(n),
        limit=np.full(n, 1e9),
        owner=np.zeros(n, dtype=bool),
        home=np.full(n, 2, dtype=np.int64),
    )


@pytest.mark.parametrize("rounds_of", [ascend_prices, ascend_prices_reference])
@pytest.mark.parametrize("extra_buyers, stops", [(2, True), (3, False)])
def test_the_rounds_stop_when_the_excess_is_within_the_tolerance_of_all_flats_sold(
    rounds_of, extra_buyers, stops
):
    """The stopping rule sums over catchments: catchment 0 sells its 200 flats to its 200
    buyers and catchment 1 has `extra_buyers` for its one flat (catchment 2 is empty; flats
    offered at any price, unit 0). Two buyers for one flat: an excess of 1 against
    0.005 x 201 flats sold = 1.005, so the first round ends the clearing at the reservation
    prices. Three buyers: an excess of 2 > 1.005, so catchment 1's price rises."""
    entries = _single_option_entries([0] * 200 + [1] * extra_buyers)
    assert EXCESS_TOLERANCE == 0.005  # the hand figures above use it
    price, target, _, _, _, rounds = rounds_of(
        entries,
        np.zeros(3),  # reservation prices
        np.array([200, 1, 0]),  # flats offered
        np.zeros(3),  # unit 0: every flat offered is on sale at any price
        np.full(3, 1000.0),
    )
    assert price[0] == 0.0 and price[2] == 0.0
    if stops:
        assert rounds == 1 and price[1] == 0.0
        assert (target >= 0).all()
    else:
        # the uniform price: the second-highest bid, drop-out 100 + step max(0.001 x 1000, 0)
        assert rounds > 1 and price[1] == 101.0
