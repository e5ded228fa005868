"""The market for school access: clearing prices, bids from the cost of holding a premium,
who buys and rents where, and premiums in a run."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.housing import (
    BUY,
    RENT,
    STAY,
    Bidders,
    add_resale_gain,
    add_resale_gain_reference,
    clear_market,
    expected_resale_gain,
    holding_cost_per_yuan,
    offered_flats,
    premium_cny,
    resale_recovery,
    seller_reservation,
    supply_unit,
    used_flat_premium,
)
from edusim.processes.housing_rounds import clearing_prices, school_buyers_supply
from edusim.processes.housing_supply import catchment_stock, cell_dwellings
from edusim.scenario.housing import HousingParams

PARAMS = HousingParams()


def test_premium_in_yuan():
    share = np.array([0.0, 0.1, 0.5])
    price = np.array([50_000.0, 50_000.0, 10_000.0])
    np.testing.assert_allclose(premium_cny(share, price, PARAMS), [0.0, 450_000.0, 450_000.0])


def test_clearing_price_is_the_highest_losing_bid():
    # school 0: two flats, bids 9, 7, 5, 3 -> the third bid (5) clears
    # school 1: three flats, two bidders -> other buyers' reservation price (1)
    # school 2: no flat on offer, one bidder of 4 -> 4
    target = np.array([0, 0, 0, 0, 1, 1, 2, -1])
    bid = np.array([5.0, 9.0, 3.0, 7.0, 8.0, 6.0, 4.0, 100.0])
    price = clearing_prices(target, bid, np.array([2, 3, 0]), np.array([0.0, 1.0, 0.0]))
    np.testing.assert_allclose(price, [5.0, 1.0, 4.0])


def test_more_bidders_raise_the_price():
    target = np.zeros(3, dtype=np.int64)
    bid = np.array([10.0, 8.0, 6.0])
    offered, reservation = np.array([2]), np.array([0.0])
    few = clearing_prices(target, bid, offered, reservation)
    more = clearing_prices(np.zeros(4, dtype=np.int64), np.r_[bid, 9.0], offered, reservation)
    assert few[0] == 6.0 and more[0] == 8.0


def test_no_bidder_above_the_reservation_means_no_premium_above_it():
    target = np.zeros(5, dtype=np.int64)
    bid = np.array([1.0, 2.0, 3.0, 0.5, 2.5])
    price = clearing_prices(target, bid, np.array([1]), np.array([4.0]))
    assert price[0] == 4.0


def test_with_sloped_supply_a_single_bidder_lifts_the_price_but_not_to_its_bid():
    # ten flats on offer; other buyers free one to school buyers per 2 yuan of premium
    target, offered, unit = np.array([0]), np.array([10]), np.array([2.0])
    price = clearing_prices(target, np.array([100.0]), offered, np.zeros(1), unit)
    assert 0.0 < price[0] < 100.0 and price[0] == 2.0
    # a bidder worth less than the first flat's supply price sets the price at its bid
    low = clearing_prices(target, np.array([1.5]), offered, np.zeros(1), unit)
    assert low[0] == 1.5


def test_with_sloped_supply_more_bidders_raise_the_price():
    offered, unit, reservation = np.array([10]), np.array([2.0]), np.zeros(1)
    prices = [
        clearing_prices(np.zeros(n, dtype=np.int64), np.full(n, 100.0), offered, reservation, unit)[
            0
        ]
        for n in range(1, 13)
    ]
    # k bidders obtain k flats at k x 2; beyond the ten flats the 11th bid (100) clears
    assert prices == [2.0 * k for k in range(1, 11)] + [100.0, 100.0]
    # the uniform price: max over k of min(k-th bid, k x unit)
    price = clearing_prices(
        np.zeros(4, dtype=np.int64), np.array([9.0, 3.0, 7.0, 5.0]), offered, reservation, unit
    )
    assert price[0] == 5.0  # min(9, 2), min(7, 4), min(5, 6), min(3, 8) -> 5


def test_perfectly_elastic_other_buyers_recover_the_highest_losing_bid():
    target = np.array([0, 0, 0, 0, 1, 1, 2, -1])
    bid = np.array([5.0, 9.0, 3.0, 7.0, 8.0, 6.0, 4.0, 100.0])
    offered, reservation = np.array([2, 3, 0]), np.array([0.0, 1.0, 0.0])
    old = clearing_prices(target, bid, offered, reservation)
    assert clearing_prices(target, bid, offered, reservation, np.zeros(3)).tolist() == old.tolist()
    # as the elasticity grows the supply price of every flat on offer vanishes
    params = HousingParams(other_buyers_elasticity=1000.0)
    unit = supply_unit(np.full(3, 1.0), offered, params)
    np.testing.assert_allclose(clearing_prices(target, bid, offered, reservation, unit), old)
    assert supply_unit(np.array([90.0]), np.array([0]), params)[0] == 0.0  # nothing to free


def test_flats_school_buyers_obtain_by_hand():
    # flat price 100, elasticity 5, 4 flats on offer: one flat per 5 yuan of premium
    unit = supply_unit(np.array([100.0, 100.0]), np.array([4, 0]), HousingParams())
    assert unit.tolist() == [5.0, 0.0]
    price = np.array([0.0, 4.99, 5.0, 15.0, 100.0])
    supply = school_buyers_supply(price, np.full(5, 4), np.full(5, unit[0]))
    assert supply.tolist() == [0, 0, 1, 3, 4]
    assert school_buyers_supply(np.array([0.0]), np.array([4]), np.zeros(1)).tolist() == [4]


def test_a_used_flat_is_worth_less_under_the_dwelling_rule():
    assert used_flat_premium(100.0, 3.0, 6) == 50.0
    assert used_flat_premium(100.0, 0.0, 6) == 100.0
    assert used_flat_premium(100.0, 3.0, 0) == 100.0
    # holding a junior flat (3 years) under a six-year rule costs more than without it
    assert holding_cost_per_yuan(PARAMS, 3, 6) > holding_cost_per_yuan(PARAMS, 3, 0)
    # a primary buyer holds it through the whole window
    assert holding_cost_per_yuan(PARAMS, 6, 6) == holding_cost_per_yuan(PARAMS, 6, 0)


def test_holding_cost_by_hand():
    params = HousingParams(
        mortgage_rate=0.05, premium_transaction_share=0.04, rule_change_hazard=0.02
    )
    # 6 years: 0.30 financing + 0.04 transactions + 0.12 expected loss of the rule
    assert np.isclose(holding_cost_per_yuan(params, 6, 0), 0.46)
    # 3 years under a 6-year rule: half the premium lost at resale, the rule risk on the rest
    assert np.isclose(holding_cost_per_yuan(params, 3, 6), 0.15 + 0.04 + 0.5 + 0.06 * 0.5)


def test_resale_recovery_by_hand():
    params = HousingParams(rule_change_hazard=0.02)
    # 6 years, no dwelling rule: 12% chance the rule goes first
    assert np.isclose(resale_recovery(params, 6, 0), 0.88)
    # 3 years under a 6-year rule: half the premium kept, 6% chance of a rule change
    assert np.isclose(resale_recovery(params, 3, 6), 0.5 * 0.94)


def test_buyers_expect_part_of_last_years_change_again_at_resale():
    params = HousingParams(premium_extrapolation=0.5)
    change = np.array([0.0, 100.0, -40.0])
    np.testing.assert_allclose(expected_resale_gain(change, 0.8, params), [0.0, 40.0, -16.0])
    assert not expected_resale_gain(change, 0.8, HousingParams(premium_extrapolation=0.0)).any()
    # family 0 rents (home 0); family 1 owns its flat in catchment 1 and forgoes its gain
    # (40) if it sells; a value of -inf (never worth a move) stays so
    value = add_resale_gain(
        np.array([[1, 2], [2, -1]]),
        np.array([[10.0, -np.inf], [10.0, -np.inf]]),
        np.array([0, 1]),
        np.array([False, True]),
        np.array([0.0, 40.0, -16.0]),
    )
    np.testing.assert_allclose(value, [[50.0, -np.inf], [10.0 - 16.0 - 40.0, -np.inf]])


def test_the_compiled_resale_gain_matches_its_reference():
    rng = np.random.default_rng(5)
    candidates = rng.integers(-1, 20, (200, 6))
    value = rng.normal(size=(200, 6))
    value[value < -0.5] = -np.inf
    home, owner = rng.integers(-1, 20, 200), rng.random(200) < 0.6
    gain = rng.normal(size=20)
    args = (candidates, value, home, owner, gain)
    np.testing.assert_allclose(add_resale_gain(*args), add_resale_gain_reference(*args))


def test_the_resale_gain_written_in_place_is_the_same_and_a_copy_leaves_the_input():
    """`overwrite=True` writes the sums into the caller's table (no second table at the
    market's largest moment); without it the input is left as it was."""
    rng = np.random.default_rng(6)
    candidates = rng.integers(-1, 9, (50, 4))
    value = rng.normal(size=(50, 4))
    value[value < -1.0] = -np.inf
    home, owner, gain = rng.integers(-1, 9, 50), rng.random(50) < 0.5, rng.normal(size=9)
    before = value.copy()
    copied = add_resale_gain(candidates, value, home, owner, gain)
    assert value.tobytes() == before.tobytes() and copied is not value
    written = add_resale_gain(candidates, value, home, owner, gain, overwrite=True)
    assert written is value
    assert written.tobytes() == copied.tobytes()
    assert not np.array_equal(value, before)  # some finite option gained or lost


