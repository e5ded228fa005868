"""A researcher's school list (`city.schools_file`): reading, checking, clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from edusim.cli import main
from edusim.randomness import Streams
from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.world.synthesis import build_world

EXAMPLE = Path("scenarios/demo-schools.csv")


def _rows() -> list[dict[str, str]]:
    with EXAMPLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _scenario_with(tmp_path: Path, rows: list[dict[str, str]], columns=None) -> Path:
    """A copy of the example scenario whose list is `rows` (only `columns`, if given)."""
    columns = columns or list(rows[0])
    with (tmp_path / "schools.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    scenario = tmp_path / "city.yaml"
    demo = Path("scenarios/demo.yaml").resolve()
    scenario.write_text(f"extends: {demo}\nname: listed\ncity:\n  schools_file: schools.csv\n")
    return scenario


def _problems(path: Path) -> dict[str, str]:
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    return {p.path: p.message for p in error.value.problems}


def test_the_example_list_builds_its_schools_where_it_says(tmp_path):
    """Names, sectors, capacities, key schools, owners and the group come from the file;
    each school stands on the cell nearest its point, in its district."""
    scenario = load_scenario("scenarios/demo-schools.yaml")
    world = build_world(scenario, Streams(scenario.seed))
    table, geo = world.schools, world.geography
    rows = {row["name"]: row for row in _rows()}
    assert sorted(table.name) == sorted(rows)
    for k, name in enumerate(table.name):
        row = rows[name]
        assert geo.district_names[table.district[k]] == row["district"]
        assert table.private[k] == (row["sector"] == "private")
        grades = 6 if row["stage"] == "primary" else 3
        assert table.classes_per_grade[k] * table.class_size[k] * grades == int(row["capacity"])
        assert (
            np.hypot(table.x_km[k] - float(row["x_km"]), table.y_km[k] - float(row["y_km"])) < 0.1
        )
        if row["key_school"]:
            assert table.famous[k] == (row["key_school"] == "yes")
    city_owned = table.owner[list(table.name).index("Old Town No.1 Primary")]
    assert city_owned == 0  # OWNER_CITY
    group = next(g for g in scenario.groups.explicit if g.name == "old-town-no1")
    assert group.core == "Old Town No.1 Primary" and group.kind == "tight"
    assert set(group.members) == {"Old Town No.2 Primary", "Old Town No.3 Primary"}


def test_catchments_of_listed_schools_partition_each_district():
    scenario = load_scenario("scenarios/demo-schools.yaml")
    world = build_world(scenario, Streams(5))
    table, geo, catchments = world.schools, world.geography, world.catchments
    for stage in (0, 1):
        school = catchments.cell_school[stage]
        assert (school >= 0).all()
        assert (table.district[school] == geo.cell_district).all()
        public = np.flatnonzero((table.stage == stage) & ~table.private)
        assert (school[table.cell[public]] == public).all()


def test_enrolment_places_residents_where_the_pupils_are():
    """Each public primary school's catchment holds its district's residential weight in
    proportion to its listed enrolment."""
    scenario = load_scenario("scenarios/demo-schools.yaml")
    world = build_world(scenario, Streams(5))
    table, geo, catchments = world.schools, world.geography, world.catchments
    rows = {row["name"]: int(row["enrolment"]) for row in _rows()}
    district = table.district[0]
    public = np.flatnonzero((table.stage == 0) & ~table.private & (table.district == district))
    held = np.array([geo.cell_weight[catchments.catchment_cells[k]].sum() for k in public])
    listed = np.array([rows[table.name[k]] for k in public], dtype=float)
    np.testing.assert_allclose(held / held.sum(), listed / listed.sum(), rtol=1e-9)


def test_a_missing_column_is_one_clear_error(tmp_path):
    rows = _rows()
    columns = [c for c in rows[0] if c != "capacity"]
    problems = _problems(_scenario_with(tmp_path, rows, columns))
    assert list(problems) == ["city.schools_file.capacity"]
    assert "has no column 'capacity'" in problems["city.schools_file.capacity"]


def test_coordinates_outside_the_city_are_one_clear_error(tmp_path):
    rows = _rows()
    rows[4]["x_km"] = "900"
    problems = _problems(_scenario_with(tmp_path, rows))
    assert list(problems) == ["city.schools_file[row 5].x_km"]
    assert "from the nearest land of the city" in problems["city.schools_file[row 5].x_km"]


def test_a_school_in_another_district_is_refused(tmp_path):
    rows = _rows()
    other = next(r for r in rows if r["district"] == "Riverside")
    rows[0]["x_km"], rows[0]["y_km"] = other["x_km"], other["y_km"]
    problems = _problems(_scenario_with(tmp_path, rows))
    assert (
        "lies in district 'Riverside', not in 'Old Town'"
        in problems["city.schools_file[row 1].x_km"]
    )


def test_a_duplicate_name_is_one_clear_error(tmp_path):
    rows = _rows()
    rows[6]["name"] = rows[2]["name"]
    problems = _problems(_scenario_with(tmp_path, rows))
    assert list(problems) == ["city.schools_file[row 7].name"]
    assert "appears twice (rows 3 and 7)" in problems["city.schools_file[row 7].name"]


def test_bad_values_name_row_and_column(tmp_path):
    rows = _rows()
    rows[1]["stage"] = "senior"
    rows[2]["capacity"] = "many"
    problems = _problems(_scenario_with(tmp_path, rows))
    assert "expected primary or junior" in problems["city.schools_file[row 2].stage"]
    assert "'many' is not a whole number" in problems["city.schools_file[row 3].capacity"]


def test_counts_that_disagree_with_the_districts_are_refused(tmp_path):
    rows = [r for r in _rows() if r["name"] != "Old Town No.4 Primary"]
    problems = _problems(_scenario_with(tmp_path, rows))
    assert (
        "lists 7 primary schools in 'Old Town': expected 8"
        in problems["city.districts[0].schools.primary"]
    )


def test_longitude_and_latitude_need_the_real_map(tmp_path):
    rows = _rows()
    for row in rows:
        row["lon"], row["lat"] = "120.1", "30.2"
    columns = [c for c in rows[0] if c not in ("x_km", "y_km")]
    problems = _problems(_scenario_with(tmp_path, rows, columns))
    assert "need the real map" in problems["city.schools_file.lon"]


def test_the_command_line_says_it_in_one_sentence_and_exits_2(tmp_path, capsys):
    rows = _rows()
    rows[6]["name"] = rows[2]["name"]
    assert main(["validate", str(_scenario_with(tmp_path, rows))]) == 2
    err = capsys.readouterr().err
    assert "city.schools_file[row 7].name: school 'Old Town No.3 Primary' appears twice" in err
    assert "Traceback" not in err


def test_a_missing_file_is_refused(tmp_path):
    scenario = tmp_path / "city.yaml"
    demo = Path("scenarios/demo.yaml").resolve()
    scenario.write_text(f"extends: {demo}\nname: listed\ncity:\n  schools_file: none.csv\n")
    problems = _problems(scenario)
    assert "file not found" in problems["city.schools_file"]


def test_a_geojson_list_reads_like_the_csv(tmp_path):
    """The same schools as GeoJSON features (properties; no Point, so x_km and y_km)."""
    import json

    features = [{"type": "Feature", "geometry": None, "properties": row} for row in _rows()]
    (tmp_path / "schools.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    demo = Path("scenarios/demo.yaml").resolve()
    path = tmp_path / "city.yaml"
    path.write_text(f"extends: {demo}\nname: listed\ncity:\n  schools_file: schools.geojson\n")
    from_geojson = build_world(load_scenario(path), Streams(5)).schools
    from_csv = build_world(load_scenario("scenarios/demo-schools.yaml"), Streams(5)).schools
    assert list(from_geojson.name) == list(from_csv.name)
    np.testing.assert_array_equal(from_geojson.cell, from_csv.cell)
