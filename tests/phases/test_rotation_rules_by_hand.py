"""A group's rotation pass, by hand (phases/rotation.py `_by_groups`): how many teachers
the core sends (the national share of its eligible teachers or the quota per member,
whichever is more), to which members (only those weaker than the core), who is asked
and who volunteers when the kind does not redeploy staff, and whom the principal sends
first when it does.

Written after the phases' fresh mutation sample of seed 27 (docs/testing.md). The city
is the small one; named group G (core Core-P01, members Core-P02 and Core-P03) forms in
2019, so the first year posts nobody; then each teacher's effectiveness is set by hand
(Core-P01's teachers 1.0, Core-P02's 0.0, Core-P03's 2.0: only Core-P02 is weaker than
the core), the core's 21 teachers all have 10 years at the school (eligible), its last
six by row are 30 and the other fifteen 50, and travel from the core is 5 km to
Core-P02 and 30 km to Core-P03.

With `taste_sd_cny` 0 and an honour worth CNY 30,000 a year, a teacher under the plateau
age (45) values a posting to Core-P02 at 30,000 - (10,000 host pay gap + 600 x 5 km +
15,000 disruption) = 2,000 > 0 and volunteers; a teacher of 50 at 0.3 x 30,000 - 28,000
< 0 does not."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.phases.rotation import GROUP, RotationPasses

SEED = 3
CORE, P02, P03 = 0, 1, 2


def _rotated(
    small_scenario, kind: str, core_spread: bool = False, p02_staff: int | None = None, **overrides
) -> tuple[EduModel, np.ndarray]:
    """The model after G's 2019 rotation pass and the core's teacher rows before it;
    `core_spread` gives the core's k-th teacher effectiveness 1 + k / 100 instead of 1,
    `p02_staff` leaves only that many teachers teaching at Core-P02 (the others moved to
    Core-P04's staff)."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": kind, "core": "Core-P01", "members": ["Core-P02", "Core-P03"],
             "formed": "2019-09-01"}
        ]
    }  # fmt: skip
    settings = {
        "rotation.taste_sd_cny": 0.0,
        "rotation.honour_value_cny": 30000.0,
        "rotation.backbone_share_min": 0.0,
        "teachers.senior_title_service_years": 0,
        **overrides,
    }
    model = EduModel(small_scenario, seed=SEED, years=3, overrides=settings)
    model.step()
    next(phase for phase in model.phases if phase.name == "policy").step(2019)
    teachers = model.teachers
    core_rows = np.flatnonzero(teachers.school == CORE)
    assert core_rows.size == 21 and (teachers.posting_end < 0).all()
    years, age = teachers.years_at_school.copy(), teachers.age.copy()
    years[core_rows] = 10.0
    age[core_rows[:15]], age[core_rows[15:]] = 50.0, 30.0
    teachers.years_at_school, teachers.age = years, age
    effectiveness = np.full(len(teachers), 0.5)
    effectiveness[teachers.school == CORE] = 1.0
    if core_spread:
        effectiveness[core_rows] = 1.0 + np.arange(core_rows.size) / 100
    effectiveness[teachers.school == P02] = 0.0
    effectiveness[teachers.school == P03] = 2.0
    model.teacher_effectiveness = lambda: effectiveness
    travel = np.full((len(model.school_table),) * 2, 10.0)
    np.fill_diagonal(travel, 0.0)
    travel[CORE, P02] = travel[P02, CORE] = 5.0
    travel[CORE, P03] = travel[P03, CORE] = 30.0
    model.school_travel_km = lambda: travel
    if p02_staff is not None:
        school = teachers.school.copy()
        school[np.flatnonzero(school == P02)[p02_staff:]] = 3
        teachers.school = school
    RotationPasses(model).run(2019)
    return model, core_rows


def _posted(model: EduModel, core_rows: np.ndarray) -> np.ndarray:
    teachers = model.teachers
    return core_rows[teachers.posting_end[core_rows] >= 0]


