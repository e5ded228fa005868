"""Arriving families: address by residential weight, income sorted by price, taste; CRN."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.model import EduModel
from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.world.households import (
    arriving_families,
    cell_log_price,
    family_taste,
    first_above,
    price_reference,
    sample_cells,
    settling,
)


@pytest.fixture(scope="module")
def model(demo_path) -> EduModel:
    """A freshly built demo city (read-only here)."""
    return EduModel(demo_path, seed=21)


def _arrivals(
    model: EduModel, uids: np.ndarray, district: int, cell_premium: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    reference = model.income_reference
    return arriving_families(
        model.scenario,
        model.geography,
        uids,
        district,
        np.zeros(model.geography.n_cells) if cell_premium is None else cell_premium,
        (reference.log_price_mean, reference.log_price_sd),
        model.streams,
    )


def test_cell_prices_and_their_weighted_reference():
    from edusim.world.geography import MAINLAND, Geography

    geo = Geography(
        district_names=["A", "B"],
        district_kind=np.array([0, 2], dtype=np.int8),
        district_price_cny_per_m2=np.array([40000.0, 10000.0]),
        district_income_level=np.array([1.0, 1.0]),
        cell_x=np.zeros(3),
        cell_y=np.zeros(3),
        cell_area_km2=np.ones(3),
        cell_district=np.array([0, 0, 1], dtype=np.int32),
        cell_town=np.array([0, 0, 1], dtype=np.int32),
        cell_island=np.full(3, MAINLAND, dtype=np.int32),
        cell_weight=np.array([1.0, 1.0, 2.0]),
        town_district=np.array([0, 1], dtype=np.int32),
        island_crossing_km=0.0,
    )
    premium = np.array([0.5, 0.0, 0.0])
    log_price = cell_log_price(geo, premium)
    np.testing.assert_allclose(np.exp(log_price), [60000.0, 40000.0, 10000.0])
    mean, sd = price_reference(geo, premium)
    expected_mean = 0.25 * log_price[0] + 0.25 * log_price[1] + 0.5 * log_price[2]
    expected_sd = np.sqrt(
        0.25 * (log_price[0] - expected_mean) ** 2
        + 0.25 * (log_price[1] - expected_mean) ** 2
        + 0.5 * (log_price[2] - expected_mean) ** 2
    )
    assert mean == pytest.approx(expected_mean)
    assert sd == pytest.approx(expected_sd)


def test_sample_cells_stays_in_the_district_and_follows_residential_weight(model):
    geo = model.geography
    for district in range(len(geo.district_names)):
        uniforms = Streams(3).uniform("test", district, np.arange(40_000))
        cells = sample_cells(geo, district, uniforms)
        assert (geo.cell_district[cells] == district).all()
        own = np.flatnonzero(geo.cell_district == district)
        frequency = np.bincount(cells, minlength=geo.n_cells)[own] / cells.size
        weight = geo.cell_weight[own] / geo.cell_weight[own].sum()
        assert np.corrcoef(frequency, weight)[0, 1] > 0.9
    edges = sample_cells(geo, 0, np.array([1e-15, 1 - 1e-15]))
    assert (geo.cell_district[edges] == 0).all()


def test_adding_one_family_changes_no_other_familys_address_or_income(model):
    uids = np.arange(5000, 5600)
    before = _arrivals(model, uids, 1)
    for extra in (np.append(uids, 99_999), np.insert(uids, 300, 77_777)):
        after = _arrivals(model, extra, 1)
        keep = np.isin(extra, uids)
        np.testing.assert_array_equal(after["cell"][keep], before["cell"])
        np.testing.assert_array_equal(after["income_cny"][keep], before["income_cny"])


def test_the_same_family_gets_the_same_draws_in_another_district_order(model):
    uids = np.arange(100)
    a = _arrivals(model, uids, 0)
    b = _arrivals(model, uids[::-1], 0)
    np.testing.assert_array_equal(a["cell"], b["cell"][::-1])
    np.testing.assert_array_equal(a["income_cny"], b["income_cny"][::-1])


def test_incomes_sort_by_price_and_follow_the_district_income_level(model):
    geo = model.geography
    premium = np.zeros(geo.n_cells)
    log_price = cell_log_price(geo, premium)
    medians = []
    for district in range(len(geo.district_names)):
        settled = _arrivals(model, np.arange(20_000), district)
        assert (settled["income_cny"] > 0).all()
        medians.append(np.median(settled["income_cny"]))
    levels = geo.district_income_level
    # richer districts (higher income level and dearer housing) have richer families,
    # and each district's median is its income level, not lowered or raised again by
    # its prices (sorting by price is within the district)
    assert np.argsort(medians).tolist() == np.argsort(levels).tolist()
    expected = model.params.families.median_income_cny * levels
    np.testing.assert_allclose(medians, expected, rtol=0.03)
    # across the whole city, incomes correlate with the price of the family's cell
    cells, incomes = [], []
    for district in range(len(geo.district_names)):
        settled = _arrivals(model, np.arange(district * 5000, (district + 1) * 5000), district)
        cells.append(settled["cell"])
        incomes.append(settled["income_cny"])
    correlation = np.corrcoef(log_price[np.concatenate(cells)], np.log(np.concatenate(incomes)))
    assert correlation[0, 1] > 0.3


def test_within_a_district_dearer_catchments_house_richer_families(model):
    geo, catchments = model.geography, model.catchments
    school = catchments.cell_school[0, np.flatnonzero(geo.cell_district == 0)[0]]
    premium = np.zeros(len(model.school_table))
    premium[school] = 0.1
    from edusim.world.synthesis import cell_premium_share

    settled = _arrivals(model, np.arange(20_000), 0, cell_premium_share(catchments, premium))
    inside = catchments.cell_school[0, settled["cell"]] == school
    assert inside.sum() > 50
    # log income is higher by about income_sorting x income_log_sd x (0.1 / log-price SD)
    gap = (
        np.log(settled["income_cny"][inside]).mean() - np.log(settled["income_cny"][~inside]).mean()
    )
    assert gap > 0.05


def test_family_taste_formula_and_floor(demo_path):
    scenario = load_scenario(demo_path)
    streams = Streams(4)
    uids = np.arange(2000)
    ses = np.linspace(-3, 3, uids.size)
    taste = family_taste(ses, uids, scenario, streams)
    params = scenario.families
    expected = np.maximum(
        0.0,
        params.quality_taste_mean
        + params.taste_income_slope * ses
        + params.quality_taste_sd * streams.normal("families.taste", None, uids),
    )
    np.testing.assert_array_equal(taste, expected)
    assert (taste >= 0).all()
    # richer families value school quality more, on average
    assert taste[ses > 1].mean() > taste[ses < -1].mean()


def test_incomes_stay_finite_when_year0_prices_are_uniform():
    """One school per stage in one district: every cell carries the same year-0 price, so
    the price reference has no spread. Once premiums move, arriving families' incomes
    must still be positive finite numbers (and so must achievement)."""
    city = {
        "districts": [
            {
                "name": "A",
                "kind": "urban",
                "area_km2": 4.0,
                "towns": 1,
                "schools": {"primary": 1, "junior": 1},
                "pupils": {"primary": 120, "junior": 60},
            }
        ]
    }
    model = EduModel({"name": "flat", "years": 2, "city": city}, seed=0)
    with np.errstate(all="ignore"):
        model.run()
    income = model.families.income_cny
    assert np.isfinite(income).all()
    assert income.min() > 0
    assert np.isfinite(model.families.achievement).all()


def test_first_above_by_hand():
    ascending = np.array([0.0, 1.0, 1.0, 1.0, 2.5, 4.0])
    values = np.array([-1.0, 0.0, 0.5, 1.0, 2.4, 2.5, 3.9, 4.0, 9.0, np.inf, -np.inf, np.nan])
    assert first_above(ascending, values).tolist() == [0, 1, 1, 4, 4, 5, 5, 6, 6, 6, 0, 6]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 300),
    st.integers(0, 500),
    st.sampled_from(["weights", "flat runs", "one heavy", "tiny then heavy"]),
)
def test_first_above_is_searchsorted_right(seed, m, n, kind):
    """On cumulative weights of every shape (runs of zero weight, one cell holding almost
    all, many tiny cells before a heavy one, which makes long buckets) and values inside,
    at and beyond the entries, the answer is `np.searchsorted(side="right")`'s."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0, 1, m)
    if kind == "flat runs":
        weights[rng.random(m) < 0.4] = 0.0
    elif kind == "one heavy":
        weights[rng.integers(m)] *= 1e6
    elif kind == "tiny then heavy":
        weights[:-1] *= 1e-9
    ascending = np.cumsum(weights)
    values = np.concatenate(
        [
            rng.random(n) * ascending[-1],
            rng.choice(ascending, min(n, m)),  # exactly on entries
            np.array([ascending[-1], ascending[-1] * 1.5, -1.0, 0.0]),
        ]
    )
    got = first_above(ascending, values)
    expected = np.searchsorted(ascending, values, side="right")
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


