"""The staffing phase's posts, exits and hires, by hand (phases/staffing.py): each
school's posts under the pupil-teacher standard (raised at group cores, none at a closed
school, at least one at an open one), who retires and who quits, a rehired retiree who
stays to the end of its contract, and hires that fill exactly the posts left open.

Written after the phases' fresh mutation sample of seed 27 (docs/testing.md)."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.policy.titles import ORDINARY, SENIOR

SEED = 3
P01, P02, P03, P04 = 0, 1, 2, 3  # Core's primary schools
RETIREE = 2  # agents.teachers.EMPLOYERS.index("retiree")


def _staffing(model: EduModel):
    return next(phase for phase in model.phases if phase.name == "staffing")


def _grouped(small_scenario, **overrides) -> EduModel:
    """Named tight group G (core Core-P01, member Core-P02) formed in 2018, after the
    first year."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "tight", "core": "Core-P01", "members": ["Core-P02"],
             "formed": "2018-09-01"}
        ]
    }  # fmt: skip
    model = EduModel(small_scenario, seed=SEED, years=3, overrides=overrides)
    model.step()
    return model


def test_posts_follow_the_standard_raised_at_cores_and_none_at_a_closed_school(
    small_scenario,
):
    """20 pupils a teacher, cores 20% more posts: the core Core-P01 with 400 pupils has
    rint(20 x 1.2) = 24 posts; member Core-P02 with 226 has rint(11.3) = 11; Core-P03
    with 5 pupils has at least one; Core-P04, closed, none."""
    model = _grouped(
        small_scenario,
        **{"schools.pupil_teacher_ratio_primary": 20.0, "teachers.core_extra_posts_share": 0.2},
    )
    table = model.school_table
    table.enrollment[[P01, P02, P03, P04]] = [400, 226, 5, 0]
    table.active[P04] = False
    posts = _staffing(model)._posts()
    assert posts[[P01, P02, P03, P04]].tolist() == [24, 11, 1, 0]


def test_retirements_quits_and_hires_fill_each_schools_posts_exactly(small_scenario):
    """In 2019, with quit rates 0.1 in Core (urban) and 0.2 in the Isles (rural): the
    teachers at or above their statutory age retire (five are made 70); of the rest, a
    teacher quits when its own `teachers.exit` draw of the year is under its home
    district's rate. Then each school hires max(0, posts - school-employed teachers left)
    new teachers, with the next ids, at home there (two teachers the district employs in
    its reservoir do not hold their home school's posts). The year's flows record the counts:
    after = before - retired - quit + hired."""
    model = _grouped(
        small_scenario,
        **{
            "teachers.attrition_urban": 0.1,
            "teachers.attrition_rural": 0.2,
            # voluntary transfers off: they only move posts' holders (tests/phases/
            # test_transfers_in_model.py)
            "teachers.transfer_apply_share": 0.0,
        },
    )
    staffing, table, teachers = _staffing(model), model.school_table, model.teachers
    age = teachers.age.copy()
    age[[0, 10, 20, 30, 40]] = 70.0
    teachers.age = age
    employer = teachers.employer.copy()
    employer[[5, 6]] = 1  # in the district's reservoir: their home schools refill their posts
    teachers.employer = employer
    params = model.params.teachers
    statutory = np.where(teachers.female, params.retirement_age_female, params.retirement_age_male)
    retiring = teachers.age >= statutory
    rural_home = model.geography.district_kind[table.district[teachers.home_school]] == 2
    draw = model.streams.uniform("teachers.exit", 2019, teachers.uid)
    quitting = ~retiring & (draw < np.where(rural_home, 0.2, 0.1))
    assert retiring.sum() >= 5 and quitting.sum() > 0
    staying_uid = teachers.uid[~(retiring | quitting)]
    before, next_uid = len(teachers), teachers.next_uid

    staffing._exits_and_hires(2019)

    old = np.isin(teachers.uid, staying_uid)
    assert old.sum() == staying_uid.size and (teachers.uid[: old.sum()] == staying_uid).all()
    new = ~old
    posts = staffing._posts()
    held = np.bincount(teachers.home_school[old & (teachers.employer == 0)], minlength=len(table))
    hires = np.maximum(0, posts - held)
    assert hires.sum() > 0
    np.testing.assert_array_equal(np.sort(teachers.uid[new]), next_uid + np.arange(hires.sum()))
    np.testing.assert_array_equal(
        np.bincount(teachers.home_school[new], minlength=len(table)), hires
    )
    np.testing.assert_array_equal(teachers.school[new], teachers.home_school[new])
    assert model.staff_flows[2019] == {
        "in_post_before": before,
        "retired": int(retiring.sum()),
        "quit": int(quitting.sum()),
        "hired": int(hires.sum()),
        "in_post_after": before - int(retiring.sum()) - int(quitting.sum()) + int(hires.sum()),
        "rehired_retirees": 0,
        "transferred": 0,
    }


