"""Shared courses and shared facilities in the model: with them on, members' teaching
quality (and their pupils' learning) moves toward their core's by what the rules give;
with them off (the default), the sharing pass adds nothing and the tables are those of a
model without it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from edusim.agents.groups import MEMBER
from edusim.model import EduModel
from edusim.processes.aggregate import school_mean

ZONES = {
    "groups.rules": [
        {"name": "Z", "kind": "zone", "formed": "2018-09-01", "stage": "primary",
         "member_pool": ["any"], "max_cores": 2, "max_members": 3},
        {"name": "ZJ", "kind": "zone", "formed": "2018-09-01", "stage": "junior",
         "member_pool": ["any"], "max_cores": 1, "max_members": 3},
    ]
}  # fmt: skip


def _one_year(scenario, **overrides) -> EduModel:
    model = EduModel(scenario, seed=6, years=1, overrides={**ZONES, **overrides})
    model.step()
    return model


def test_shared_courses_move_members_teaching_quality_and_learning_toward_the_core(
    small_scenario,
):
    plain = _one_year(small_scenario)
    shared = _one_year(small_scenario, **{"groups.kinds.zone.shared_courses": 0.3})
    groups = shared.groups
    members = groups.role == MEMBER
    school, core = groups.school[members], groups.core_of_rows()[members]
    before = plain.school_table.teaching_quality
    after = shared.school_table.teaching_quality
    assert school.size >= 3
    # the cores and the schools in no group are untouched
    others = np.setdiff1d(np.arange(len(before)), school)
    np.testing.assert_array_equal(after[others], before[others])
    # each member gains at most 0.3 of its gap to the core, never loses, and those below
    # their core by more than the travel costs gain something
    gap = before[core] - before[school]
    gain = after[school] - before[school]
    assert (gain >= 0).all()
    assert (gain <= 0.3 * np.maximum(gap, 0) + 1e-12).all()
    assert (gain[gap > 0.05] > 0).all() and (gap > 0.05).any()
    # members' pupils learn more, the cores' the same
    pupils = shared.families
    gained = school_mean(pupils.achievement, pupils.school, len(after)) - school_mean(
        plain.families.achievement, plain.families.school, len(after)
    )
    assert gained[school[gap > 0.05]].min() > 0
    np.testing.assert_allclose(gained[np.unique(core)], 0.0, atol=1e-12)


def test_far_members_lose_lesson_time_to_travel(small_scenario):
    near = _one_year(small_scenario, **{"groups.kinds.zone.shared_courses": 0.3})
    slow = _one_year(
        small_scenario,
        **{"groups.kinds.zone.shared_courses": 0.3, "sharing.travel_speed_kmh": 2.0},
    )
    base = _one_year(small_scenario)
    gain_near = near.school_table.teaching_quality - base.school_table.teaching_quality
    gain_slow = slow.school_table.teaching_quality - base.school_table.teaching_quality
    assert (gain_slow <= gain_near + 1e-12).all() and (gain_slow < gain_near).any()


def test_shared_facilities_lift_the_campuses_with_less_than_their_group_s_best(small_scenario):
    plain = _one_year(small_scenario)
    shared = _one_year(small_scenario, **{"groups.kinds.zone.shared_facilities": 1.0})
    gain = shared.school_table.teaching_quality - plain.school_table.teaching_quality
    rural = shared.school_table.rural
    grouped = np.zeros(len(gain), dtype=bool)
    grouped[shared.groups.school] = True
    assert (gain >= -1e-12).all() and (gain <= 0.03 + 1e-12).all()
    assert (gain[~grouped] == 0).all()
    assert gain[grouped & rural].max() > 0


def test_with_sharing_off_the_pass_changes_no_table(small_scenario, monkeypatch):
    import edusim.phases.school_year as school_year

    def run() -> dict[str, pd.DataFrame]:
        return EduModel(small_scenario, seed=6, years=2, overrides=ZONES).run().tables()

    with_pass = run()
    monkeypatch.setattr(
        school_year, "sharing_gain", lambda model, year, quality: np.zeros(quality.size)
    )
    without = run()
    for name, table in with_pass.items():
        pd.testing.assert_frame_equal(table, without[name], check_exact=True)


def test_shared_after_school_services_lift_members_by_their_weighted_share_of_the_gap(
    small_scenario,
):
    plain = _one_year(small_scenario)
    shared = _one_year(small_scenario, **{"groups.kinds.zone.shared_after_school": 1.0})
    groups = shared.groups
    members = groups.role == MEMBER
    school, core = groups.school[members], groups.core_of_rows()[members]
    before = plain.school_table.teaching_quality
    gain = shared.school_table.teaching_quality - before
    # defaults: 10 after-school hours over 20 lesson hours, weight 0.25
    expected = 0.125 * np.maximum(before[core] - before[school], 0.0)
    np.testing.assert_allclose(gain[school], expected, atol=1e-12)
    others = np.setdiff1d(np.arange(len(gain)), school)
    np.testing.assert_array_equal(gain[others], 0.0)
