"""Private demand: an amenity raises the demand for a private school, and the amenity is
inverted from the enrolment as built so that the city starts consistent with its private
schools."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.phases.private_intake import AMENITY_BOUND, considering_families
from edusim.world.schools import FIRST_GRADE

STAGE = 1  # the demo city's private schools are junior schools


@pytest.fixture(scope="module")
def fitted(demo_path):
    # seed 1: with two-stock learning seed 2's fit leaves every private junior school at 0
    # or at the bound (0, 0, 0, 3), so none would show a fitted amenity inside the bounds
    return (
        EduModel(demo_path, seed=1, years=1),
        EduModel(demo_path, seed=1, years=1, overrides={"private.fit_amenity": False}),
    )


def first_choices(model: EduModel, amenity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First choices and entrants as built of the private schools, among the last
    entrants as built, when schools carry `amenity`."""
    families, table = model.families, model.school_table
    cohort = np.flatnonzero((families.grade == FIRST_GRADE[STAGE]) & (families.school >= 0))
    lists = considering_families(model, STAGE, cohort).lists(model, table.reputation + amenity)
    schools = np.flatnonzero(table.private & (table.stage == STAGE))
    demand = np.bincount(lists[lists[:, 0] >= 0, 0], minlength=len(table))[schools]
    target = np.bincount(families.school[cohort], minlength=len(table))[schools]
    return demand, target


def test_an_amenity_draws_families_to_a_private_school(fitted):
    model, _ = fitted
    schools = np.flatnonzero(model.school_table.private)
    none = np.zeros(len(model.school_table))
    before, _ = first_choices(model, none)
    lifted = none.copy()
    lifted[schools[0]] = 1.0
    after, _ = first_choices(model, lifted)
    assert after[0] > before[0]
    assert (after[1:] <= before[1:]).all()  # taken from the district's others, if any


def test_the_fitted_amenity_makes_the_last_entrants_choose_private_schools_as_built(fitted):
    model, unfitted = fitted
    assert not unfitted.private_amenity.any()
    demand, target = first_choices(model, model.private_amenity)
    before, _ = first_choices(model, np.zeros_like(model.private_amenity))
    schools = np.flatnonzero(model.school_table.private)
    free = model.private_amenity[schools] < AMENITY_BOUND  # not held at the bound
    rising = free & (model.private_amenity[schools] > 0)
    assert rising.any()
    assert (np.abs(demand - target)[rising] <= 0.1 * target[rising] + 2).all()
    assert np.abs(demand - target)[free].sum() < np.abs(before - target)[free].sum()
    # public schools get none, and an oversubscribed school keeps 0 (its places are full)
    assert not model.private_amenity[~model.school_table.private].any()
    assert (model.private_amenity >= 0).all()
    assert ((before > target) & (model.private_amenity[schools] == 0)).any()
