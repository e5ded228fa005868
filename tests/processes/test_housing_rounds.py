"""The housing market's compiled passes (processes/housing_rounds.py) give the numbers of
their numpy definitions: who enters with which options, and the ascending rounds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.housing import (
    AddressBids,
    Bidders,
    address_entries,
    address_entries_reference,
)
from edusim.processes.housing_rounds import (
    _update_best_options,
    ascend_prices,
    ascend_prices_reference,
    best_options,
    market_entries,
    market_entries_reference,
)

N_CATCHMENTS = 7


def _bidders(rng: np.random.Generator, n: int, width: int) -> Bidders:
    """Random bidders: some options below their fixed cost, some -inf, some padding."""
    value_buy = rng.normal(40, 30, (n, width))
    value_rent = rng.normal(5, 5, (n, width))
    value_buy[rng.random((n, width)) < 0.2] = -np.inf
    value_rent[rng.random((n, width)) < 0.4] = -np.inf
    return Bidders(
        candidates=rng.integers(-1, N_CATCHMENTS, (n, width)),
        value_buy=value_buy,
        value_rent=value_rent,
        fixed_buy=rng.uniform(0, 30, n),
        fixed_rent=rng.uniform(0, 4, n),
        home=rng.integers(0, N_CATCHMENTS, n),
        owner=rng.random(n) < 0.5,
        limit=rng.uniform(20, 400, n),
    )


def _same(got, expected) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.integers(1, 8))
def test_compiled_market_entries_equal_the_array_definition(seed, n, width):
    rng = np.random.default_rng(seed)
    bidders = _bidders(rng, n, width)
    cost = rng.uniform(0, 1, N_CATCHMENTS)
    cost[0] = 0.0  # below the floor on the holding cost
    rent_cost = rng.uniform(0, 0.3, N_CATCHMENTS)
    got = market_entries(bidders, cost, rent_cost)
    expected = market_entries_reference(bidders, cost, rent_cost)
    for name in got.__dataclass_fields__:
        _same(getattr(got, name), getattr(expected, name))
    # every option worth its fixed cost kept once, in its order, then padding
    for at, row in enumerate(got.active):
        c = bidders.candidates[row]
        wanted = (
            (c >= 0)
            & (c != bidders.home[row])
            & (
                (bidders.value_buy[row] > bidders.fixed_buy[row])
                | (bidders.value_rent[row] > bidders.fixed_rent[row])
            )
        )
        count = int(wanted.sum())
        assert count > 0
        assert got.candidates[at][:count].tolist() == c[wanted].tolist()
        assert (got.candidates[at][count:] == -1).all()
    assert n - got.active.size == sum(1 for row in range(n) if row not in set(got.active.tolist()))


def _address_bids(
    rng: np.random.Generator, n: int, width: int, resale: bool, specialties: bool
) -> AddressBids:
    """Random bidders by what they weigh: a few cells' considered catchments (-1 padded,
    some the family's home), two ladder classes, values of both signs."""
    n_cells, n_classes = 4, 3
    considered = rng.integers(-1, N_CATCHMENTS, (n_cells, width))
    offered = rng.integers(-1, 3, N_CATCHMENTS) if specialties else None
    return AddressBids(
        considered=considered,
        row_of=rng.integers(0, n_cells, n),
        as_owner=rng.integers(0, n_classes, n),
        as_renter=rng.integers(0, n_classes, n),
        own_access=rng.normal(0, 1, (n_classes, N_CATCHMENTS)),
        access=rng.normal(0, 1, (n_classes, N_CATCHMENTS)),
        used=rng.uniform(0, 1, N_CATCHMENTS),
        current_own=rng.normal(-0.5, 1, n),
        current=rng.normal(-0.5, 1, n),
        worth=rng.uniform(0, 100, n),
        resale_gain=rng.normal(0, 20, N_CATCHMENTS) if resale else None,
        fixed_buy=rng.uniform(0, 30, n),
        fixed_rent=rng.uniform(0, 4, n),
        home=rng.integers(-1, N_CATCHMENTS, n),
        owner=rng.random(n) < 0.5,
        limit=rng.uniform(20, 400, n),
        liked=rng.integers(-1, 3, n) if specialties else None,
        offered=offered,
        match_value=0.4 if specialties else 0.0,
        current_match=rng.uniform(0, 0.4, n) if specialties else None,
    )


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 40),
    st.integers(1, 8),
    st.booleans(),
    st.booleans(),
    st.integers(1, 50),
)
def test_entries_built_a_chunk_at_a_time_equal_those_of_the_whole_tables(
    seed, n, width, resale, specialties, chunk_rows
):
    """`address_entries` builds the option tables `chunk_rows` bidders at a time; the
    entries are those of the whole tables (`market_entries` of `AddressBids.tables()`)
    and of the whole-array references, byte for byte, whatever the chunk."""
    rng = np.random.default_rng(seed)
    bids = _address_bids(rng, n, width, resale, specialties)
    cost = rng.uniform(0, 1, N_CATCHMENTS)
    cost[0] = 0.0
    rent_cost = rng.uniform(0, 0.3, N_CATCHMENTS)
    got = address_entries(bids, cost, rent_cost, chunk_rows=chunk_rows)
    whole = market_entries(bids.tables(), cost, rent_cost)
    reference = address_entries_reference(bids, cost, rent_cost)
    for name in got.__dataclass_fields__:
        _same(getattr(got, name), getattr(whole, name))
        _same(getattr(got, name), getattr(reference, name))