def test_a_rise_last_year_lifts_this_years_bids_and_price():
    """Momentum: the same bidders pay more where the premium rose last year (their bids
    carry the expected resale gain: (value + gain - fixed) / u)."""
    value = [[-np.inf, 110], [-np.inf, 70], [50, -np.inf]]
    flat = _market(value, np.full((3, 2), -np.inf))
    gain = expected_resale_gain(np.array([0.0, 0.0, 20.0]), 1.0, HousingParams())
    lifted = add_resale_gain(
        np.tile([1, 2], (3, 1)), np.array(value, float), np.zeros(3, int), np.zeros(3, bool), gain
    )
    rose = _market(lifted, np.full((3, 2), -np.inf))
    # school 2 clears one yuan above the losing bid: (70 - 10) / 0.5 = 120, then
    # (70 + 10 - 10) / 0.5 = 140
    np.testing.assert_allclose(flat.premium_cny, [0.0, 0.0, 121.0])
    np.testing.assert_allclose(rose.premium_cny, [0.0, 0.0, 141.0])


def test_dwelling_stock_follows_residential_weight():
    weight = np.array([1.0, 3.0, 2.0, 2.0])
    school = np.array([0, 1, 1, -1])
    district = np.array([0, 0, 1, 1])
    params = HousingParams(dwellings_per_pupil=2.0)
    stock = catchment_stock(
        cell_dwellings(weight, district, np.array([100.0, 50.0]), params), school, 2
    )
    # district 0: 200 dwellings, 1/4 and 3/4; district 1: 100, half in school 1's cell
    np.testing.assert_allclose(stock, [50.0, 150.0 + 50.0])
    sale, rent = offered_flats(
        stock,
        np.array([0.0, 0.5]),
        HousingParams(sale_turnover=0.1, rent_turnover=0.5, owner_occupied_share=0.8),
    )
    assert sale.tolist() == [2, 3] and rent.tolist() == [5, 20]


