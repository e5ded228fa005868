"""District rotation (县管校聘), the backbone reservoir (蓄水池), evaluation with consequences
and Sanming's incentives, inside the model."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.policy.district_rotation import school_areas, senders_and_receivers

TIGHT = [
    {"name": "G", "kind": "tight", "formed": "2018-09-01", "stage": "primary", "target_share": 0.6}
]


def _senders_receivers(model: EduModel, scope: str = "district"):
    table = model.school_table
    area = school_areas(table.district, table.stage, ~table.private & (table.enrollment > 0), scope)
    return area, *senders_and_receivers(table.teaching_quality, table.rural, area)


def _check_invariants(model: EduModel) -> None:
    """A teacher has one school and one home; away from home exactly while posted; in the
    reservoir exactly while district-employed; ids unique."""
    t, n = model.teachers, len(model.school_table)
    assert np.unique(t.uid).size == len(t)
    assert ((t.school >= 0) & (t.school < n) & (t.home_school >= 0) & (t.home_school < n)).all()
    posted = t.posting_end >= 0
    assert ((t.posting_kind > 0) == posted).all()
    assert (t.school[~posted] == t.home_school[~posted]).all()
    assert (t.school[posted] != t.home_school[posted]).all()
    assert ((t.employer == 1) == (t.pool_end >= 0)).all()


def test_the_district_rule_posts_from_strong_urban_to_weak_or_rural_schools_without_groups(
    small_scenario,
):
    model = EduModel(
        small_scenario, seed=2, years=2, overrides={"rotation.district_rotation": True}
    )
    area, senders, receivers = _senders_receivers(model)
    eligible_at_senders = int(
        ((model.teachers.years_at_school >= 6) & senders[model.teachers.school]).sum()
    )
    model.step()
    t = model.teachers
    posted = t.posting_kind == 2
    assert posted.any() and model.groups.school.size == 0
    assert senders[t.home_school[posted]].all() and receivers[t.school[posted]].all()
    assert (area[t.home_school[posted]] == area[t.school[posted]]).all()
    assert 0.05 < posted.sum() / eligible_at_senders < 0.15  # national 10%
    assert len(t) == model.staff_flows[2018]["in_post_after"]  # rotation moves, never adds
    _check_invariants(model)


def test_each_kind_of_rotation_can_run_alone(demo_path):
    kinds = {}
    for group_rotation, district_rotation in ((True, False), (False, True)):
        model = EduModel(
            demo_path,
            seed=3,
            years=1,
            overrides={
                "groups.rules": TIGHT,
                "rotation.group_rotation": group_rotation,
                "rotation.district_rotation": district_rotation,
            },
        ).run()
        kinds[group_rotation] = set(
            np.unique(model.teachers.posting_kind[model.teachers.posting_end >= 0])
        )
        _check_invariants(model)
    assert kinds[True] == {1}
    assert kinds[False] == {2}


def test_the_reservoir_holds_its_share_of_backbone_teachers_and_deploys_them(small_scenario):
    overrides = {"rotation.reservoir_share": 0.2, "rotation.reservoir_term_years": 2}
    model = EduModel(small_scenario, seed=4, years=3, overrides=overrides)
    plain = EduModel(small_scenario, seed=4, years=3)
    for _ in range(3):
        area, _, receivers = _senders_receivers(model)  # as staffing will see them
        model.step()
        plain.step()
        t, table = model.teachers, model.school_table
        held = t.employer == 1
        district = table.district[t.home_school]
        backbone = np.bincount(district[t.tier >= 1], minlength=2)
        assert (np.bincount(district[held], minlength=2) <= np.rint(0.2 * backbone) + 1).all()
        assert held.sum() > 0
        deployed = held & (t.posting_kind == 3)
        assert receivers[t.school[deployed]].all()
        assert (area[t.school[deployed]] == area[t.home_school[deployed]]).all()
        _check_invariants(model)
    # the pooled posts are refilled by the home schools the year after teachers join:
    # more hires than without a reservoir
    assert model.staff_flows[2019]["hired"] > plain.staff_flows[2019]["hired"]


def test_pay_parity_changes_who_a_tight_group_sends(demo_path):
    """With willing teachers first, pay parity makes more (mostly young, unplateaued)
    teachers willing, so other teachers go; without it (the default) a tight core assigns
    by its principal's ranking alone and pay parity cannot matter."""
    posted = {}
    for parity in (False, True):
        model = EduModel(
            demo_path,
            seed=6,
            years=1,
            overrides={
                "groups.rules": TIGHT,
                "rotation.pay_parity": parity,
                "rotation.willing_first": True,
            },
        ).run()
        t = model.teachers
        mask = t.posting_kind == 1
        posted[parity] = (set(t.uid[mask]), t.age[mask].mean())
    assert posted[True][0] != posted[False][0]
    assert posted[True][1] < posted[False][1]