@pytest.mark.parametrize(("share", "posted"), [(0.1, 2), (0.9, 6)])
def test_a_kind_that_does_not_redeploy_asks_its_teachers_and_sends_only_volunteers(
    small_scenario, share, posted
):
    """Alliance (no `staff_redeploy`): all 21 eligible teachers are asked, the six under
    45 volunteer; the core sends round(share x 21) of them, at most the volunteers: 0.1
    -> round(2.1) = 2, 0.9 -> round(18.9) = 19 but only the 6 volunteers. Each goes to
    Core-P02 (Core-P03 is stronger than the core) for two years (to 2020), as a group
    posting."""
    model, core_rows = _rotated(small_scenario, "alliance", **{"rotation.share_of_eligible": share})
    stats, teachers = model.rotation_stats[2019], model.teachers
    assert (stats["asked"], stats["volunteers"]) == (21, 6)
    sent = _posted(model, core_rows)
    assert sent.size == posted == stats["group"] == stats["posted"]
    assert (teachers.age[sent] == 30.0).all()
    assert (teachers.school[sent] == P02).all() and (teachers.home_school[sent] == CORE).all()
    assert (teachers.posting_end[sent] == 2020).all() and (
        teachers.posting_kind[sent] == GROUP
    ).all()


@pytest.mark.parametrize(("willing_first", "age_sent"), [(True, 30.0), (False, 50.0)])
def test_a_redeploying_kind_sends_the_larger_of_share_and_quota_willing_first(
    small_scenario, willing_first, age_sent
):
    """Tight (`staff_redeploy`): nobody is asked; the core sends max(round(0.1 x 21) = 2,
    3 a weaker member x 1) = 3 to Core-P02. Every teacher has the same key (equal
    effectiveness, selection "any"), so with `willing_first` the three are volunteers
    (30), and without it the first three rows (50)."""
    model, core_rows = _rotated(
        small_scenario,
        "tight",
        **{"rotation.teachers_per_member": 3, "rotation.willing_first": willing_first},
    )
    stats, teachers = model.rotation_stats[2019], model.teachers
    assert (stats["asked"], stats["volunteers"]) == (0, 0)
    sent = _posted(model, core_rows)
    assert sent.size == 3 == stats["group"]
    assert (teachers.age[sent] == age_sent).all()
    assert (teachers.school[sent] == P02).all()
    if not willing_first:
        np.testing.assert_array_equal(sent, core_rows[:3])


@pytest.mark.parametrize(("p02_staff", "sent_rows"), [(1, [20, 19]), (None, [0, 1])])
def test_the_principal_weighs_the_staff_ratio_by_the_member_weight(
    small_scenario, p02_staff, sent_rows
):
    """Principals weigh a teacher's effectiveness by w x n / m - (1 - w), n and m the
    core's and the members' mean teaching staff (m at least 1), w the member weight
    (0.05 here). The core's k-th teacher has effectiveness 1 + k / 100; the core sends
    max(round(0.1 x 21), 1 a member) = 2 (nobody willing first). When Core-P02 has one
    teacher left, 0.05 x 21 / 1 - 0.95 = 0.1 > 0: the two strongest go (rows 20, 19);
    with its 14, 0.05 x 21 / 14 - 0.95 < 0: the two weakest (rows 0, 1)."""
    model, core_rows = _rotated(
        small_scenario,
        "tight",
        core_spread=True,
        p02_staff=p02_staff,
        **{
            "rotation.teachers_per_member": 1,
            "rotation.willing_first": False,
            "evaluation.member_weight": 0.05,
        },
    )
    sent = _posted(model, core_rows)
    np.testing.assert_array_equal(np.sort(sent), np.sort(core_rows[sent_rows]))