def _market(value_buy, value_rent, owner=None, home=None, offered=(1, 1, 1), limit=1e9, unit=None):
    n = len(value_buy)
    return clear_market(
        Bidders(
            candidates=np.tile([1, 2], (n, 1)),
            value_buy=np.array(value_buy, dtype=float),
            value_rent=np.array(value_rent, dtype=float),
            fixed_buy=np.full(n, 10.0),
            fixed_rent=np.full(n, 1.0),
            home=np.zeros(n, dtype=np.int64) if home is None else np.array(home),
            owner=np.zeros(n, dtype=bool) if owner is None else np.array(owner),
            limit=np.full(n, limit),
        ),
        np.full(3, 0.5),
        np.full(3, 0.1),
        np.array(offered),
        np.full(3, 5),
        np.zeros(3),
        np.full(3, 1000.0),  # price steps of 1
        None if unit is None else np.broadcast_to(np.asarray(unit, dtype=float), (3,)),
    )


def test_market_by_hand():
    # one flat each in schools 1 and 2; buyers pay 0.5 per yuan of premium and 10 to move.
    # Families 0 and 1 want only school 2: bids (110 - 10) / 0.5 = 200 and (70 - 10) / 0.5
    # = 120; with nothing else to do their drop-out prices are their bids, so school 2
    # clears one yuan above the losing 120. Family 2 alone wants school 1: no premium.
    result = _market([[-np.inf, 110], [-np.inf, 70], [50, -np.inf]], np.full((3, 2), -np.inf))
    np.testing.assert_allclose(result.premium_cny, [0.0, 0.0, 121.0])
    assert result.target.tolist() == [2, STAY, 1]
    assert result.tenure[[0, 2]].tolist() == [BUY, BUY]


