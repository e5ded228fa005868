"""Catchments partition each district's residential cells among its schools of a stage."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.scenario.schema import Scenario
from edusim.world.catchments import NEAREST_LISTED, Catchments, build_catchments
from edusim.world.geography import build_geography
from edusim.world.schools import place_school_sites


@st.composite
def small_cities(draw) -> dict:
    districts = []
    for index in range(draw(st.integers(1, 3))):
        towns = draw(st.integers(1, 6))
        junior = draw(st.integers(0, 4))
        districts.append(
            {
                "name": f"D{index}",
                "kind": draw(st.sampled_from(["urban", "suburban", "rural"])),
                "area_km2": draw(st.floats(1.0, 800.0)),
                "towns": towns,
                "islands": draw(st.integers(0, min(towns, 3))),
                "schools": {"primary": draw(st.integers(1, 10)), "junior": junior},
                "pupils": {"primary": 100, "junior": 50 if junior else 0},
            }
        )
    return {"name": "c", "city": {"districts": districts}}


def _build(scenario, seed: int):
    streams = Streams(seed)
    geo = build_geography(scenario.city, streams.generator("world.geography"))
    stage, district, cell = place_school_sites(scenario, geo, streams.generator("world.sites"))
    return geo, stage, district, cell, build_catchments(geo, stage, district, cell)


def _check_partition(geo, stage, district, cell, catchments: Catchments) -> None:
    n_schools = stage.size
    for s in (0, 1):
        for d in range(len(geo.district_names)):
            cells = np.flatnonzero(geo.cell_district == d)
            schools = np.flatnonzero((district == d) & (stage == s))
            assigned = catchments.cell_school[s, cells]
            if schools.size == 0:
                assert (assigned == -1).all()
                continue
            # every cell of the district has exactly one catchment school, of this district
            assert np.isin(assigned, schools).all()
            # the catchment school is the nearest of the district's schools (water counted)
            travel = geo.travel_km(
                cells[:, None],
                geo.cell_x[cell[schools]],
                geo.cell_y[cell[schools]],
                geo.cell_island[cell[schools]],
            )
            own = geo.travel_km(
                cells,
                geo.cell_x[cell[assigned]],
                geo.cell_y[cell[assigned]],
                geo.cell_island[cell[assigned]],
            )
            np.testing.assert_allclose(own, travel.min(axis=1))
    # per school, its catchment cells are exactly the cells assigned to it
    seen = {0: [], 1: []}
    for school in range(n_schools):
        members = catchments.catchment_cells[school]
        assert members.size >= 1
        assert cell[school] in members  # a school's own cell is in its catchment
        assert (catchments.cell_school[stage[school], members] == school).all()
        assert (geo.cell_district[members] == district[school]).all()
        seen[int(stage[school])].append(members)
        weights = geo.cell_weight[members]
        np.testing.assert_allclose(catchments.catchment_weight_cdf[school], np.cumsum(weights))
    for s in (0, 1):
        if seen[s]:
            union = np.concatenate(seen[s])
            assert np.unique(union).size == union.size  # no cell in two catchments
            covered = np.isin(geo.cell_district, np.unique(district[stage == s]))
            assert set(union.tolist()) == set(np.flatnonzero(covered).tolist())


def test_demo_catchments_partition_the_cells(demo_path):
    scenario = load_scenario(demo_path)
    for seed in (1, 2):
        _check_partition(*_build(scenario, seed))


@settings(max_examples=40, deadline=None)
@given(city=small_cities(), seed=st.integers(0, 2**32))
def test_catchments_partition_the_cells_of_any_small_city(city, seed):
    # schema validation only: a district may lack junior schools here (no pupils need them)
    _check_partition(*_build(Scenario.model_validate(city), seed))


def test_nearest_lists_start_with_the_catchment_school_and_stay_in_the_district(demo_path):
    geo, stage, district, cell, catchments = _build(load_scenario(demo_path), 3)
    assert catchments.cell_nearest.shape == (2, geo.n_cells, NEAREST_LISTED)
    np.testing.assert_array_equal(catchments.cell_nearest[:, :, 0], catchments.cell_school)
    for s in (0, 1):
        lists = catchments.cell_nearest[s]
        listed = lists >= 0
        rows, _ = np.nonzero(listed)
        schools = lists[listed]
        assert (stage[schools] == s).all()
        assert (district[schools] == geo.cell_district[rows]).all()
        # padding only at the end, distances non-decreasing along each list
        assert (np.diff(listed.astype(int), axis=1) <= 0).all()
        for row in range(0, geo.n_cells, 97):
            own = lists[row][lists[row] >= 0]
            travel = geo.travel_km(
                np.full(own.size, row),
                geo.cell_x[cell[own]],
                geo.cell_y[cell[own]],
                geo.cell_island[cell[own]],
            )
            assert (np.diff(travel) >= -1e-12).all()
            expected = min(
                NEAREST_LISTED, int(((district == district[own[0]]) & (stage == s)).sum())
            )
            assert own.size == expected


def test_catchment_of_and_cell_in_catchment(demo_path):
    geo, stage, _, _, catchments = _build(load_scenario(demo_path), 5)
    cells = np.arange(0, geo.n_cells, 7)
    np.testing.assert_array_equal(
        catchments.catchment_of(cells, 1), catchments.cell_school[1, cells]
    )
    schools = np.repeat(np.flatnonzero(stage == 0)[:6], 50)
    uniforms = Streams(1).uniform("test", None, np.arange(schools.size))
    drawn = catchments.cell_in_catchment(schools, uniforms)
    np.testing.assert_array_equal(catchments.cell_school[0, drawn], schools)


@pytest.mark.parametrize("uniform", [1e-12, 0.5, 1 - 1e-12])
def test_cell_in_catchment_stays_inside_at_the_edges(demo_path, uniform):
    _, stage, _, _, catchments = _build(load_scenario(demo_path), 6)
    schools = np.flatnonzero(stage == 1)
    drawn = catchments.cell_in_catchment(schools, np.full(schools.size, uniform))
    np.testing.assert_array_equal(catchments.cell_school[1, drawn], schools)
