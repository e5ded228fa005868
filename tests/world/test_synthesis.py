"""The year-0 city: counts as in the scenario, capacities respected, realistic inequality."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from edusim.processes.aggregate import school_counts, school_mean
from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.world.catchments import Catchments
from edusim.world.staff import staff_needed
from edusim.world.synthesis import (
    World,
    build_world,
    cell_premium_share,
    pupils_per_grade,
    stage_of_grade,
)


@pytest.fixture(scope="module")
def demo_scenario(demo_path):
    return load_scenario(demo_path)


@pytest.fixture(scope="module")
def world(demo_scenario) -> World:
    return build_world(demo_scenario, Streams(12))


def test_stage_of_grade():
    np.testing.assert_array_equal(stage_of_grade(np.arange(1, 10)), [0, 0, 0, 0, 0, 0, 1, 1, 1])


def test_pupils_per_grade_by_hand():
    assert pupils_per_grade(10, 3) == [4, 3, 3]
    assert pupils_per_grade(6000, 6) == [1000] * 6
    assert pupils_per_grade(0, 6) == [0] * 6
    assert pupils_per_grade(5, 6) == [1, 1, 1, 1, 1, 0]


@given(total=st.integers(0, 10**6), grades=st.integers(1, 9))
def test_pupils_per_grade_splits_evenly(total, grades):
    split = pupils_per_grade(total, grades)
    assert len(split) == grades
    assert sum(split) == total
    assert max(split) - min(split) <= 1
    assert split == sorted(split, reverse=True)


def test_cell_premium_share_adds_both_stages():
    catchments = Catchments(
        cell_school=np.array([[0, 0, 1], [2, -1, 2]]),
        cell_nearest=np.zeros((2, 3, 1), dtype=int),
        catchment_cells=[],
        catchment_weight_cdf=[],
    )
    premium = np.array([0.1, 0.2, 0.05])
    np.testing.assert_allclose(cell_premium_share(catchments, premium), [0.15, 0.1, 0.25])


def test_the_city_has_the_scenarios_pupils_schools_and_grades(world, demo_scenario):
    families, table = world.families, world.schools
    assert len(table) == 63
    for d, district in enumerate(demo_scenario.city.districts):
        mine = families.district == d
        stage = stage_of_grade(families.grade)
        assert (mine & (stage == 0)).sum() == district.pupils.primary
        assert (mine & (stage == 1)).sum() == district.pupils.junior
        for grade in range(1, 7):
            count = (mine & (families.grade == grade)).sum()
            assert count == pupils_per_grade(district.pupils.primary, 6)[grade - 1]
    np.testing.assert_array_equal(families.uid, np.arange(len(families)))
    assert set(np.unique(families.grade)) == set(range(1, 10))


def test_every_pupil_is_in_its_catchment_school_or_a_private_school_of_its_stage(world):
    families, table, catchments = world.families, world.schools, world.catchments
    stage = stage_of_grade(families.grade)
    assert (families.school >= 0).all()
    np.testing.assert_array_equal(table.stage[families.school], stage)
    np.testing.assert_array_equal(table.district[families.school], families.district)
    public = ~table.private[families.school]
    np.testing.assert_array_equal(
        families.school[public], catchments.cell_school[stage, families.cell][public]
    )
    assert (~public).any()


def test_private_schools_hold_their_pupil_share_and_have_no_catchment(world, demo_scenario):
    families, table, catchments = world.families, world.schools, world.catchments
    private = np.flatnonzero(table.private)
    assert private.size == 4  # one junior site in each of the demo's four districts
    assert not np.isin(catchments.cell_school, private).any()
    assert (table.premium_share[private] == 0).all()
    assert (table.fee_cny_per_year[private] > 0).all()
    assert (table.fee_cny_per_year[~table.private] == 0).all()
    share = demo_scenario.private.pupil_share_junior
    for district in range(4):
        for grade in (7, 8, 9):
            pupils = (families.district == district) & (families.grade == grade)
            in_private = table.private[families.school[pupils]].sum()
            assert abs(in_private - round(share * pupils.sum())) <= 1
    np.testing.assert_array_equal(table.enrollment, school_counts(families.school, len(table)))


def test_no_school_starts_above_capacity(world):
    families, table = world.families, world.schools
    assert (table.enrollment <= table.capacity).all()
    for grade in range(1, 10):
        counts = school_counts(families.school[families.grade == grade], len(table))
        assert (counts <= table.entry_capacity).all()
    np.testing.assert_array_equal(table.grades, np.where(table.stage == 0, 6, 3))
    np.testing.assert_array_equal(table.capacity, table.entry_capacity * table.grades)


def test_each_school_is_staffed_to_the_standard(world, demo_scenario):
    table, teachers = world.schools, world.teachers
    ratio = np.where(
        table.stage == 0,
        demo_scenario.schools.pupil_teacher_ratio_primary,
        demo_scenario.schools.pupil_teacher_ratio_junior,
    )
    np.testing.assert_array_equal(
        school_counts(teachers.school, len(table)), staff_needed(table.enrollment, ratio)
    )
    np.testing.assert_array_equal(teachers.uid, np.arange(len(teachers)))


def test_same_seed_same_city_other_seed_other_city(demo_scenario, world):
    again = build_world(demo_scenario, Streams(12))
    other = build_world(demo_scenario, Streams(13))
    for name in ("cell", "income_cny", "achievement", "school"):
        np.testing.assert_array_equal(getattr(world.families, name), getattr(again.families, name))
    np.testing.assert_array_equal(world.teachers.innate, again.teachers.innate)
    np.testing.assert_array_equal(world.schools.cell, again.schools.cell)
    assert not np.array_equal(world.families.income_cny, other.families.income_cny)
    assert not np.array_equal(world.schools.cell, other.schools.cell)


# -- initial inequality as in a real city ---------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_famous_schools_start_ahead(demo_scenario, seed):
    world = build_world(demo_scenario, Streams(seed))
    table, teachers, families = world.schools, world.teachers, world.families
    famous = table.famous
    assert famous.any() and not famous.all()
    params = demo_scenario.teachers
    effectiveness = school_mean(
        teachers.effectiveness(params.experience_gain, params.experience_scale_years),
        teachers.school,
        len(table),
    )
    log_income = school_mean(np.log(families.income_cny), families.school, len(table))
    assert effectiveness[famous].mean() > effectiveness[~famous].mean()
    assert log_income[famous].mean() > log_income[~famous].mean()
    assert table.reputation[famous].mean() > table.reputation[~famous].mean() + 1.0
    assert table.premium_share[famous].mean() > table.premium_share[~famous].mean()
    assert table.mean_achievement[famous].mean() > table.mean_achievement[~famous].mean()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_rural_county_schools_start_weaker_than_urban_ones(demo_scenario, seed):
    world = build_world(demo_scenario, Streams(seed))
    table, families = world.schools, world.families
    kind = world.geography.district_kind[table.district]
    urban, rural = kind == 0, kind == 2
    assert table.teaching_quality[rural].mean() < table.teaching_quality[urban].mean()
    assert table.mean_achievement[rural].mean() < table.mean_achievement[urban].mean()
    assert table.prestige[rural].mean() < table.prestige[urban].mean()
    pupil_kind = world.geography.district_kind[families.district]
    assert np.median(families.income_cny[pupil_kind == 2]) < np.median(
        families.income_cny[pupil_kind == 0]
    )


def test_initial_achievement_has_a_realistic_spread_and_income_gradient(world):
    families = world.families
    grade1 = families.grade == 1
    # grade 1 is anchored at the year-0 distribution: mean about 0, SD about 1
    assert abs(families.achievement[grade1].mean()) < 0.15
    assert 0.8 < families.achievement[grade1].std() < 1.2
    correlation = np.corrcoef(families.ses_z, families.achievement)[0, 1]
    assert 0.15 < correlation < 0.8
    assert np.isfinite(families.achievement).all()


def test_year0_families_in_blocks_equal_one_pass(demo_scenario, world, monkeypatch):
    """The year-0 passes over families run in blocks (memory of a block, not the city):
    blocks of 997 rows give the same columns, bit for bit, as one block for the city."""
    import edusim.world.synthesis as synthesis

    assert len(world.families) > 10 * 997  # several blocks, the last one partial
    monkeypatch.setattr(synthesis, "FAMILY_CHUNK_ROWS", 997)
    blocked = build_world(demo_scenario, Streams(12)).families
    for name in ["uid", *type(blocked).fields]:
        np.testing.assert_array_equal(getattr(blocked, name), getattr(world.families, name))
        assert getattr(blocked, name).dtype == getattr(world.families, name).dtype


def test_reserve_allocates_once():
    from edusim.agents.families import Families

    families = Families()
    families.reserve(10)
    buffer = families._buffers["income_cny"]
    for _ in range(2):
        families.add(5, **{name: 0 for name in Families.fields})
    assert families._buffers["income_cny"] is buffer and len(families) == 10
