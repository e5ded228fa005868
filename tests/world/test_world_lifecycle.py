"""Rows of schools that exist only part of the run, their sites, feeder links and the
catchment redraw rule (world/lifecycle.py)."""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.world.lifecycle import feeder_links, moved_with_cells, redrawn_catchments

OPEN = {"name": "Core-P05", "stage": "primary", "district": "Core"}


def _model(small_city, events, **changes) -> EduModel:
    data = copy.deepcopy(small_city)
    data.update(timeline=events, years=3, **changes)
    return EduModel(data)


def test_planned_rows_leave_the_city_as_built_unchanged(small_city):
    plain = _model(small_city, [])
    planned = _model(
        small_city,
        [
            {"date": "2019-09-01", "open": OPEN},
            {
                "date": "2020-09-01",
                "open": {**OPEN, "name": "Isles-N1", "stage": "nine_year", "district": "Isles"},
            },
        ],
    )
    n = len(plain.school_table)
    assert len(planned.school_table) == n + 3
    for item in fields(plain.school_table):
        if item.name == "feeds":
            continue
        np.testing.assert_array_equal(
            getattr(planned.school_table, item.name)[:n], getattr(plain.school_table, item.name)
        )
    np.testing.assert_array_equal(planned.school_table.feeds[:n], plain.school_table.feeds)
    for column in ("uid", "cell", "school", "income_cny", "achievement"):
        np.testing.assert_array_equal(
            getattr(planned.families, column), getattr(plain.families, column)
        )
    np.testing.assert_array_equal(planned.teachers.innate, plain.teachers.innate)
    np.testing.assert_array_equal(planned.catchments.cell_school, plain.catchments.cell_school)
    extra = planned.school_table
    assert not extra.active[n:].any() and (extra.capacity[n:] == 0).all()
    assert list(extra.name[n:]) == ["Core-P05", "Isles-N1-P", "Isles-N1-J"]
    assert extra.cell[n + 1] == extra.cell[n + 2] and extra.nine_year[n + 1 :].all()
    # a new site is where no school of the stage stands
    same_stage = extra.stage == extra.stage[n]
    assert np.count_nonzero(same_stage & (extra.cell == extra.cell[n])) == 1


def test_a_site_near_a_point_is_the_nearest_free_cell(small_city):
    model = _model(small_city, [{"date": "2019-09-01", "open": {**OPEN, "x_km": 0.0, "y_km": 0.0}}])
    geo, table = model.geography, model.school_table
    site = table.cell[-1]
    free = (geo.cell_district == 0) & (geo.cell_weight > 0)
    free[table.cell[table.stage == 0][:-1]] = False
    distance = np.hypot(geo.cell_x - 0.0, geo.cell_y - 0.0)
    assert distance[site] == pytest.approx(distance[free].min())


def test_moved_with_cells_shares_an_area_by_weight_and_conserves_it():
    old = np.array([0, 0, 1, 1, -1])
    new = np.array([0, 2, 1, 2, -1])
    weight = np.array([1.0, 3.0, 1.0, 1.0, 5.0])
    values = np.array([8.0, 4.0, 0.0])
    moved = moved_with_cells(values, old, new, weight)
    # school 0 keeps a quarter of its weight, school 2 takes three quarters of it and half
    # of school 1's
    np.testing.assert_allclose(moved, [2.0, 2.0, 6.0 + 2.0])
    assert moved.sum() == pytest.approx(values.sum())
    np.testing.assert_allclose(moved_with_cells(values, old, old, weight), values)


def test_feeders_default_to_the_nearest_junior_school_of_the_district(small_city):
    model = _model(small_city, [])
    table, geo = model.school_table, model.geography
    for primary in np.flatnonzero((table.stage == 0) & ~table.private):
        juniors = np.flatnonzero(
            (table.stage == 1) & ~table.private & (table.district == table.district[primary])
        )
        travel = geo.travel_km(
            np.array([table.cell[primary]])[:, None],
            table.x_km[juniors],
            table.y_km[juniors],
            geo.cell_island[table.cell[juniors]],
        )[0]
        assert table.feeds[primary] == juniors[np.argmin(travel)]
    assert (feeder_links(table, geo, "none", {}) == -1).all()
    assert feeder_links(table, geo, "none", {0: 5})[0] == 5


def test_a_kept_campus_keeps_its_area_in_the_owners_catchment(small_city):
    model = _model(small_city, [])
    table, geo = model.school_table, model.geography
    absorbed, owner = 1, 0
    area = model.catchments.catchment_cells[absorbed]
    table.active[absorbed] = False
    without = redrawn_catchments(geo, table, (np.empty(0, int), np.empty(0, int)))
    kept = redrawn_catchments(geo, table, (np.array([table.cell[absorbed]]), np.array([owner])))
    assert (kept.cell_school[0, area] == owner).all()
    assert not (without.cell_school[0, area] == owner).all()
    assert not (kept.cell_school == absorbed).any() and not (without.cell_school == absorbed).any()
    # the nearest lists name every school once
    lists = kept.cell_nearest[0]
    for row in lists[:50]:
        listed = row[row >= 0]
        assert listed.size == np.unique(listed).size
