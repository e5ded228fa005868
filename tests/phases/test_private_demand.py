"""Private demand: ranked lists from values with an amenity, and the amenity inverted from
the enrolment as built so that the city starts consistent with its private schools."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.phases.private_intake import AMENITY_BOUND, PrivateOptions, private_options
from edusim.world.schools import FIRST_GRADE


def test_an_amenity_can_make_a_school_worth_applying_to():
    options = PrivateOptions(
        position=np.array([0, 3]),
        candidates=np.array([[5, 7], [5, 7]]),
        value=np.array([[100.0, 90.0], [10.0, 20.0]]),
        per_sd=np.array([10.0, 10.0]),
        public_value=np.array([95.0, 50.0]),
        affordable=np.array([[True, True], [True, False]]),
    )
    none = np.zeros(8)
    applicants, lists = options.lists(none, 2)
    assert applicants.tolist() == [0] and lists.tolist() == [[5, -1]]
    # one SD of amenity at school 7 lifts the first family's value of it to 100 > 95, but
    # the second cannot afford it; four SD at school 5 lift the second's to 50, not above
    amenity = none.copy()
    amenity[7], amenity[5] = 1.0, 4.0
    applicants, lists = options.lists(amenity, 2)
    assert applicants.tolist() == [0] and lists.tolist() == [[5, 7]]
    amenity[5] = 4.5
    applicants, lists = options.lists(amenity, 1)
    assert applicants.tolist() == [0, 3] and lists.tolist() == [[5], [5]]


@pytest.fixture(scope="module")
def fitted(demo_path):
    return (
        EduModel(demo_path, seed=2, years=1),
        EduModel(demo_path, seed=2, years=1, overrides={"private.fit_amenity": False}),
    )


def first_choices(model: EduModel, amenity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    families, table = model.families, model.school_table
    stage = 1  # the demo city's private schools are junior schools
    cohort = np.flatnonzero((families.grade == FIRST_GRADE[stage]) & (families.school >= 0))
    _, lists = private_options(model, stage, cohort).lists(
        amenity, model.params.enrollment.choice_list_length
    )
    schools = np.flatnonzero(table.private & (table.stage == stage))
    demand = np.bincount(lists[:, 0], minlength=len(table))[schools]
    target = np.bincount(families.school[cohort], minlength=len(table))[schools]
    return demand, target


def test_the_fitted_amenity_makes_the_last_entrants_choose_private_schools_as_built(fitted):
    model, unfitted = fitted
    assert not unfitted.private_amenity.any()
    demand, target = first_choices(model, model.private_amenity)
    before, _ = first_choices(model, np.zeros_like(model.private_amenity))
    schools = np.flatnonzero(model.school_table.private)
    free = model.private_amenity[schools] < AMENITY_BOUND  # not held at the bound
    error, error_before = np.abs(demand - target)[free], np.abs(before - target)[free]
    rising = free & (model.private_amenity[schools] > 0)
    assert rising.any()
    assert (np.abs(demand - target)[rising] <= 0.1 * target[rising] + 2).all()
    assert error.sum() < error_before.sum()
    # public schools get none, and an oversubscribed school keeps 0 (its places are full)
    assert not model.private_amenity[~model.school_table.private].any()
    assert (model.private_amenity >= 0).all()
    over = (before > target) & (model.private_amenity[schools] == 0)
    assert over.any()
