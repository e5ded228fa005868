"""Private-school lists of considering families: the compiled pass gives the lists of the
families x schools arrays (`school_values`, affordability, `ranked_lists`)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.phases.private_intake import (
    KmToMembers,
    Weighing,
    first_private_choices,
    private_lists,
    private_lists_reference,
)
from edusim.policy.enrollment import members_table
from edusim.scenario.loader import load_scenario


def _compare(seed: int, n: int, n_schools: int, list_length: int, ties: bool = False) -> int:
    """`n` considering families in 3 districts with `n_schools` private schools; both forms
    compared; returns how many schools were listed (to show the draws are not vacuous).
    With `ties`, sites, cells, reputations and fees take few values, so schools tie in
    distance, appeal and fee (what the pruning of dominated schools must get right)."""
    rng = np.random.default_rng(seed)
    params = load_scenario("demo")  # the parameters in force are the scenario
    enrollment = params.enrollment.model_copy(update={"choice_list_length": list_length})
    model = SimpleNamespace(
        geography=SimpleNamespace(cell_x=rng.uniform(0, 30, 50), cell_y=rng.uniform(0, 30, 50)),
        school_table=SimpleNamespace(
            x_km=rng.uniform(0, 30, n_schools),
            y_km=rng.uniform(0, 30, n_schools),
            reputation=rng.normal(0, 1, n_schools),
            fee_cny_per_year=rng.uniform(1e4, 1e5, n_schools),
        ),
        params=SimpleNamespace(
            enrollment=enrollment, families=params.families, private=params.private
        ),
    )
    if ties:
        table = model.school_table
        table.x_km, table.y_km = rng.integers(0, 3, (2, n_schools)).astype(float) * 10
        table.reputation = rng.integers(-1, 2, n_schools).astype(float)
        table.fee_cny_per_year = rng.choice([1e4, 5e4], n_schools)
        model.geography.cell_x, model.geography.cell_y = rng.integers(0, 3, (2, 50)) * 10.0
    school_district = rng.integers(-1, 3, n_schools)  # -1: not a private school of the stage
    members = members_table(school_district, 3)
    cells = rng.integers(0, 50, n)
    district = rng.integers(0, 3, n).astype(np.int16)
    income = rng.lognormal(12.5, 1.0, n)
    taste = rng.uniform(0.01, 0.5, n)
    sibling = np.where(rng.random(n) < 0.3, rng.integers(0, n_schools, n), -1).astype(np.int32)
    public_value = rng.normal(-2e5, 3e5, n)
    public_value[rng.random(n) < 0.2] = -np.inf  # no documents: public only as a last resort
    stage_fee = model.school_table.fee_cny_per_year * 6
    args = (model, members, district, cells, income, taste, sibling, public_value, stage_fee)
    got = private_lists(*args)
    expected = private_lists_reference(*args)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    # the fit's first choices (distances read from a per-(cell, district) table) are the
    # lists' heads, ties included (the earlier member first in both)
    weighing = Weighing(
        np.arange(n), members, district, cells, income, taste, sibling, public_value, stage_fee
    )
    appeal = model.school_table.reputation
    first = first_private_choices(model, weighing, KmToMembers.of(model, weighing), appeal)
    np.testing.assert_array_equal(first, got[:, 0] if got.shape[1] else np.full(n, -1))
    return int((got >= 0).sum(axis=1).clip(0, 2).sum())


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 60), st.integers(1, 25), st.integers(1, 8))
def test_compiled_private_lists_equal_the_array_form(seed, n, n_schools, list_length):
    _compare(seed, n, n_schools, list_length)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 60), st.integers(1, 25), st.integers(1, 8))
def test_compiled_private_lists_equal_the_array_form_with_ties(seed, n, n_schools, list_length):
    _compare(seed, n, n_schools, list_length, ties=True)


def test_the_drawn_families_list_several_private_schools():
    """The property above is not vacuous: families list schools, many of them two or more
    (so the order is compared)."""
    listed = [_compare(seed, 60, 20, 4) for seed in range(5)]
    assert sum(listed) > 150
    assert sum(_compare(seed, 60, 20, 4, ties=True) for seed in range(5)) > 150
