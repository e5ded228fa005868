"""The planner's posting roll (planning/estimate.group_postings) by hand: the posting rule
of phases/rotation.py on a group's year-0 teachers, each posting made only within the
member's gap to its core (policy/staffing.moves_within_gap) and lasting `posting_years`.
Every value below is worked out in the test's comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edusim.planning.estimate import (
    Estimator,
    GroupStaff,
    PostingRule,
    group_postings,
    staff_by_school,
)
from edusim.planning.facts import CityFacts, city_facts
from edusim.scenario.funding import FundingParams
from edusim.scenario.loader import load_scenario


def _rule(**changes) -> PostingRule:
    # one teacher per weaker member, no national share; member_weight 1, so the
    # principal sends the strongest first (key = effectiveness * staff ratio)
    values = {
        "share": 0.0,
        "per_member": 1,
        "send_back": False,
        "posting_years": 2,
        "eligible_years": 0.0,
        "member_weight": 1.0,
        "selection": "any",
        "backbone_min": 0.0,
    }
    return PostingRule(**{**values, **changes})


def _staff(
    school: list[int],
    effectiveness: list[float],
    years_at_school: list[float] | None = None,
    age: list[float] | None = None,
) -> GroupStaff:
    n = len(school)
    return GroupStaff(
        np.array(school),
        np.array(effectiveness, dtype=float),
        np.zeros(n, dtype=np.int64),
        np.array(age if age is not None else [40.0] * n),
        np.array(years_at_school if years_at_school is not None else [10.0] * n),
        np.ones(n, dtype=bool),
    )


# core: 0.5, 0.3, 0.1, 0.1 (level 0.25, 4 teachers); member: four at 0.0
CORE_AND_MEMBER = ([0, 0, 0, 0, 1, 1, 1, 1], [0.5, 0.3, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0])


def test_the_cap_binds_while_last_years_posting_is_still_away():
    """Year 0: the 0.5 teacher goes (core 0.5/3 = 0.167, member 0.5/5 = 0.1: within).
    Year 1, the 0.5 teacher still away: the 0.3 teacher would leave the core at 0.2/2 =
    0.1 and lift the member to 0.8/6 = 0.133, past it: skipped. Year 2 the 0.5 teacher is
    back (eligible at once, 0 years asked) and goes again; year 3 as year 1."""
    staff = _staff(*CORE_AND_MEMBER)
    posted = group_postings(staff, 1, np.ones(4, dtype=bool), _rule())
    np.testing.assert_array_equal(posted, [1, 0, 1, 0])
    # postings of one year never overlap, so the cap never binds
    one_year = group_postings(staff, 1, np.ones(4, dtype=bool), _rule(posting_years=1))
    np.testing.assert_array_equal(one_year, [1, 1, 1, 1])


def test_a_teacher_back_from_a_posting_starts_its_years_at_the_core_again():
    """Only the 0.6 teacher has the 6 years asked (9); the others have 0 and reach 6 in
    year 6. posting_years 1: it goes in year 0 (core 0.6/3 = 0.2, member 0.6/5 = 0.12),
    is back in year 1 with 0 years, eligible again in year 7; years 1-5 nobody is
    eligible. Year 6 a 0.2 teacher goes (core 1.0/3, member 0.2/5); year 7 the 0.6
    teacher again (the 0.2 teacher of year 6 is back, core level 0.3)."""
    staff = _staff(
        [0, 0, 0, 0, 1, 1, 1, 1],
        [0.6, 0.2, 0.2, 0.2, 0.0, 0.0, 0.0, 0.0],
        years_at_school=[9.0, 0.0, 0.0, 0.0, 9.0, 9.0, 9.0, 9.0],
    )
    rule = _rule(posting_years=1, eligible_years=6.0)
    posted = group_postings(staff, 1, np.ones(8, dtype=bool), rule)
    np.testing.assert_array_equal(posted, [1, 0, 0, 0, 0, 0, 1, 1])


def test_teachers_sent_back_count_and_enter_the_cores_level():
    """send_back: the member sends its youngest (age 30, 0.2) for the core's 0.5 teacher:
    core (0.8 - 0.5 + 0.2)/2 = 0.25, member (0.2 + 0.5 - 0.2)/4 = 0.125,
    within; 2 postings. Year 1 the core's only teacher of its own at home is the 0.3 one;
    sending it for the member's next youngest (0.0) leaves the core at 0.2/2 = 0.1 and
    lifts the member to 0.8/4 = 0.2: skipped (had the 0.2 teacher stayed at the member,
    the core would be 0.3 alone and the swap for it would be made). Year 2 all are back:
    as year 0."""
    staff = _staff(
        [0, 0, 1, 1, 1, 1],
        [0.5, 0.3, 0.2, 0.0, 0.0, 0.0],
        age=[50.0, 50.0, 30.0, 40.0, 50.0, 60.0],
    )
    posted = group_postings(staff, 1, np.ones(3, dtype=bool), _rule(send_back=True))
    np.testing.assert_array_equal(posted, [2, 0, 2])


def test_whom_the_principal_sends_depends_on_the_staff_ratio():
    """member_weight 0.5: the key is effectiveness * (0.5 * n / m - 0.5), n and m the
    core's and the members' teachers (policy/rotation.principal_ranking). Core 0.1, 0.5
    (n = 2). A member of 1 teacher at 0.0: n / m = 2, the strongest goes first and would
    leave the core at 0.1 with the member at 0.5/2: skipped. A member of 3: n / m = 2/3,
    the weakest first: core 0.5, member 0.1/4, made."""
    rule = _rule(member_weight=0.5)
    once = np.ones(1, dtype=bool)
    small = _staff([0, 0, 1], [0.1, 0.5, 0.0])
    np.testing.assert_array_equal(group_postings(small, 1, once, rule), [0])
    larger = _staff([0, 0, 1, 1, 1], [0.1, 0.5, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(group_postings(larger, 1, once, rule), [1])


def test_members_at_or_above_the_core_get_nothing_and_inactive_years_post_nothing():
    """A member stronger than the core gets no postings (the weaker one does); in years
    the group does not exist nothing is posted, and postings made before still end."""
    # core 0.25 as above; member 1 at 0.0 (4 teachers), member 2 at 0.4 (30 teachers:
    # were it counted as a host, by staff it would be dealt both postings of a quota of 2,
    # each skipped, and member 1 none)
    staff = _staff(
        [0, 0, 0, 0, 1, 1, 1, 1] + [2] * 30,
        [0.5, 0.3, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0] + [0.4] * 30,
    )
    active = np.array([False, True, True, True])
    posted = group_postings(staff, 2, active, _rule())
    # years 1-3 are years 0-2 of the first test: only member 1 is weaker
    np.testing.assert_array_equal(posted, [0, 1, 0, 1])
    none_weaker = _staff([0, 0, 1, 1], [0.1, 0.1, 0.2, 0.2])
    assert group_postings(none_weaker, 1, np.ones(3, dtype=bool), _rule()).sum() == 0


def test_the_principal_ranks_teachers_at_their_age_that_year():
    """selection 'young' (under 35 first), posting_years 1. Year 0 the 34-year-old 0.1
    teacher goes (core 1.1/2 = 0.55, member 0.1/3). Year 1 it is back and 35: the 0.9
    teacher is ranked first and would leave the core at 0.3/2 = 0.15 and lift the member
    to 0.9/3 = 0.3, past it: skipped."""
    staff = _staff([0, 0, 0, 1, 1], [0.9, 0.1, 0.2, 0.0, 0.0], age=[50.0, 34.0, 50.0, 40.0, 40.0])
    rule = _rule(selection="young", posting_years=1)
    np.testing.assert_array_equal(group_postings(staff, 1, np.ones(2, dtype=bool), rule), [1, 0])


def test_the_national_share_and_the_quota_take_the_larger():
    """share 0.5 of the core's 4 eligible = 2 > one member's quota of 1: two postings in
    year 0 if both stay within the gap. Member of 10 teachers at 0.0: the 0.5 and 0.3
    teachers go (core 0.2/2 = 0.1, member 0.8/12 = 0.067)."""
    staff = _staff([0, 0, 0, 0] + [1] * 10, [0.5, 0.3, 0.1, 0.1] + [0.0] * 10)
    posted = group_postings(staff, 1, np.ones(1, dtype=bool), _rule(share=0.5))
    np.testing.assert_array_equal(posted, [2])


def _estimator(staff: dict[str, GroupStaff], rule: PostingRule | None) -> Estimator:
    years = np.arange(2018, 2022)
    return Estimator(
        years=years,
        funding=(FundingParams(),) * years.size,
        cap=np.full(years.size, np.inf),
        district={},
        eligible={"core": 4.0},
        strength={"core": 0.25, "member": 0.0},
        share=0.0,
        per_member=1,
        send_back=False,
        rotate=True,
        rule=rule,
        staff=staff,
    )


def test_the_estimator_rolls_named_groups_and_counts_unnamed_members_uncapped():
    """A group whose schools the city names is rolled (the first test's [1, 0, 1, 0],
    from 2018); one with a member the city does not name (a rule group's) posts the
    uncapped count, the member counting as weaker."""
    school, effectiveness = CORE_AND_MEMBER
    core = _staff(school[:4], effectiveness[:4])
    member = _staff([0] * 4, effectiveness[4:])
    est = _estimator({"core": core, "member": member}, _rule())
    rolled = est.requests("tight", "core", ["member"], 2018).teachers
    np.testing.assert_array_equal(rolled, [1, 0, 1, 0])
    np.testing.assert_array_equal(
        est.requests("tight", "core", ["member"], 2019).teachers, [0, 1, 0, 1]
    )
    unnamed = est.requests("tight", "core", ["core#0"], 2018).teachers
    np.testing.assert_array_equal(unnamed, [1, 1, 1, 1])
    # without a rule (the roll not set up) every named group is counted uncapped too
    uncapped = _estimator({"core": core, "member": member}, None)
    np.testing.assert_array_equal(
        uncapped.requests("tight", "core", ["member"], 2018).teachers, [1, 1, 1, 1]
    )


def test_staff_by_school_splits_the_citys_teachers_by_school():
    schools = pd.DataFrame({"name": ["A", "B", "C"]})
    teachers = pd.DataFrame(
        {
            "school": [1, 0, 1],
            "effectiveness": [0.2, 0.1, 0.3],
            "tier": [0, 1, 0],
            "age": [30.0, 40.0, 50.0],
            "years_at_school": [1.0, 2.0, 3.0],
            "available": [True, False, True],
        }
    )
    facts = CityFacts(schools, np.zeros((3, 3)), {}, teachers)
    staff = staff_by_school(facts)
    assert sorted(staff) == ["A", "B"]  # C has no teachers
    np.testing.assert_array_equal(staff["B"].effectiveness, [0.2, 0.3])
    np.testing.assert_array_equal(staff["B"].school, [0, 0])
    np.testing.assert_array_equal(staff["A"].available, [False])
    assert staff["A"].tier.tolist() == [1]


def test_the_citys_teachers_agree_with_its_schools(small_city):
    """The facts' teacher table is the city the schools' figures were read on: each
    school's mean effectiveness is its strength, and its available teachers with the
    years asked are its eligible teachers."""
    scenario = load_scenario({**small_city, "years": 1})
    facts = city_facts(scenario, 7)
    schools = facts.schools
    staff = staff_by_school(facts)
    years = scenario.rotation.eligible_years_at_school
    for _, row in schools.iterrows():
        mine = staff[row["name"]]
        assert mine.effectiveness.mean() == pytest.approx(row["strength"])
        eligible = (mine.available & (mine.years_at_school >= years)).sum()
        assert eligible == row["eligible_teachers"]
