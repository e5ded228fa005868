"""Retired famous teachers teaching at rural schools (Hangzhou 001), inside the model."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel

RETIREE = 2


def _model(scenario, share: float) -> EduModel:
    return EduModel(
        scenario,
        seed=3,
        years=5,
        overrides={
            "teachers.share_famous_special": 0.3,
            "rotation.retiree_rural_share": share,
            "rotation.retiree_rural_years": 2,
        },
    )


def test_top_tier_retirees_teach_two_years_at_rural_public_schools_outside_the_posts(
    small_scenario,
):
    model = _model(small_scenario, 1.0)
    table = model.school_table
    top_tier_before = set(model.teachers.uid[model.teachers.tier == 3].tolist())
    while not (model.teachers.employer == RETIREE).any():
        model.step()  # the first retirements come in the second year (ages as built)
    t, year = model.teachers, model.current_school_year
    rehired = t.employer == RETIREE
    assert set(t.uid[rehired].tolist()) <= top_tier_before
    assert (t.age[rehired] >= np.where(t.female[rehired], 55.0, 60.0)).all()
    assert (table.rural[t.school[rehired]] & ~table.private[t.school[rehired]]).all()
    assert (t.school[rehired] == t.home_school[rehired]).all()
    assert (t.rehire_end[rehired] == year + 1).all()
    assert model.staff_flows[year]["rehired_retirees"] == int(rehired.sum())
    first_year = set(t.uid[rehired].tolist())
    model.step()
    still = set(model.teachers.uid[model.teachers.employer == RETIREE].tolist())
    assert first_year <= still  # a second year at the rural school
    model.step()
    assert not first_year & set(model.teachers.uid.tolist())  # gone after their two years


def test_rural_schools_hold_more_top_tier_teachers_with_the_policy_than_without(
    small_scenario,
):
    counts = []
    for share in (0.0, 1.0):
        model = _model(small_scenario, share)
        model.step()
        model.step()
        t, table = model.teachers, model.school_table
        counts.append(int(((t.tier == 3) & table.rural[t.school]).sum()))
        if share == 0.0:
            assert not (t.employer == RETIREE).any()
    assert counts[1] > counts[0]