def test_a_bidder_with_a_good_alternative_drops_out_first():
    # both want school 2 most (bids 200 and 190), family 1 also values school 1 (bid 180,
    # no competition there): at a premium above 10 for school 2 family 1 prefers school 1,
    # so school 2 clears at 11 and family 1 buys in school 1 at no premium
    result = _market([[-np.inf, 110], [100, 105]], np.full((2, 2), -np.inf))
    assert result.target.tolist() == [2, 1]
    np.testing.assert_allclose(result.premium_cny, [0.0, 0.0, 11.0])


def test_a_lone_buyer_pays_what_frees_a_flat_from_other_buyers():
    # family 0 alone wants school 2 (bid 200), where each flat on offer is freed for 30:
    # it buys at 30, and a second buyer of equal value raises the price to 60
    result = _market([[-np.inf, 110]], np.full((1, 2), -np.inf), offered=(0, 0, 5), unit=30)
    assert result.target.tolist() == [2] and result.tenure.tolist() == [BUY]
    np.testing.assert_allclose(result.premium_cny, [0.0, 0.0, 30.0])
    two = _market([[-np.inf, 110]] * 2, np.full((2, 2), -np.inf), offered=(0, 0, 5), unit=30)
    assert two.target.tolist() == [2, 2]
    np.testing.assert_allclose(two.premium_cny, [0.0, 0.0, 60.0])
    # with perfectly elastic other buyers the lone buyer pays nothing (the old rule)
    free = _market([[-np.inf, 110]], np.full((1, 2), -np.inf), offered=(0, 0, 5), unit=0)
    np.testing.assert_allclose(free.premium_cny, [0.0, 0.0, 0.0])


def test_renting_is_the_cheaper_weaker_route():
    # no flat for sale in school 2: its premium rises to the family's bid (201), and the
    # family rents there instead (value 30 - rent 0.1 x 201 - 1 > 0)
    result = _market([[-np.inf, 110]], [[-np.inf, 30.0]], offered=(0, 0, 0))
    assert result.target.tolist() == [2] and result.tenure.tolist() == [RENT]