def test_the_reservoir_takes_its_share_of_backbone_from_strong_urban_schools_strongest_first(
    small_city,
):
    """The district's backbone reservoir (`_reservoir`), switched on for 2019 at a share of
    0.25 (timeline). Set by hand: every teacher ordinary, eligible (10 years at the
    school) and at home, but eight backbone teachers in Core (four at Core-P01 with
    effectiveness 0.5-0.2, two at Core-P02 with 0.9 and 0.8, two at Core-P03) and four in
    the Isles, whose schools are all rural; Core's primaries' quality 0.4, 0.3, 0.2, 0.1,
    so Core-P01 and Core-P02 send (at or above the median 0.25, urban) and Core-P03 and
    Core-P04 receive. Core's target is rint(0.25 x 8) = 2: the two strongest eligible
    backbone teachers of its sending schools, Core-P02's pair, join (district employer,
    term to 2019 + 3 - 1 = 2021) and are deployed for the year (to 2019) to Core's
    receiving primaries; the Isles' target of 1 finds no sending school and nobody joins.
    Nobody volunteers first (`willing_first` off). In 2020 the reservoir holds its two:
    nobody joins."""
    from edusim.phases.rotation import RESERVOIR

    share = {"date": "2019-09-01", "set": {"rotation.reservoir_share": 0.25}}
    model = EduModel(
        small_city,
        seed=SEED,
        years=3,
        overrides={"timeline": [share], "rotation.willing_first": False},
    )
    model.step()
    next(phase for phase in model.phases if phase.name == "policy").step(2019)
    teachers, table = model.teachers, model.school_table
    assert (teachers.employer == 0).all() and (teachers.posting_end < 0).all()
    tier = np.zeros(len(teachers), dtype=teachers.tier.dtype)
    effectiveness = np.zeros(len(teachers))
    rows_at = {s: np.flatnonzero(teachers.home_school == s) for s in range(len(table))}
    p01, p02, p03 = rows_at[0][:4], rows_at[1][:2], rows_at[2][:2]
    isles = np.concatenate([rows_at[6][:2], rows_at[7][:2]])
    tier[np.concatenate([p01, p02, p03, isles])] = 1
    effectiveness[p01] = [0.5, 0.4, 0.3, 0.2]
    effectiveness[p02] = [0.9, 0.8]
    effectiveness[p03] = [1.0, 1.0]  # strong, but at a receiving school
    teachers.tier = tier
    teachers.years_at_school = np.full(len(teachers), 10.0)
    model.teacher_effectiveness = lambda: effectiveness
    table.teaching_quality[[0, 1, 2, 3]] = [0.4, 0.3, 0.2, 0.1]
    table.rural[6:] = True
    RotationPasses(model).run(2019)
    pool = np.flatnonzero(teachers.employer == 1)
    np.testing.assert_array_equal(pool, np.sort(p02))
    assert (teachers.pool_end[pool] == 2021).all()
    assert (teachers.posting_kind[pool] == RESERVOIR).all()
    assert (teachers.posting_end[pool] == 2019).all()
    assert set(teachers.school[pool].tolist()) <= {2, 3}
    stats = model.rotation_stats[2019]
    assert (stats["reservoir"], stats["reservoir_size"]) == (2, 2)
    # the next year the reservoir already holds its target: nobody else joins
    RotationPasses(model).run(2020)
    np.testing.assert_array_equal(np.flatnonzero(teachers.employer == 1), np.sort(p02))


