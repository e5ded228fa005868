"""Schools that open, merge, close, expand and shrink during a run (phases/school_lifecycle.py,
world/lifecycle.py), on the small two-district city of conftest.py."""

from __future__ import annotations

import copy
from typing import get_args

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edusim.model import EduModel
from edusim.phases.policy_events import PolicyEvents
from edusim.phases.school_lifecycle import apply_school_change
from edusim.scenario.enrollment import Mechanism
from edusim.scenario.lifecycle import CloseSchool, MergeSchools
from edusim.world.schools import FIRST_GRADE

NEW = {"name": "Core-P05", "stage": "primary", "district": "Core", "classes_per_grade": 2}


def _scenario(small_city, years: int, events: list[dict], **changes) -> dict:
    data = copy.deepcopy(small_city)
    data.update(years=years, timeline=events, **changes)
    return data


def _policy(model: EduModel) -> PolicyEvents:
    return next(p for p in model.phases if isinstance(p, PolicyEvents))


def assert_one_school_each_within_capacity(model: EduModel) -> None:
    """Every pupil has exactly one open school of their stage; no grade exceeds its places."""
    families, table = model.families, model.school_table
    assert (families.school >= 0).all()
    assert table.active[families.school].all()
    assert (table.stage[families.school] == (families.grade >= FIRST_GRADE[1])).all()
    for grade in range(1, 10):
        counts = np.bincount(families.school[families.grade == grade], minlength=len(table))
        assert (counts <= table.entry_capacity).all(), grade


def test_a_school_opened_in_year_five_fills_over_the_following_intakes(small_city):
    # the run starts in 2018; the school opens in its fifth school year, 2022
    event = {"date": "2022-09-01", "label": "new estate school", "open": NEW}
    model = EduModel(_scenario(small_city, 8, [event]))
    row = list(model.school_table.name).index("Core-P05")
    assert not model.school_table.active[row]
    assert model.catchments.catchment_cells[row].size == 0
    model.run()
    schools = model.tables()["schools"]
    rows = schools[schools.name == "Core-P05"].set_index("year")
    # the table's year Y is the state at the end of school year Y - 1
    assert not rows.loc[2022, "open"] and rows.loc[2023, "open"]
    assert rows.loc[:2022, "enrollment"].eq(0).all()
    enrollment = rows.loc[2023:, "enrollment"].to_numpy()
    assert (np.diff(enrollment) > 0).all()  # one more grade each intake
    assert rows.loc[2023:, "teachers"].gt(0).all()  # staffed by the staffing standard
    grades = np.unique(model.families.grade[model.families.school == row])
    assert list(grades) == [1, 2, 3, 4]  # intakes of 2022-2025, none older
    assert model.catchments.catchment_cells[row].size > 0
    assert (model.catchments.cell_school[0] == row).any()
    assert_one_school_each_within_capacity(model)
    (opened,) = [e for e in model._events if e["kind"] == "school" and e["year"] == 2022]
    # where it opened, to the metre
    assert opened["detail"]["x_km"] == round(float(model.school_table.x_km[row]), 3)
    assert opened["detail"]["y_km"] == round(float(model.school_table.y_km[row]), 3)
    assert opened["detail"]["y_km"] != round(opened["detail"]["y_km"])


@pytest.mark.parametrize("keep_campus", [True, False])
def test_a_merger_conserves_pupils_and_teachers(small_city, keep_campus):
    model = EduModel(_scenario(small_city, 2, [], **TIGHT))
    model.step()
    table, families, teachers = model.school_table, model.families, model.teachers
    absorbed, into = 1, 0  # Core-P02 into Core-P01
    pupils_before = families.school.copy()
    staff_before = teachers.home_school.copy()
    cells = model.catchments.catchment_cells[absorbed]
    # a school elsewhere whose largest grade fills more classes than it has (classes made
    # smaller here): not the merger's to change
    crowded, class_size = 2, int(table.class_size[2])
    table.class_size[crowded] = 20
    largest = np.bincount(families.grade[families.school == crowded]).max()
    assert largest > table.classes_per_grade[crowded] * table.class_size[crowded]
    classes_before = table.classes_per_grade.copy()
    merge = MergeSchools(school="Core-P02", into="Core-P01", keep_campus=keep_campus)
    detail = apply_school_change(_policy(model), 2019, "merge", merge)
    assert detail["teachers"] == (staff_before == absorbed).sum() > 0
    # the absorbing school adds the classes it needs (扩班); no other open school changes
    others = ~np.isin(np.arange(len(table)), [into, absorbed])
    np.testing.assert_array_equal(table.classes_per_grade[others], classes_before[others])
    assert table.classes_per_grade[into] > classes_before[into]
    table.class_size[crowded] = class_size
    assert len(families) == pupils_before.size and len(teachers) == staff_before.size
    assert (families.school == into).sum() == np.isin(pupils_before, [absorbed, into]).sum()
    assert (teachers.home_school == into).sum() == np.isin(staff_before, [absorbed, into]).sum()
    assert not (families.school == absorbed).any() and not (teachers.school == absorbed).any()
    np.testing.assert_array_equal(  # nobody else moved
        families.school[~np.isin(pupils_before, [absorbed])],
        pupils_before[~np.isin(pupils_before, [absorbed])],
    )
    assert not table.active[absorbed] and table.closed_year[absorbed] == 2019
    kept = (model.catchments.cell_school[0, cells] == into).all()
    assert kept == keep_campus  # a kept campus keeps its area in the absorbing catchment
    assert_one_school_each_within_capacity(model)