def test_a_rehired_retiree_teaches_to_the_end_of_its_contract_and_then_leaves(small_scenario):
    """Two teachers past retirement age teach on as rehired retirees (employer
    `retiree`): one whose contract ended in 2018 leaves in 2019 (counted as retired), one
    whose contract runs to 2019 stays that year although past the statutory age, and
    neither quits (no attrition)."""
    model = _grouped(
        small_scenario, **{"teachers.attrition_urban": 0.0, "teachers.attrition_rural": 0.0}
    )
    staffing, teachers = _staffing(model), model.teachers
    age, employer, end = teachers.age.copy(), teachers.employer.copy(), teachers.rehire_end.copy()
    age[[0, 1]] = 66.0
    employer[[0, 1]] = RETIREE
    end[[0, 1]] = [2018, 2019]
    teachers.age, teachers.employer, teachers.rehire_end = age, employer, end
    params = model.params.teachers
    statutory = np.where(teachers.female, params.retirement_age_female, params.retirement_age_male)
    retiring = (teachers.age >= statutory) & (teachers.employer != RETIREE)
    gone, kept = teachers.uid[0], teachers.uid[1]

    staffing._exits_and_hires(2019)

    assert gone not in teachers.uid and kept in teachers.uid
    flows = model.staff_flows[2019]
    assert (flows["retired"], flows["quit"]) == (int(retiring.sum()) + 1, 0)


@pytest.mark.parametrize(("service_years", "promoted"), [(0, [5, 8, 9]), (1, [5])])
def test_free_senior_posts_go_to_the_schools_best_candidates_with_credit_for_rotation(
    small_scenario, service_years, promoted
):
    """Core-P02's 12 teachers, set by hand: row k of them has effectiveness k / 100, 20
    years' experience (row 0: 9) and an ordinary title, but row 10 is senior and row 11
    (0.11) is in the district's reservoir. 400 pupils at 20 a teacher are 20 posts, 20%
    of them senior a quota of 4: 3 free. Candidates are ordinary school teachers with 10
    years' experience and, at an urban school, `senior_title_service_years` served
    elsewhere. Row 5 has rotated for 2 years: with `promotion_priority` its key gains
    1 x 0.05, 0.10. Without a service condition rows 5 (0.10), 9 and 8 are promoted, not
    the reservoir's row 11; with one year required, only row 5 has served. The year's
    record counts every promotion in the city."""
    model = _grouped(
        small_scenario,
        **{
            "schools.pupil_teacher_ratio_primary": 20.0,
            "teachers.senior_title_share": 0.2,
            "teachers.senior_title_service_years": service_years,
            "rotation.promotion_priority": True,
        },
    )
    teachers, table = model.teachers, model.school_table
    rows = np.flatnonzero(teachers.home_school == P02)
    assert rows.size == 12 and (teachers.employer[rows] == 0).all()
    table.enrollment[P02] = 400
    title, experience = teachers.title.copy(), teachers.experience.copy()
    employer, rotated = teachers.employer.copy(), teachers.rotated_years.copy()
    title[rows] = ORDINARY
    title[rows[10]] = SENIOR
    experience[rows] = 20.0
    experience[rows[0]] = 9.0
    employer[rows[11]] = 1
    rotated[rows] = 0.0
    rotated[rows[5]] = 2.0
    teachers.title, teachers.experience = title, experience
    teachers.employer, teachers.rotated_years = employer, rotated
    effectiveness = np.zeros(len(teachers))
    effectiveness[rows] = np.arange(12) / 100
    model.teacher_effectiveness = lambda: effectiveness
    model.staff_flows[2019] = {}
    before = teachers.title.copy()

    _staffing(model)._review_titles(2019)

    risen = (teachers.title == SENIOR) & (before != SENIOR)
    np.testing.assert_array_equal(np.flatnonzero(risen[rows]), promoted)
    assert model.staff_flows[2019]["promoted_senior"] == int(risen.sum())


