"""Which grants the budget cap covers, and a zone reward paid as performance pay
(Chongming 二6): in the model, one year, on the small city."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.phases.rotation import reward_pay

SEED = 3
RULES = [
    {"name": "T", "kind": "tight", "formed": "2018-09-01", "stage": "primary",
     "target_share": 0.6},
    {"name": "Z", "kind": "zone", "formed": "2018-09-01", "stage": "junior",
     "target_share": 1.0, "member_pool": ["any"]},
]  # fmt: skip
MONEY = {"funding.branch_campus_cny": 1e6, "funding.zone_cny": 3e5}


def _one_year(small_city, **overrides) -> EduModel:
    model = EduModel(
        small_city, seed=SEED, years=2, overrides={"groups.rules": RULES, **MONEY, **overrides}
    )
    model.step()
    return model


def test_a_grant_outside_the_capped_kinds_is_paid_in_full(small_city):
    model = _one_year(
        small_city,
        **{"funding.budget_cap_cny": 1e5, "funding.capped_grants": ["branch_campus"]},
    )
    money = model.money[model.current_school_year]
    table = model.school_table
    zones = model.groups.kind_of_rows() == "zone"
    zone_count = np.unique(model.groups.group[zones]).size
    assert zone_count >= 1
    # branch grants are scaled to the 100,000 cap; the zones get their 300,000 each
    assert money["spent_cny"] == pytest.approx(1e5 + 3e5 * zone_count)
    assert money["scale"] < 1
    assert table.resource_grant_cny.sum() == pytest.approx(money["spent_cny"])


def test_a_zone_reward_as_pay_is_teachers_pay_not_school_money(small_city):
    as_grant = _one_year(small_city)
    as_pay = _one_year(small_city, **{"funding.zone_reward_as_pay": True})
    year = as_pay.current_school_year
    zones = as_pay.groups.kind_of_rows() == "zone"
    zone_count = np.unique(as_pay.groups.group[zones]).size
    assert as_pay.money[year]["performance_pay_cny"] == pytest.approx(3e5 * zone_count)
    assert as_grant.money[year]["performance_pay_cny"] == 0
    # the schools' resource money falls by exactly the zones' reward
    assert as_grant.money[year]["spent_cny"] - as_pay.money[year]["spent_cny"] == pytest.approx(
        3e5 * zone_count
    )
    # the reward reaches the zone schools' teachers as pay: per teacher, summed over
    # each school's teachers, it adds up to the reward (this year's staff)
    table, teachers = as_pay.school_table, as_pay.teachers
    zone_schools = np.unique(as_pay.groups.school[zones])
    assert (table.zone_pay_cny[zone_schools] > 0).all()
    staff = np.bincount(teachers.school, minlength=len(table))
    assert pytest.approx(3e5 * zone_count, rel=0.05) == (table.zone_pay_cny * staff).sum()
    assert (reward_pay(as_pay)[zone_schools] > 0).all()
