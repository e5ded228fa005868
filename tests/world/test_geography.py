"""The synthetic map: districts in rings, islands across water, towns, cells."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.world.geography import (
    KIND_CODES,
    MAINLAND,
    Geography,
    _towns_per_part,
    build_geography,
)
from edusim.world.synthetic_layout import _district_needed_cells


@pytest.fixture(scope="module")
def demo_city(demo_path):
    return load_scenario(demo_path).city


@pytest.fixture(scope="module")
def geo(demo_city) -> Geography:
    return build_geography(demo_city, Streams(4).generator("world.geography"))


def _tiny_geography(crossing_km: float = 25.0) -> Geography:
    """Three cells: two on the mainland, one on island 0."""
    return Geography(
        district_names=["A", "B"],
        district_kind=np.array([0, 2], dtype=np.int8),
        district_price_cny_per_m2=np.array([40000.0, 10000.0]),
        district_income_level=np.array([1.2, 0.7]),
        cell_x=np.array([0.0, 3.0, 10.0]),
        cell_y=np.array([0.0, 4.0, 0.0]),
        cell_area_km2=np.ones(3),
        cell_district=np.array([0, 0, 1], dtype=np.int32),
        cell_town=np.array([0, 0, 1], dtype=np.int32),
        cell_island=np.array([MAINLAND, MAINLAND, 0], dtype=np.int32),
        cell_weight=np.array([1.0, 3.0, 1.0]),
        town_district=np.array([0, 1], dtype=np.int32),
        island_crossing_km=crossing_km,
    )


def test_travel_is_distance_plus_a_water_crossing():
    geo = _tiny_geography(crossing_km=25.0)
    x, y, island = geo.cell_x, geo.cell_y, geo.cell_island
    travel = geo.travel_km(np.arange(3)[:, None], x[None, :], y[None, :], island[None, :])
    expected = np.array(
        [
            [0.0, 5.0, 10.0 + 25.0],
            [5.0, 0.0, np.hypot(7.0, 4.0) + 25.0],
            [10.0 + 25.0, np.hypot(7.0, 4.0) + 25.0, 0.0],
        ]
    )
    np.testing.assert_allclose(travel, expected)
    assert geo.n_cells == 3


def test_every_cell_belongs_to_one_district_town_and_island(geo, demo_city):
    assert geo.cell_district.shape == geo.cell_town.shape == geo.cell_island.shape
    assert set(np.unique(geo.cell_district)) == set(range(len(demo_city.districts)))
    # a town lies in one district, and on one island (or the mainland)
    np.testing.assert_array_equal(geo.town_district[geo.cell_town], geo.cell_district)
    for town in np.unique(geo.cell_town):
        assert np.unique(geo.cell_island[geo.cell_town == town]).size == 1
    assert (geo.cell_weight > 0).all()
    assert (geo.cell_area_km2 > 0).all()


def test_each_district_has_its_towns_area_and_enough_cells(geo, demo_city):
    for d, district in enumerate(demo_city.districts):
        cells = geo.cell_district == d
        assert cells.sum() >= _district_needed_cells(district)
        assert np.unique(geo.cell_town[cells]).size == district.towns
        assert geo.cell_area_km2[cells].sum() == pytest.approx(district.area_km2, rel=0.15)
    assert geo.district_names == [d.name for d in demo_city.districts]
    np.testing.assert_array_equal(
        geo.district_kind, [KIND_CODES[d.kind] for d in demo_city.districts]
    )


def test_island_districts_lie_across_water(geo, demo_city):
    for d, district in enumerate(demo_city.districts):
        islands = np.unique(geo.cell_island[geo.cell_district == d])
        if district.islands:
            assert islands.size == district.islands
            assert (islands >= 0).all()
        else:
            assert islands.tolist() == [MAINLAND]


def test_urban_districts_form_the_centre_and_rural_counties_the_outer_ring():
    city = load_scenario(
        {
            "name": "rings",
            "city": {
                "districts": [
                    {
                        "name": name,
                        "kind": kind,
                        "area_km2": area,
                        "schools": {"primary": 2, "junior": 1},
                        "pupils": {"primary": 60, "junior": 30},
                    }
                    for name, kind, area in (
                        ("R", "rural", 900),
                        ("U", "urban", 40),
                        ("S", "suburban", 300),
                    )
                ]
            },
        }
    ).city
    for seed in range(3):
        geo = build_geography(city, Streams(seed).generator("world.geography"))
        radius = np.hypot(geo.cell_x, geo.cell_y)
        rural, urban, suburban = (radius[geo.cell_district == d] for d in range(3))
        assert urban.max() < suburban.mean() < rural.min() + 1.0


def test_same_rng_same_map(demo_city):
    a = build_geography(demo_city, Streams(8).generator("world.geography"))
    b = build_geography(demo_city, Streams(8).generator("world.geography"))
    np.testing.assert_array_equal(a.cell_x, b.cell_x)
    np.testing.assert_array_equal(a.cell_town, b.cell_town)
    np.testing.assert_array_equal(a.cell_weight, b.cell_weight)


def test_towns_per_part_by_hand():
    assert _towns_per_part([10, 5], 4) == [3, 1]
    assert _towns_per_part([1], 5) == [5]
    assert _towns_per_part([100, 1, 1], 3) == [1, 1, 1]


@settings(max_examples=50, deadline=None)
@given(sizes=st.lists(st.integers(1, 500), min_size=1, max_size=6), extra=st.integers(0, 20))
def test_towns_per_part_gives_every_part_a_town_and_sums_to_the_towns(sizes, extra):
    towns = len(sizes) + extra  # the schema requires at least as many towns as islands
    counts = _towns_per_part(sizes, towns)
    assert sum(counts) == towns
    assert min(counts) >= 1
