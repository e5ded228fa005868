"""The supply rule of processes/housing_supply.py: dwellings are built toward
as-built x (1 + premium)^elasticity, a share of the log gap a year, never pulled down."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from edusim.processes.housing_supply import (
    catchment_stock,
    cell_dwellings,
    cell_premium_share,
    developers_premium,
    new_dwellings,
    settled_stock,
    supply_elasticity_of_kind,
)
from edusim.scenario.housing import HousingParams


def test_no_premium_or_no_elasticity_builds_nothing():
    stock = np.array([100.0, 100.0])
    built = new_dwellings(stock, stock, np.array([0.0, 0.3]), np.array([4.0, 0.0]), 0.2)
    np.testing.assert_array_equal(built, [0.0, 0.0])


def test_full_speed_reaches_the_long_run_stock_in_one_year():
    # as built 100, premium 0.21, elasticity 2: long run 100 x 1.21^2 = 146.41
    built = new_dwellings(np.array([100.0]), np.array([100.0]), np.array([0.21]), 2.0, 1.0)
    assert math.isclose(built[0], 46.41, rel_tol=1e-12)


def test_a_year_closes_the_speed_share_of_the_log_gap():
    # as built 100, already 110, long run 100 x 1.5^1 = 150: the log gap ln(150/110)
    # shrinks by a fifth, so the stock becomes 110 x (150/110)^0.2
    built = new_dwellings(np.array([110.0]), np.array([100.0]), np.array([0.5]), 1.0, 0.2)
    assert math.isclose(110.0 + built[0], 110.0 * (150.0 / 110.0) ** 0.2, rel_tol=1e-12)


def test_dwellings_above_the_long_run_level_are_not_pulled_down():
    # the premium fell: the long run is 100 x 1.1 = 110, the stock already 130
    built = new_dwellings(np.array([130.0]), np.array([100.0]), np.array([0.1]), 1.0, 0.5)
    assert built[0] == 0.0


def test_more_elastic_supply_builds_more_for_the_same_premium():
    stock = np.full(3, 100.0)
    built = new_dwellings(stock, stock, np.full(3, 0.2), np.array([0.5, 2.65, 5.6]), 0.2)
    assert built[0] < built[1] < built[2]


def test_only_a_premium_above_the_starting_one_builds():
    """The stock as built is in equilibrium with the premium the run starts with: at that
    premium nothing is built, and above it the long-run stock grows by the ratio
    ((1 + p) / (1 + p0))^e."""
    stock = np.array([100.0, 100.0])
    premium, start = np.array([0.1, 0.32]), np.array([0.1, 0.1])
    built = new_dwellings(stock, stock, premium, np.array([2.0, 2.0]), 1.0, start)
    assert built[0] == 0.0
    assert np.isclose(built[1], 100.0 * (1.32 / 1.1) ** 2 - 100.0)


def test_cells_with_no_dwellings_as_built_get_none():
    built = new_dwellings(np.array([0.0]), np.array([0.0]), np.array([0.5]), 5.6, 0.5)
    assert built[0] == 0.0


def test_a_cell_is_priced_at_its_dearest_catchment_over_the_stages():
    # cells 0-3; primary catchments 0, 0, 1, none; junior catchments 2, 3, 3, 3
    cell_school = np.array([[0, 0, 1, -1], [2, 3, 3, 3]])
    premium = np.array([0.10, 0.02, 0.05, 0.30])
    np.testing.assert_allclose(cell_premium_share(cell_school, premium), [0.10, 0.30, 0.30, 0.30])
    assert cell_premium_share(np.full((2, 2), -1), premium).tolist() == [0.0, 0.0]


def test_catchment_stock_sums_its_cells():
    stock = catchment_stock(np.array([1.0, 2.0, 4.0, 8.0]), np.array([1, -1, 1, 0]), 3)
    np.testing.assert_array_equal(stock, [8.0, 5.0, 0.0])


def test_cell_dwellings_spread_each_district_by_weight():
    params = HousingParams(dwellings_per_pupil=4.0)
    # district 0: weights 1 and 3 share 4 x 100 dwellings; district 1: one cell, 4 x 50
    dwellings = cell_dwellings(
        np.array([1.0, 3.0, 2.0]), np.array([0, 0, 1]), np.array([100.0, 50.0]), params
    )
    np.testing.assert_allclose(dwellings, [100.0, 300.0, 200.0])


def test_cell_dwellings_spread_all_of_a_light_district_and_none_of_an_empty_one():
    """Weights are relative densities x areas (a real map's small districts can weigh
    less than 1 in all): a district's dwellings are spread whatever its total weight,
    and a district whose cells all weigh 0 gets none, without a division by zero."""
    params = HousingParams(dwellings_per_pupil=2.0)
    with np.errstate(all="raise"):
        dwellings = cell_dwellings(
            np.array([0.02, 0.03, 0.0, 0.0]),
            np.array([0, 0, 1, 1]),
            np.array([100.0, 80.0]),
            params,
        )
    np.testing.assert_allclose(dwellings, [80.0, 120.0, 0.0, 0.0])


def test_elasticities_are_read_in_the_order_of_the_district_kinds():
    params = HousingParams(
        supply_elasticity_urban=0.1, supply_elasticity_suburban=0.2, supply_elasticity_rural=0.3
    )
    np.testing.assert_array_equal(supply_elasticity_of_kind(params), [0.1, 0.2, 0.3])


@given(
    st.lists(
        st.tuples(
            st.floats(1.0, 1e4),  # as built
            st.floats(1.0, 3.0),  # present over as built
            st.floats(0.0, 2.0),  # premium share
            st.floats(0.0, 10.0),  # elasticity
        ),
        min_size=1,
        max_size=20,
    ),
    st.floats(0.0, 1.0),
)
def test_building_is_finite_non_negative_and_never_overshoots(cells, speed):
    as_built, ratio, premium, elasticity = (np.array(column) for column in zip(*cells, strict=True))
    stock = as_built * ratio
    built = new_dwellings(stock, as_built, premium, elasticity, speed)
    assert np.isfinite(built).all() and (built >= 0).all()
    long_run = as_built * (1.0 + premium) ** elasticity
    # never past the long-run level (up to rounding), and nothing where already past it
    assert (stock + built <= np.maximum(long_run, stock) * (1 + 1e-9)).all()


def test_the_settled_stock_is_a_fixed_point_at_its_long_run():
    """A stock already at synthesised x (1 + p)^e stays; cells without dwellings stay."""
    synthesised = np.array([100.0, 50.0, 0.0])
    premium = np.array([0.2, 0.0, 0.4])
    elasticity = np.array([2.0, 5.6, 2.0])
    long_run = synthesised * (1 + premium) ** elasticity
    np.testing.assert_allclose(
        settled_stock(long_run, synthesised, premium, elasticity), long_run, rtol=1e-12
    )


def test_the_settled_stock_moves_half_the_log_gap_both_ways():
    """From the synthesised stock toward 1.21 x 100 (p = 0.1, e = 2): half the log gap,
    110; from 150 (above the long run: a search, not construction) down to
    sqrt(150 x 121)."""
    synthesised = np.array([100.0, 100.0])
    premium = np.array([0.1, 0.1])
    elasticity = np.array([2.0, 2.0])
    settled = settled_stock(np.array([100.0, 150.0]), synthesised, premium, elasticity)
    np.testing.assert_allclose(settled, [110.0, np.sqrt(150.0 * 121.0)], rtol=1e-12)


def test_developers_expect_a_smoothed_premium():
    """Memory 3: a third of the way from last year's expectation to this year's premium
    (0.10 -> 0.16 toward 0.28; 0.30 -> 0.20 toward 0.00); memory 1: this year's premium."""
    expected = np.array([0.10, 0.30])
    premium = np.array([0.28, 0.0])
    np.testing.assert_allclose(developers_premium(expected, premium, 3.0), [0.16, 0.20])
    np.testing.assert_array_equal(developers_premium(expected, premium, 1.0), premium)