def test_settling_once_for_all_districts_gives_what_each_district_computed(model):
    """`settling` (each cell's log price and each district's cells, once): each
    district's cells are those of its mask in ascending order, so the district's mean
    log price read through them is the masked one bit for bit, and arrivals settled by
    a `Settling` are those settled by the premiums themselves."""
    geo = model.geography
    premium = np.random.default_rng(4).uniform(0.0, 0.4, geo.n_cells)
    settled = settling(geo, premium)
    reference = model.income_reference
    for district in range(len(geo.district_names)):
        cells = settled.cells_of(district)
        mask = geo.cell_district == district
        assert cells.tolist() == np.flatnonzero(mask).tolist()
        log_price = cell_log_price(geo, premium)
        masked = np.average(log_price[mask], weights=geo.cell_weight[mask])
        read = np.average(settled.log_price_of_cell[cells], weights=geo.cell_weight[cells])
        assert masked == read
        uids = np.arange(1_000) + 7 * district
        by_district, once = (
            arriving_families(
                model.scenario,
                geo,
                uids,
                district,
                prices,
                (reference.log_price_mean, reference.log_price_sd),
                model.streams,
            )
            for prices in (premium, settled)
        )
        for key in ("cell", "income_cny"):
            assert by_district[key].tobytes() == once[key].tobytes()