def test_the_district_rule_sends_each_strong_schools_quota_to_its_areas_weak_schools(
    small_city,
):
    """The district rule (`_by_district`), switched on for 2019 (timeline) at a share of
    0.25 of eligible teachers. Set by hand: everyone ordinary, eligible and at home, the
    k-th teacher effectiveness k / 1000; Core's primaries' quality 0.4, 0.3, 0.2, 0.1 and
    its juniors' 0.5, 0.1; the Isles all rural. Core-P01, Core-P02 and Core-J01 send (at
    or above their area's median, urban), each floor(0.25 x its teachers + its own
    `rotation.district_quota` draw of the year) of them; with member weight 0 and no
    backbone minimum the principal sends its weakest; each goes for `posting_years` (2:
    to 2020) to a receiving school of its own district and stage (Core-P03 or Core-P04,
    Core-J02). The rural Isles send nobody."""
    from edusim.phases.rotation import DISTRICT

    switch = {"date": "2019-09-01", "set": {"rotation.district_rotation": True}}
    model = EduModel(
        small_city,
        seed=SEED,
        years=3,
        overrides={
            "timeline": [switch],
            "rotation.share_of_eligible": 0.25,
            "rotation.willing_first": False,
            "rotation.backbone_share_min": 0.0,
            "rotation.group_rotation": False,
        },
    )
    model.step()
    next(phase for phase in model.phases if phase.name == "policy").step(2019)
    teachers, table = model.teachers, model.school_table
    assert (teachers.posting_end < 0).all()
    teachers.tier = np.zeros(len(teachers), dtype=teachers.tier.dtype)
    teachers.years_at_school = np.full(len(teachers), 10.0)
    effectiveness = np.arange(len(teachers)) / 1000
    model.teacher_effectiveness = lambda: effectiveness
    table.teaching_quality[[0, 1, 2, 3, 4, 5]] = [0.4, 0.3, 0.2, 0.1, 0.5, 0.1]
    table.rural[6:] = True
    home = teachers.school.copy()
    draw = model.streams.uniform("rotation.district_quota", 2019, np.arange(len(table)))
    RotationPasses(model).run(2019)
    posted = teachers.posting_end >= 0
    for sender, hosts in ((0, {2, 3}), (1, {2, 3}), (4, {5})):
        staff = np.flatnonzero(home == sender)
        quota = int(np.floor(0.25 * staff.size + draw[sender]))
        assert quota > 0
        np.testing.assert_array_equal(np.flatnonzero(posted & (home == sender)), staff[:quota])
        assert set(teachers.school[staff[:quota]].tolist()) <= hosts
    assert not (posted & ~np.isin(home, [0, 1, 4])).any()
    assert (teachers.posting_kind[posted] == DISTRICT).all()
    assert (teachers.posting_end[posted] == 2020).all()


@pytest.mark.parametrize(
    ("per_sd", "unified", "expected"),
    [(0.0, False, [0, 0, 2000]), (10000.0, False, [5000, -5000, 12000]),
     (10000.0, True, [0, 0, 12000])],
)  # fmt: skip
def test_reward_pay_is_the_score_times_the_rate_plus_the_zone_reward(
    small_scenario, per_sd, unified, expected
):
    """Reward pay per teacher (`reward_pay`): CNY `performance_pay_cny_per_sd` per SD of
    the school's last score, the score of its group (the mean of its schools') when pay
    is unified, plus its zone reward. Scores set by hand: Core-P01 0.5, Core-P02 -0.5
    (both in group G), Core-P03 1.0; Core-P03's zone reward CNY 2,000. Off: 0, 0, 2,000;
    by school: 5,000, -5,000, 12,000; unified: G's mean 0 at both, 12,000."""
    from edusim.phases.rotation import reward_pay

    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "tight", "core": "Core-P01", "members": ["Core-P02"],
             "formed": "2018-09-01"}
        ]
    }  # fmt: skip
    overrides = {
        "evaluation.performance_pay_cny_per_sd": per_sd,
        "evaluation.performance_pay_unified": unified,
    }
    model = EduModel(small_scenario, seed=SEED, years=2, overrides=overrides)
    model.step()
    table = model.school_table
    table.evaluation_score = np.zeros(len(table))
    table.evaluation_score[[0, 1, 2]] = [0.5, -0.5, 1.0]
    table.zone_pay_cny = np.zeros(len(table))
    table.zone_pay_cny[2] = 2000.0
    pay = reward_pay(model)
    np.testing.assert_allclose(pay[[0, 1, 2]], expected, rtol=0, atol=1e-9)
    assert not pay[3:].any()
