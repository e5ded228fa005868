"""Staffing rules: who retires, who quits, how many posts are filled."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.policy.staffing import attrition_rate, leaving, vacancies
from edusim.scenario.schema import TeacherParams

PARAMS = TeacherParams(attrition_urban=0.02, attrition_rural=0.08)


def test_attrition_rate_by_district_kind():
    rates = attrition_rate(np.array([0, 1, 2, 0]), PARAMS)
    np.testing.assert_allclose(rates, [0.02, 0.05, 0.08, 0.02])


def test_leaving_by_hand():
    age = np.array([55.0, 54.9, 59.0, 60.0, 30.0, 30.0, 30.0])
    female = np.array([True, True, False, False, False, False, True])
    kind = np.array([0, 0, 0, 0, 0, 2, 1])
    draw = np.array([0.0, 0.5, 0.5, 0.0, 0.019, 0.079, 0.051])
    retiring, quitting = leaving(age, female, kind, draw, PARAMS)
    # women retire at 55 and men at 60; others quit when their draw falls under the rate
    assert retiring.tolist() == [True, False, False, True, False, False, False]
    assert quitting.tolist() == [False, False, False, False, True, True, False]


def test_vacancies_never_lay_anyone_off():
    needed = np.array([10, 5, 0, 3])
    in_post = np.array([7, 9, 0, 3])
    np.testing.assert_array_equal(vacancies(needed, in_post), [3, 0, 0, 0])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(20, 70),
            st.booleans(),
            st.integers(0, 2),
            st.floats(0, 1, exclude_max=True),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_a_teacher_either_retires_or_quits_or_stays(rows):
    age, female, kind, draw = (np.array(column) for column in zip(*rows, strict=True))
    retiring, quitting = leaving(age, female, kind, draw, PARAMS)
    assert not (retiring & quitting).any()
    statutory = np.where(female, PARAMS.retirement_age_female, PARAMS.retirement_age_male)
    np.testing.assert_array_equal(retiring, age >= statutory)
    assert (draw[quitting] < attrition_rate(kind[quitting], PARAMS)).all()


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_attrition_extremes(rate):
    params = TeacherParams(attrition_urban=rate, attrition_rural=rate)
    draw = np.linspace(0.0, 0.999, 20)
    _, quitting = leaving(np.full(20, 30.0), np.zeros(20, bool), np.zeros(20, int), draw, params)
    assert quitting.all() == (rate == 1.0)
    assert (~quitting).all() == (rate == 0.0)


def test_group_hiring_recruits_members_under_the_better_of_their_own_and_the_core_name():
    from edusim.policy.staffing import group_hiring_reputation

    reputation = np.array([1.0, -0.5, 0.2, 0.8, -1.0])
    # school 1 is a member of core 0 and of core 3; school 2 of core 4 (weaker than it)
    hiring = group_hiring_reputation(reputation, np.array([1, 1, 2]), np.array([0, 3, 4]))
    assert hiring.tolist() == [1.0, 1.0, 0.2, 0.8, -1.0]
    assert reputation.tolist() == [1.0, -0.5, 0.2, 0.8, -1.0]  # not changed in place