def test_owners_carry_their_home_premium_into_their_bid():
    # two families bid for one flat in school 2 with equal values; the owner of a flat in
    # school 1 (which a third family bids up to 60) sells it at that premium, so outbids
    result = clear_market(
        Bidders(
            candidates=np.array([[2, -1], [2, -1], [1, -1]]),
            value_buy=np.array([[60.0, -np.inf], [60.0, -np.inf], [40.0, -np.inf]]),
            value_rent=np.full((3, 2), -np.inf),
            fixed_buy=np.zeros(3),
            fixed_rent=np.zeros(3),
            home=np.array([1, 0, 0]),
            owner=np.array([True, False, False]),
            limit=np.full(3, 1e9),
        ),
        np.full(3, 1.0),
        np.zeros(3),
        np.array([0, 0, 1]),
        np.zeros(3, dtype=np.int64),
        np.zeros(3),
        np.full(3, 1000.0),
    )
    # school 1 clears above the third family's 40; the owner's bid is 60 + 41
    assert result.target[0] == 2 and result.target[1] == STAY
    np.testing.assert_allclose(result.premium_cny, [0.0, 41.0, 61.0])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-50, 500), st.floats(-50, 500), st.floats(-50, 100), st.booleans()),
        min_size=1,
        max_size=40,
    ),
    st.tuples(st.integers(0, 5), st.integers(0, 5)),
    st.floats(10, 1000),
    st.sampled_from([0.0, 0.5, 5.0, 40.0]),
)
def test_market_properties(rows, offered, limit, unit):
    value_buy = np.array([[a, b] for a, b, _, _ in rows])
    value_rent = np.array([[r, r / 2] for _, _, r, _ in rows])
    owner = [o for *_, o in rows]
    result = _market(
        np.where(value_buy > 0, value_buy, -np.inf),
        np.where(value_rent > 0, value_rent, -np.inf),
        owner=owner,
        offered=(0, *offered),
        limit=limit,
        unit=np.full(3, unit),
    )
    price = result.premium_cny
    assert np.isfinite(price).all() and (price >= 0).all()
    buyers = (result.target >= 0) & (result.tenure == BUY)
    counts = np.bincount(result.target[buyers], minlength=3)
    assert (counts <= np.array([0, *offered])).all()  # no more buyers than flats
    # nor more than other buyers leave them at the premium
    obtainable = school_buyers_supply(price, np.array([0, *offered]), np.full(3, unit))
    assert (counts <= obtainable).all()
    assert result.target.size == len(rows)  # every family stays, buys or rents
    # every buyer's bid covers the price it pays
    rows_ = np.flatnonzero(buyers)
    k = result.target[rows_] - 1
    bid = (value_buy[rows_, k] - 10.0) / 0.5
    assert (np.minimum(bid, limit) >= price[result.target[rows_]] - 1e-9).all()


def test_sellers_hold_out_for_most_of_last_years_premium():
    params = HousingParams(adjust_speed=0.25)
    np.testing.assert_allclose(seller_reservation(np.array([100.0, 0.0]), params), [75.0, 0.0])


def test_premiums_finite_and_non_negative_in_a_run(demo_run):
    schools = demo_run.tables()["schools"]
    assert np.isfinite(schools["premium_cny"]).all()
    assert (schools["premium_share"] >= 0).all()
    assert (schools["premium_share"] <= demo_run.params.housing.max_premium_share).all()
    assert (schools["premium_cny"] >= 0).all()


def test_a_tenant_pays_its_share_of_the_financing_cost_of_the_premium_for_its_years():
    """`tenant_cost_per_yuan`: rent_premium_share x mortgage_rate x years rented (the
    housing market's rent per yuan of premium, and what satisfaction counts as paid)."""
    from edusim.processes.housing import tenant_cost_per_yuan

    params = HousingParams(mortgage_rate=0.05)
    np.testing.assert_allclose(tenant_cost_per_yuan(0.6, params, 6), 0.18)
    np.testing.assert_allclose(tenant_cost_per_yuan(0.6, params, 3), 0.09)
    assert tenant_cost_per_yuan(0.0, params, 6) == 0.0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-5e5, 5e6, allow_nan=False), min_size=1, max_size=8),
    st.integers(0, 50),
    st.sampled_from([0.0, 1.0, 2_500.0, 40_000.0]),
)
def test_school_buyers_supply_is_the_rounds_kernels_supply(prices, offered, unit):
    """The whole-array supply (the reference the rounds were compiled from) and the
    kernel's `_supply` free the same flats at any price, a price below zero freeing none
    (written against a seed-43 mutation survivor: no lower clip at 0)."""
    from edusim.processes.housing_rounds import SUPPLY_ROUNDING, _supply

    price = np.array(prices)
    n = price.size
    supply = school_buyers_supply(price, np.full(n, offered), np.full(n, unit))
    kernel = [_supply(p, offered, unit, SUPPLY_ROUNDING) for p in price]
    assert supply.tolist() == kernel
    assert (supply >= 0).all() and (supply <= offered).all()