def test_a_chunk_of_bidders_is_its_rows_of_the_whole_tables():
    """`AddressBids.tables(rows=...)`: the rows of the whole tables, and of every column
    of the bidders."""
    bids = _address_bids(np.random.default_rng(5), 30, 6, True, True)
    whole, part = bids.tables(), bids.tables(rows=slice(7, 19))
    for name in whole.__dataclass_fields__:
        _same(getattr(part, name), getattr(whole, name)[7:19])


def test_the_resale_gain_moves_an_option_across_its_fixed_cost():
    """One family, one option worth 10 yuan to buy against a fixed cost of 12: it enters
    only when the expected resale gain of the catchment (3, less nothing for a tenant)
    lifts the option over its fixed cost; an owner forgoes its own catchment's gain."""

    def bids(resale, owner):
        return AddressBids(
            considered=np.array([[1]]), row_of=np.array([0]), as_owner=np.array([0]),
            as_renter=np.array([0]), own_access=np.array([[0.0, 1.0]]),
            access=np.array([[0.0, 0.0]]), used=np.zeros(2), current_own=np.array([0.0]),
            current=np.array([0.0]), worth=np.array([10.0]), resale_gain=resale,
            fixed_buy=np.array([12.0]), fixed_rent=np.array([1.0]), home=np.array([0]),
            owner=np.array([owner]), limit=np.array([1e6]),
        )  # fmt: skip

    cost, rent_cost = np.ones(2), np.ones(2)
    assert address_entries(bids(None, False), cost, rent_cost).active.size == 0
    entered = address_entries(bids(np.array([0.0, 3.0]), False), cost, rent_cost)
    assert entered.active.tolist() == [0] and entered.base_bid[0, 0] == 1.0
    forgone = address_entries(bids(np.array([2.0, 3.0]), True), cost, rent_cost)
    assert forgone.active.size == 0  # 10 + 3 - 2 = 11 < 12


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 60),
    st.integers(1, 6),
    st.sampled_from([0.0, 3.0, 25.0]),
)
def test_compiled_rounds_equal_the_numpy_loop(seed, n, width, unit_size):
    """Prices, targets, drop-out prices, rent choices, surpluses and rounds identical, with
    and without the upward-sloping supply, with few or many flats on offer."""
    rng = np.random.default_rng(seed)
    entries = market_entries(
        _bidders(rng, n, width),
        rng.uniform(0.2, 1, N_CATCHMENTS),
        rng.uniform(0, 0.3, N_CATCHMENTS),
    )
    reservation = np.where(rng.random(N_CATCHMENTS) < 0.5, rng.uniform(0, 50, N_CATCHMENTS), 0)
    offered = rng.integers(0, 6, N_CATCHMENTS)
    unit = np.where(rng.random(N_CATCHMENTS) < 0.7, unit_size, 0.0)
    flat = rng.uniform(500, 5000, N_CATCHMENTS)
    got = ascend_prices(entries, reservation, offered, unit, flat)
    expected = ascend_prices_reference(entries, reservation, offered, unit, flat)
    for a, b in zip(got[:-1], expected[:-1], strict=True):
        _same(a, b)
    assert got[-1] == expected[-1]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(1, 5))
def test_updating_only_families_whose_prices_changed_equals_pricing_everyone(seed, n, width):
    """The clearing's rounds re-price only families with a changed candidate (or home, for
    owners); over a sequence of price changes that gives what pricing everyone gives."""
    rng = np.random.default_rng(seed)
    n_catchments = 6
    candidates = rng.integers(-1, n_catchments, (n, width))
    inputs = (
        candidates,
        rng.normal(5, 3, (n, width)),  # base bids
        rng.uniform(0.1, 1, (n, width)),  # cost per yuan
        rng.random((n, width)) < 0.5,  # can rent
        rng.normal(2, 2, (n, width)),  # value of renting
        rng.uniform(0, 0.3, (n, width)),  # rent rate
        rng.uniform(0, 1, n),  # fixed cost of renting
        rng.uniform(1, 8, n),  # limit
        rng.random(n) < 0.5,  # owner
        rng.integers(0, n_catchments, n),  # home
    )
    price = rng.uniform(0, 4, n_catchments)
    state = [np.array(a) for a in best_options(*inputs, price)]
    for _ in range(4):
        changed = rng.random(n_catchments) < 0.4
        price = np.where(changed, price + rng.uniform(0, 2, n_catchments), price)
        _update_best_options(*inputs, price, changed, *state)
        for got, expected in zip(state, best_options(*inputs, price), strict=True):
            assert got.tobytes() == expected.tobytes()