TIGHT = {"schools": {"capacity_slack": 0.0}}
"""Schools built with no spare places, so receiving schools must add classes."""


def test_closing_a_school_reassigns_every_pupil_to_their_redrawn_catchment(small_city):
    model = EduModel(_scenario(small_city, 2, [], **TIGHT))
    model.step()
    families, teachers = model.families, model.teachers
    closed = 0  # Core-P01, the largest primary school
    leaving = np.flatnonzero(families.school == closed)
    staff = int((teachers.home_school == closed).sum())
    total_staff = len(teachers)
    detail = apply_school_change(_policy(model), 2019, "close", CloseSchool(school="Core-P01"))
    assert leaving.size > 0 and detail["pupils"] == leaving.size
    assert not (families.school == closed).any()
    expected = model.catchments.cell_school[0, families.cell[leaving]]
    np.testing.assert_array_equal(families.school[leaving], expected)
    assert len(teachers) == total_staff and detail["teachers"] == staff
    assert not (teachers.home_school == closed).any()
    assert model.school_table.premium_share[closed] == 0.0
    assert not (model.catchments.cell_school[0] == closed).any()
    assert_one_school_each_within_capacity(model)


def test_the_dwelling_rule_and_premiums_follow_redrawn_catchments(small_city):
    events = [
        {"date": "2019-09-01", "open": NEW},
        {"date": "2020-09-01", "close": {"school": "Core-P02"}},
    ]
    ruled = {"enrollment": {"dwelling_rule_years": 6}}
    model = EduModel(_scenario(small_city, 2, events, **ruled))
    model.run()  # 2018 and 2019: the opening has fired, the closure not yet
    table, catchments = model.school_table, model.catchments
    used_before = np.sum(model.intake_history[0], axis=0)
    old_cells = catchments.catchment_cells[1].copy()
    apply_school_change(_policy(model), 2020, "close", CloseSchool(school="Core-P02"))
    used_after = np.sum(model.intake_history[0], axis=0)
    # the used dwellings move with the closed school's cells, none is lost or invented
    assert used_after.sum() == pytest.approx(used_before.sum())
    assert used_after[1] == 0.0
    new_owner = model.catchments.cell_school[0, old_cells]
    assert used_after[np.unique(new_owner)].sum() > used_before[np.unique(new_owner)].sum()
    share = model.dwelling_used_share(0)
    assert np.isfinite(share).all() and (share >= 0).all() and (share <= 1).all()
    # a cell's premium is its catchment school's: the closed school's cells now carry
    # their new school's premium
    from edusim.world.synthesis import cell_premium_share

    premium = cell_premium_share(model.catchments, table.premium_share)
    junior = model.catchments.cell_school[1, old_cells]
    np.testing.assert_allclose(
        premium[old_cells], table.premium_share[new_owner] + table.premium_share[junior]
    )
    assert table.premium_share[1] == 0.0
    # the run goes on: the market prices the redrawn catchments, the rule still binds
    model.running = True
    model.resolved_scenario = model.resolved_scenario.model_copy(update={"years": 4})
    model.step()
    model.step()
    assert np.isfinite(table.premium_share).all()
    assert table.premium_share[1] == 0.0
    assert_one_school_each_within_capacity(model)