def test_promotion_priority_promotes_teachers_with_two_school_experience(demo_path):
    """Teachers who rotated under both settings hold higher tiers with priority; the tables
    differ (before, a run with the setting on or off gave identical tables). At seed 6 over
    3 years the set of backbone teachers (tier >= 1) happens to be the same: priority moved
    rotated teachers into the upper tiers, which `rotated_tier_mean` reports."""
    runs = {}
    for priority in (False, True):
        runs[priority] = EduModel(
            demo_path,
            seed=6,
            years=3,
            overrides={"groups.rules": TIGHT, "rotation.promotion_priority": priority},
        ).run()
    rotated = [set(m.teachers.uid[m.teachers.rotated_years > 0]) for m in runs.values()]
    both = np.array(sorted(rotated[0] & rotated[1]))
    assert both.size >= 10

    def tiers(model):
        t = model.teachers
        return t.tier[np.searchsorted(t.uid, both)].astype(float)

    assert (tiers(runs[True]) >= tiers(runs[False])).all()
    assert tiers(runs[True]).mean() > tiers(runs[False]).mean()
    metrics = [m.tables()["metrics"] for m in runs.values()]
    rotated_tier = [
        frame[frame.metric == "rotated_tier_mean"]["value"].iloc[-1] for frame in metrics
    ]
    assert rotated_tier[1] > rotated_tier[0]


def test_results_funds_are_paid_to_the_upper_half_of_groups(demo_path):
    model = EduModel(
        demo_path,
        seed=6,
        years=2,
        overrides={"groups.rules": TIGHT, "evaluation.results_fund_cny": 200_000},
    ).run()
    paid = model.money[2019]["results_fund_cny"]
    groups = len(model.groups.groups)
    assert paid == pytest.approx(200_000 * (groups // 2)) or paid == pytest.approx(
        200_000 * ((groups - 1) // 2)
    )
    metrics = model.tables()["metrics"]
    value = metrics[(metrics.metric == "results_fund_cny") & (metrics.year == 2020)]["value"]
    assert value.iloc[0] == pytest.approx(paid)


def test_performance_pay_changes_who_quits_and_who_volunteers(demo_path):
    """Reward pay by school score (off by default) is not inert: in alliance groups, whose
    teachers volunteer, the same seed gives other quits and other volunteers from the
    second year (the first staffing has no score yet). Unified pay is checked in
    tests/policy/test_pay.py."""
    alliance = [{**TIGHT[0], "kind": "alliance"}]
    runs = {}
    for name, overrides in {
        "off": {},
        "on": {"evaluation.performance_pay_cny_per_sd": 20_000.0},
    }.items():
        model = EduModel(
            demo_path, seed=9, years=3, overrides={"groups.rules": alliance, **overrides}
        ).run()
        quits = [flows["quit"] for flows in model.staff_flows.values()]
        volunteers = [stats["volunteers"] for stats in model.rotation_stats.values()]
        runs[name] = (quits, volunteers)
    assert runs["on"][0][0] == runs["off"][0][0]  # no score before the first July
    assert runs["on"][0][1:] != runs["off"][0][1:]
    assert runs["on"][1][1:] != runs["off"][1][1:]


def test_walk_teaching_lends_core_teachers_part_time_to_members(demo_path):
    """走教: one backbone teacher of each core teaches a fifth of the time at each member,
    keeping the post at the core (no posting); in the first school year the members'
    teaching quality rises and the cores' falls against the same groups without it."""
    runs = {}
    for per_member in (0, 1):
        overrides = {"groups.rules": TIGHT, "rotation.walk_teachers_per_member": per_member}
        runs[per_member] = EduModel(demo_path, seed=4, years=1, overrides=overrides).run()
    model = runs[1]
    t = model.teachers
    walking = t.second_school >= 0
    members = model.groups.school[model.groups.role == 2]
    cores = np.unique(model.groups.school[model.groups.role == 1])
    assert walking.sum() == members.size == model.rotation_stats[2018]["walking"]
    assert set(t.second_school[walking]) == set(members)
    assert (t.school[walking] == t.home_school[walking]).all()
    assert (t.posting_end[walking] < 0).all() and (t.tier[walking] >= 1).all()
    assert model.rotation_stats[2018]["walk_travel_cny"] > 0
    quality = {k: m.school_table.teaching_quality for k, m in runs.items()}
    assert (quality[1][members] - quality[0][members]).mean() > 0.003
    assert (quality[1][cores] - quality[0][cores]).mean() < 0


def test_a_district_with_no_receiving_school_keeps_its_teachers_at_home(small_scenario):
    """A district whose only junior school is strong and urban has senders but nowhere to
    send them: nobody is posted from it and no teacher is left without a school (a run of
    Hangzhou at 2% of its size used to crash here, with teachers posted to school -1)."""
    small_scenario["city"]["districts"][0]["schools"]["junior"] = 1
    model = EduModel(
        small_scenario, seed=2, years=2, overrides={"rotation.district_rotation": True}
    )
    area, senders, receivers = _senders_receivers(model)
    lonely = np.flatnonzero(senders & (model.school_table.stage == 1))
    assert lonely.size == 1 and not (receivers & (area == area[lonely[0]])).any()
    model.step()
    t = model.teachers
    assert (t.posting_kind == 2).any()  # the other areas still post
    assert not ((t.home_school == lonely[0]) & (t.posting_kind == 2)).any()
    _check_invariants(model)
