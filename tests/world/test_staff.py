"""Teachers at the start and new hires: ages, experience, tiers, effectiveness."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.randomness import Streams
from edusim.scenario.schema import TeacherParams
from edusim.world.staff import hired_teachers, initial_teachers, retirement_age, staff_needed

PARAMS = TeacherParams()


def test_retirement_age_by_sex():
    ages = retirement_age(np.array([True, False, True]), PARAMS)
    np.testing.assert_array_equal(ages, [55.0, 60.0, 55.0])
    custom = TeacherParams(retirement_age_female=58, retirement_age_male=63)
    np.testing.assert_array_equal(retirement_age(np.array([True, False]), custom), [58.0, 63.0])


def test_staff_needed_by_hand():
    enrollment = np.array([0, 100, 169, 170, 1000])
    ratio = np.array([16.9, 16.9, 16.9, 16.9, 11.67])
    # 100/16.9 = 5.92 -> 6; 169/16.9 = 10; 170/16.9 = 10.06 -> 10; 1000/11.67 = 85.7 -> 86
    np.testing.assert_array_equal(staff_needed(enrollment, ratio), [1, 6, 10, 10, 86])


@pytest.fixture(scope="module")
def initial():
    n_schools = 40
    school = np.repeat(np.arange(n_schools), 100)
    prestige = np.linspace(-2, 2, n_schools)
    kind = np.where(np.arange(n_schools) < 20, 0, 2)  # first half urban, second rural
    columns = initial_teachers(school, prestige, kind, PARAMS, 0.6, Streams(3))
    return school, prestige, kind, columns


def test_initial_teachers_are_of_working_age_with_consistent_experience(initial):
    school, _, _, t = initial
    retire = retirement_age(t["female"], PARAMS)
    assert (t["age"] < retire).all()
    assert (t["age"] >= PARAMS.hire_age_mean).all()
    assert (t["experience"] >= 0).all()
    assert (t["experience"] <= t["age"] - PARAMS.hire_age_mean + 1e-9).all()
    assert (t["years_at_school"] <= t["experience"] + 1e-9).all()
    np.testing.assert_array_equal(t["school"], school)
    np.testing.assert_array_equal(t["home_school"], school)
    assert (t["posting_end"] == -1).all()
    assert (t["learned"] == 0).all()
    assert set(np.unique(t["tier"])) <= {0, 1, 2, 3}
    assert (t["tier"][t["experience"] < PARAMS.tier_min_experience_years] == 0).all()
    assert abs(t["female"].mean() - PARAMS.female_share) < 0.03


def test_prestigious_schools_hold_stronger_teachers_and_rural_ones_older(initial):
    school, prestige, kind, t = initial
    top = prestige[school] > 1
    bottom = prestige[school] < -1
    assert t["innate"][top].mean() - t["innate"][bottom].mean() > PARAMS.prestige_effect_slope
    rural = kind[school] == 2
    assert t["age"][rural].mean() > t["age"][~rural].mean() + 1.0
    assert t["qualified"][top].mean() > t["qualified"][bottom].mean()


def test_initial_teachers_are_reproducible(initial):
    school, prestige, kind, t = initial
    again = initial_teachers(school, prestige, kind, PARAMS, 0.6, Streams(3))
    for name, column in t.items():
        np.testing.assert_array_equal(column, again[name])


def test_hires_are_young_novices_and_reputable_schools_attract_stronger_ones():
    uids = np.arange(10_000, 30_000)
    school = np.repeat([0, 1], 10_000)
    reputation = np.array([-2.0, 2.0])
    hires = hired_teachers(uids, school, reputation, PARAMS, 0.8, Streams(5))
    assert (hires["age"] >= 20).all() and (hires["age"] <= 35).all()
    assert (hires["experience"] == 0).all()
    assert (hires["tier"] == 0).all()
    assert (hires["posting_end"] == -1).all()
    np.testing.assert_array_equal(hires["home_school"], school)
    gap = hires["innate"][school == 1].mean() - hires["innate"][school == 0].mean()
    assert gap == pytest.approx(4 * PARAMS.hire_reputation_slope, abs=0.01)
    assert abs(hires["qualified"].mean() - 0.8) < 0.02


def test_a_hires_draws_belong_to_its_id():
    uids = np.arange(500, 600)
    school = np.zeros(uids.size, dtype=int)
    reputation = np.array([0.5])
    a = hired_teachers(uids, school, reputation, PARAMS, 0.7, Streams(9))
    more = np.append(uids, 10_000)
    b = hired_teachers(more, np.zeros(more.size, dtype=int), reputation, PARAMS, 0.7, Streams(9))
    for name in ("innate", "age", "female", "qualified"):
        np.testing.assert_array_equal(a[name], b[name][:-1])


def test_an_initial_surplus_adds_teachers_in_rural_public_schools_only(small_city):
    from edusim.model import EduModel

    base = EduModel(small_city, seed=2, years=1)
    surplus = EduModel(
        small_city, seed=2, years=1, overrides={"teachers.initial_surplus_share_rural": 0.2}
    )
    n = len(base.school_table)
    table = base.school_table
    rural = (base.geography.district_kind[table.district] == 2) & ~table.private & table.active
    before = np.bincount(base.teachers.school, minlength=n)
    after = np.bincount(surplus.teachers.school, minlength=n)
    assert rural.any() and (~rural).any()
    assert (after[~rural] == before[~rural]).all()
    assert (after[rural] == before[rural] + np.rint(0.2 * before[rural])).all()
    assert after[rural].sum() > before[rural].sum()