def test_expand_and_shrink_change_places_but_never_below_the_pupils(small_city):
    events = [
        {"date": "2019-09-01", "expand": {"school": "Core-P03", "classes": 2}},
        {"date": "2020-09-01", "shrink": {"school": "Core-P03", "classes": 30}},
    ]
    model = EduModel(_scenario(small_city, 3, events))
    before = int(model.school_table.classes_per_grade[2])
    model.step()
    model.step()
    assert model.school_table.classes_per_grade[2] >= before + 2
    model.step()
    largest = max(
        np.count_nonzero((model.families.school == 2) & (model.families.grade == g))
        for g in range(1, 7)
    )
    assert model.school_table.classes_per_grade[2] == max(
        1, int(np.ceil(largest / model.school_table.class_size[2]))
    )
    assert_one_school_each_within_capacity(model)


def test_nine_year_school_and_feeder_links(small_city):
    events = [{"date": "2019-09-01", "open": {**NEW, "name": "Core-N1", "stage": "nine_year"}}]
    pairs = {"feeders": {"pairs": {"Core-P02": "Core-J02"}}}
    model = EduModel(_scenario(small_city, 2, events, **pairs)).run()
    table = model.school_table
    index = {str(n): i for i, n in enumerate(table.name)}
    primary, junior = index["Core-N1-P"], index["Core-N1-J"]
    assert table.cell[primary] == table.cell[junior] and table.nine_year[[primary, junior]].all()
    assert table.feeds[primary] == junior
    assert table.feeds[index["Core-P02"]] == index["Core-J02"]
    assert (table.feeds[table.stage == 1] == -1).all()
    schools = model.tables()["schools"]
    last = schools[schools.year == schools.year.max()].set_index("name")
    assert last.loc["Core-N1-P", "feeds"] == "Core-N1-J"


def test_a_merged_junior_passes_its_feeders_to_the_absorbing_school(small_city):
    events = [{"date": "2019-09-01", "merge": {"school": "Core-J02", "into": "Core-J01"}}]
    pairs = {"feeders": {"pairs": {"Core-P02": "Core-J02"}}}
    model = EduModel(_scenario(small_city, 2, events, **pairs)).run()
    table = model.school_table
    names = list(table.name)
    assert table.feeds[names.index("Core-P02")] == names.index("Core-J01")


def test_a_school_can_open_entrusted_to_a_strong_school(small_city):
    event = {"date": "2019-09-01", "open": {**NEW, "entrusted_to": "Core-P01"}}
    model = EduModel(_scenario(small_city, 2, [event])).run()
    memberships = model.tables()["memberships"]
    rows = memberships[memberships.name == "Core-P05"]
    assert set(rows.group_kind) == {"entrusted"} and set(rows.role) == {"member"}


def test_without_school_events_nothing_is_added(small_city):
    model = EduModel(_scenario(small_city, 1, []))
    assert model.school_table.active.all() and len(model.school_table) == 12


EVENT_KINDS = st.sampled_from(["open", "close", "merge", "expand", "shrink"])
RULES = st.sampled_from(["catchment", "zones", "group", "choice", "achievement"])
MECHANISMS = st.sampled_from(list(get_args(Mechanism)))


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(EVENT_KINDS, min_size=1, max_size=4),
    years=st.lists(st.integers(2018, 2021), min_size=4, max_size=4),
    rule=RULES,
    mechanism=MECHANISMS,
)
def test_capacity_holds_and_every_pupil_has_one_school_as_schools_open_and_close(
    small_city, kinds, years, rule, mechanism
):
    """Random sequences of school changes in random years, under a random enrollment rule
    and mechanism: after every school year every pupil is in exactly one open school of
    their stage and no grade exceeds its places."""
    events, primaries = [], ["Core-P01", "Core-P02", "Core-P03", "Core-P04"]
    for number, (kind, year) in enumerate(zip(kinds, sorted(years), strict=False)):
        date = f"{year}-09-01"
        if kind in ("merge", "close") and len(primaries) <= 2:
            kind = "expand"  # a district keeps a school of each stage (validation)
        if kind == "open":
            spec = {**NEW, "name": f"Core-P9{number}"}
        elif kind == "merge":
            spec = {"school": primaries[0], "into": primaries[1]}
        elif kind in ("expand", "shrink"):
            spec = {"school": primaries[-1], "classes": 2}
        else:
            spec = {"school": primaries[0]}
        events.append({"date": date, kind: spec})
        if kind in ("merge", "close"):
            primaries = primaries[1:]
    enrollment = {**small_city.get("enrollment", {}), "rule": rule, "mechanism": mechanism}
    model = EduModel(_scenario(small_city, 4, events, enrollment=enrollment))
    for _ in range(4):
        model.step()
        assert_one_school_each_within_capacity(model)
