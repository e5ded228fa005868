"""Unified hiring in groups (Sanming 四(二)1) inside the model: the same year's hires,
drawn by the same per-teacher streams, are stronger at members recruiting under a
stronger core's name, and unchanged elsewhere."""

from __future__ import annotations

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.model import EduModel

TIGHT = [
    {"name": "T", "kind": "tight", "formed": "2018-09-01", "stage": "primary",
     "target_share": 0.6}
]  # fmt: skip


def _first_year_hires(small_city, group_hiring: bool) -> tuple[EduModel, np.ndarray]:
    model = EduModel(
        small_city,
        seed=3,
        years=2,
        overrides={
            "groups.rules": TIGHT,
            "teachers.group_hiring": group_hiring,
            # many leavers, so that members hire in the first year
            "teachers.attrition_urban": 0.3,
            "teachers.attrition_rural": 0.3,
        },
    )
    first_new = model.teachers.next_uid
    model.step()
    return model, model.teachers.uid >= first_new


def test_members_hire_under_their_core_name(small_city):
    on, hired_on = _first_year_hires(small_city, True)
    off, hired_off = _first_year_hires(small_city, False)
    assert (on.teachers.uid[hired_on] == off.teachers.uid[hired_off]).all()  # same hires
    members = np.unique(on.groups.school[on.groups.role == MEMBER])
    at_member = np.isin(on.teachers.home_school[hired_on], members)
    assert at_member.any() and (~at_member).any()
    gain = on.teachers.innate[hired_on] - off.teachers.innate[hired_off]
    assert (gain[at_member] > 0).all()  # every member's core is better known than it
    assert (gain[~at_member] == 0).all()
