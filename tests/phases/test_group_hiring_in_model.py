"""Unified hiring in groups (Sanming 四(二)1) inside the model: the same year's hires,
drawn by the same per-teacher streams, are stronger at members recruiting under a
stronger core's name while their teachers are below the core's, by no more than closes
that gap, and unchanged elsewhere."""

from __future__ import annotations

import numpy as np

import edusim.phases.staffing as staffing_phase
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


def test_members_hire_under_their_core_name(small_city, monkeypatch):
    seen = []
    rule = staffing_phase.hiring_uplift_within_gap

    def recorded(uplift, hires, staff, gap):
        seen.append((uplift, hires, staff, gap, rule(uplift, hires, staff, gap)))
        return seen[-1][-1]

    monkeypatch.setattr(staffing_phase, "hiring_uplift_within_gap", recorded)
    on, hired_on = _first_year_hires(small_city, True)
    off, hired_off = _first_year_hires(small_city, False)
    assert (on.teachers.uid[hired_on] == off.teachers.uid[hired_off]).all()  # same hires
    members = np.unique(on.groups.school[on.groups.role == MEMBER])
    at_member = np.isin(on.teachers.home_school[hired_on], members)
    assert at_member.any() and (~at_member).any()
    gain = on.teachers.innate[hired_on] - off.teachers.innate[hired_off]
    assert (gain[~at_member] == 0).all()
    (uplift, hires, staff, gap, allowed) = seen[0]  # the first year's hires
    school = on.teachers.home_school[hired_on]
    np.testing.assert_allclose(gain, allowed[school])
    # every member's core is better known than it, so its hires gain while its teachers
    # are below the core's, and together never lift them past the core's
    assert (gain[at_member] > 0).any()
    below = gap[school] > 0
    assert (gain[at_member & below] > 0).all() and (gain[~below] == 0).all()
    assert (allowed * hires / np.maximum(staff, 1) <= gap + 1e-12).all()
    assert (allowed <= uplift + 1e-12).all()