def test_top_tier_retirees_who_accept_teach_on_at_rural_schools_strongest_to_weakest(
    small_scenario,
):
    """`retiree_rural_share` 0.5, no quits. Six top-tier (famous_special) teachers of
    Core-P01 and two of Core-J01 reach retirement age (70) in 2019, with effectiveness
    0.9, 0.8, ... by row (the two juniors chosen among those whose draw accepts); one of
    tier 2 does too. A top-tier retiree goes on teaching
    when its own `teachers.rehire` draw of the year is under 0.5; the rural public
    primaries are Isles-P01 (its teachers' effectiveness 0.3) and Isles-P02 (0.1), the
    rural junior Isles-J02: the strongest returning primary teacher goes to the weakest,
    Isles-P02, the next to Isles-P01, and round again; the juniors to Isles-J02. Each is
    employed there as a retiree (outside the posts) to 2019 + 2 - 1 = 2020, at home there
    with 0 years; the others, the tier-2 teacher included, retire."""
    model = _grouped(
        small_scenario,
        **{
            "rotation.retiree_rural_share": 0.5,
            "teachers.attrition_urban": 0.0,
            "teachers.attrition_rural": 0.0,
        },
    )
    staffing, table, teachers = _staffing(model), model.school_table, model.teachers
    rural = np.zeros(len(table), dtype=bool)
    rural[[6, 7, 11]] = True
    table.rural = rural
    draw = model.streams.uniform("teachers.rehire", 2019, teachers.uid)
    primary = np.flatnonzero(teachers.home_school == 0)[:7]
    junior = np.flatnonzero((teachers.home_school == 4) & (draw < 0.5))[:2]  # both accept
    age, tier = teachers.age.copy(), teachers.tier.copy()
    retirees = np.concatenate([primary, junior])
    age[:] = np.minimum(age, 50.0)
    age[retirees] = 70.0
    tier[retirees] = 3
    tier[primary[6]] = 2
    teachers.age, teachers.tier = age, tier
    effectiveness = np.zeros(len(teachers))
    effectiveness[retirees] = 0.9 - np.arange(retirees.size) / 10
    effectiveness[teachers.school == 6] = 0.3
    effectiveness[teachers.school == 7] = 0.1
    model.teacher_effectiveness = lambda: effectiveness
    top = np.concatenate([primary[:6], junior])
    returning = top[draw[top] < 0.5]
    assert 0 < returning.size < top.size and set(junior) <= set(returning)
    back_primary = [r for r in returning if r in primary]  # strongest first (row order)
    expected = {int(teachers.uid[r]): (7, 6)[k % 2] for k, r in enumerate(back_primary)}
    expected |= {int(teachers.uid[r]): 11 for r in returning if r in junior}
    retired = sorted(set(teachers.uid[retirees].tolist()) - set(expected))

    staffing._exits_and_hires(2019)

    where = {int(u): i for i, u in enumerate(teachers.uid)}
    assert not set(retired) & set(where)
    for uid, host in expected.items():
        i = where[uid]
        assert (teachers.school[i], teachers.home_school[i]) == (host, host)
        assert (teachers.employer[i], teachers.rehire_end[i]) == (RETIREE, 2020)
        assert (teachers.posting_end[i], teachers.years_at_school[i]) == (-1, 0.0)
    flows = model.staff_flows[2019]
    assert (flows["rehired_retirees"], flows["retired"]) == (len(expected), len(retired))


def test_reward_pay_at_the_school_taught_lowers_the_quit_rate(small_scenario):
    """Quit rate 0.2 everywhere, CNY 10,000 of reward pay per SD of the school's last
    score, `quit_pay_response` 0.5 per CNY 10,000: a teacher at a school scoring s quits
    when its `teachers.exit` draw is under 0.2 x exp(-0.5 x s), read at the school it
    teaches at this year. Scores by hand: 2.0 at Core-P01 (0.0736), -2.0 at Core-P02
    (0.5437), 0 elsewhere (0.2); nobody retires (all under 50)."""
    model = _grouped(
        small_scenario,
        **{
            "teachers.attrition_urban": 0.2,
            "teachers.attrition_rural": 0.2,
            "evaluation.performance_pay_cny_per_sd": 10000.0,
            "evaluation.quit_pay_response": 0.5,
        },
    )
    staffing, table, teachers = _staffing(model), model.school_table, model.teachers
    teachers.age = np.minimum(teachers.age, 50.0)
    table.evaluation_score = np.zeros(len(table))
    table.evaluation_score[[P01, P02]] = [2.0, -2.0]
    rate = np.full(len(table), 0.2)
    rate[[P01, P02]] = [0.2 * np.exp(-1.0), 0.2 * np.exp(1.0)]
    draw = model.streams.uniform("teachers.exit", 2019, teachers.uid)
    quitting = draw < rate[teachers.school]
    assert quitting[teachers.school == P02].mean() > 0.3
    staying = teachers.uid[~quitting]

    staffing._exits_and_hires(2019)

    assert model.staff_flows[2019]["quit"] == int(quitting.sum())
    np.testing.assert_array_equal(teachers.uid[: staying.size], staying)
