"""Rule-level tests written against survivors of the seventh fresh sample of the phases
(seed 32, docs/testing.md), after that score: not counted as fresh."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel

SEED = 3


def test_a_rotated_principal_starts_its_new_school_unjudged(small_city):
    """Principal rotation (`leaders.principal_rotation`, one term): every principal has
    served long enough and carries a judgement; those dealt to another school start
    there with no years, no judgement and no judged years, those left where they were
    keep theirs (phases/leadership.py `_rotate_principals`)."""
    from edusim.agents.leaders import PRINCIPAL
    from edusim.phases.leadership import LeaderPasses

    overrides = {"leaders.principal_rotation": True, "leaders.rotation_terms": 1}
    model = EduModel(small_city, seed=SEED, years=3, overrides=overrides)
    model.step()
    leaders = model.leaders
    principal = np.flatnonzero(leaders.role == PRINCIPAL)
    years, judged, judged_years = (
        leaders.years_at_school.copy(),
        leaders.judged.copy(),
        leaders.judged_years.copy(),
    )
    years[principal] = 50.0
    judged[principal] = np.linspace(-1.0, 1.0, principal.size)
    judged_years[principal] = 4.0
    leaders.years_at_school, leaders.judged, leaders.judged_years = years, judged, judged_years
    school_before = leaders.school.copy()
    stats = {"rotated": 0}
    LeaderPasses(model)._rotate_principals(stats)
    moved = principal[leaders.school[principal] != school_before[principal]]
    stayed = np.setdiff1d(principal, moved)
    assert moved.size > 0 and stats["rotated"] == moved.size
    assert (leaders.years_at_school[moved] == 0.0).all()
    assert (leaders.judged[moved] == 0.0).all()
    assert (leaders.judged_years[moved] == 0.0).all()
    assert (leaders.judged_years[stayed] == 4.0).all()
    assert (leaders.years_at_school[stayed] == 50.0).all()


def test_the_private_lottery_is_drawn_again_each_year(small_scenario):
    """Three oversubscribed private primaries of 8 places (公民同招's lottery): the same
    entrants applying in 2019 and in 2020 are admitted differently, because each year's
    lottery is keyed by the year as well as the family (phases/private_intake.py);
    the same year gives the same admissions."""
    from edusim.phases.private_intake import private_intake
    from edusim.world.schools import FIRST_GRADE

    core, isles = small_scenario["city"]["districts"]
    core["private_schools"] = {"primary": 3, "junior": 0}
    isles["private_schools"] = {"primary": 0, "junior": 0}
    model = EduModel(small_scenario, seed=SEED, years=2)
    families, table = model.families, model.school_table
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])
    private = table.private & (table.stage == 0)
    table.classes_per_grade = np.where(private, 1, table.classes_per_grade)
    table.class_size = np.where(private, 8, table.class_size)
    admitted = {}
    for label, year in (("2019", 2019), ("2020", 2020), ("2019 again", 2019)):
        families.school[entrants] = -1
        left, applicants = private_intake(model, year, 0, entrants)
        assert applicants > 24 and entrants.size - left.size == 24  # oversubscribed
        admitted[label] = families.school[entrants].copy()
    np.testing.assert_array_equal(admitted["2019"], admitted["2019 again"])
    assert (admitted["2019"] != admitted["2020"]).sum() >= 4


def test_a_single_vacant_post_is_filled(small_city):
    """`_appoint` (phases/leadership.py): after the first year every open school has its
    principal and its two deputies, so nobody is appointed; when Core-P03's principal
    leaves, exactly one post is vacant and exactly one principal is appointed there (a
    new leader, the next uid), the school's deputies untouched."""
    from edusim.agents.leaders import DEPUTY, PRINCIPAL
    from edusim.phases.leadership import LeaderPasses

    model = EduModel(small_city, seed=SEED, years=3)
    model.step()
    leaders, passes = model.leaders, LeaderPasses(model)
    stats = {"appointed": 0}
    passes._appoint(2020, stats)
    assert stats["appointed"] == 0
    school = 2
    gone = (leaders.role == PRINCIPAL) & (leaders.home_school == school)
    assert gone.sum() == 1
    leaders.keep(~gone)
    size, next_uid = len(leaders), leaders.next_uid
    passes._appoint(2020, stats)
    assert stats["appointed"] == 1 and len(leaders) == size + 1
    assert leaders.uid[-1] == next_uid
    assert (leaders.role[-1], leaders.school[-1], leaders.home_school[-1]) == (
        PRINCIPAL,
        school,
        school,
    )
    at_school = leaders.home_school == school
    assert ((leaders.role == PRINCIPAL) & at_school).sum() == 1
    assert ((leaders.role == DEPUTY) & at_school).sum() == 2


def test_the_mechanism_counts_of_an_intake_add_up_the_rules_from_zero(small_city, monkeypatch):
    """The intake's record of a stage sums what each enrollment rule's matching found
    (phases/placement.py `_assign`): the entrants matched by a mechanism, those in a
    blocking pair and those sampled and gaining by misreporting all start at 0 and add
    each matching's count. Run under choice with the Boston mechanism in every district
    (not stable, so blocking pairs are checked: none on the small city) and 40 entrants
    a stage sampled for misreporting: the recorded counts are the sums of the
    matchings' own, and every public entrant was matched by the mechanism."""
    from edusim.phases.placement import Placement

    overrides = {
        "enrollment.rule": "choice",
        "enrollment.mechanism": "immediate_acceptance",
        "enrollment.misreport_sample": 40,
    }
    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    found_by_stage = {0: [], 1: []}
    real = Placement._match

    def spy(self, year, stage, code, lists, entrants, *rest):
        matched, found = real(self, year, stage, code, lists, entrants, *rest)
        forecast = len(rest) == 6 and rest[5]  # home, entitled, standing, lottery, free, forecast
        if not forecast:  # a forecast placement records nothing
            found_by_stage[stage].append(dict(found))
        return matched, found

    monkeypatch.setattr(Placement, "_match", spy)
    model.step()
    keys = ("matched", "blocked", "misreport_checked", "misreport_gainers")
    for stage, found in found_by_stage.items():
        record = model.intake[stage]
        assert found, stage
        for key in keys:
            assert record[key] == sum(f.get(key, 0) for f in found), (stage, key)
        assert record["matched"] == record["entrants"] > 0
        assert record["misreport_checked"] == 40
    assert model.intake[0]["misreport_gainers"] > 0


def test_families_weigh_the_nearest_open_catchments_school_zero_included(small_city, monkeypatch):
    """The catchments a family weighs in the housing market (phases/housing_market.py):
    beside its own, the `nearest_catchments` nearest to its cell as the catchment table
    lists them, a closed school among them left out (-1). On the small city Core-P01,
    school row 0, is among the nearest of some entrants' cells and is weighed there;
    Core-P04 (row 3) is closed for the test and weighed nowhere."""
    from edusim.phases import housing_market
    from edusim.world.schools import FIRST_GRADE

    model = EduModel(small_city, seed=SEED, years=2)
    families, table = model.families, model.school_table
    stage, closed = 0, 3
    table.active[closed] = False
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[stage])
    seen = []
    real = housing_market.address_candidates

    def spy(home, nearest, reputed):
        seen.append(np.array(nearest, copy=True))
        return real(home, nearest, reputed)

    monkeypatch.setattr(housing_market, "address_candidates", spy)
    cells = np.unique(families.cell[entrants])  # one row a cell, ascending, before moving
    intake = next(phase for phase in model.phases if phase.name == "enrollment")
    housing_market.housing_moves(model, 2019, stage, entrants, intake.stock[stage])
    (nearest,) = seen
    k = model.params.families.nearest_catchments
    listed = model.catchments.cell_nearest[stage, cells, 1 : k + 1]
    expected = np.where(listed == closed, -1, listed)
    np.testing.assert_array_equal(nearest, expected)
    assert (nearest == 0).any() and not (nearest == closed).any()
    assert (listed == closed).any()


def test_a_backbone_minimum_counts_every_tier_above_ordinary(small_scenario):
    """A group core's postings with `backbone_share_min` 1 (phases/rotation.py
    `_by_groups`, `policy.rotation.choose`): every posting goes to a backbone teacher,
    tier 1 or above, while the core has enough of them. Tight group G (core Core-P01,
    members Core-P02 and Core-P03) forms in 2019; set by hand, the core's 21 teachers
    are eligible (10 years there) with equal effectiveness 1.0, Core-P02's 0.0 and
    Core-P03's 2.0 (only Core-P02 is weaker than the core), and nobody volunteers first.
    The core sends max(round(0.1 x 21), 3 a weaker member) = 3. Its backbone teachers are
    the rows 2 and 3 (tier 1) and 4 (tier 2), the others ordinary: those three go, not
    the first rows in order."""
    from edusim.phases.rotation import RotationPasses

    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "tight", "core": "Core-P01", "members": ["Core-P02", "Core-P03"],
             "formed": "2019-09-01"}
        ]
    }  # fmt: skip
    settings = {
        "rotation.backbone_share_min": 1.0,
        "rotation.teachers_per_member": 3,
        "rotation.willing_first": False,
        "teachers.senior_title_service_years": 0,
    }
    model = EduModel(small_scenario, seed=SEED, years=3, overrides=settings)
    model.step()
    next(phase for phase in model.phases if phase.name == "policy").step(2019)
    teachers = model.teachers
    core_rows = np.flatnonzero(teachers.school == 0)
    assert core_rows.size == 21 and (teachers.posting_end < 0).all()
    years, tier = teachers.years_at_school.copy(), teachers.tier.copy()
    years[core_rows] = 10.0
    tier[core_rows] = 0
    tier[core_rows[[2, 3]]], tier[core_rows[4]] = 1, 2
    teachers.years_at_school, teachers.tier = years, tier
    effectiveness = np.full(len(teachers), 0.5)
    effectiveness[teachers.school == 0] = 1.0
    effectiveness[teachers.school == 1] = 0.0
    effectiveness[teachers.school == 2] = 2.0
    model.teacher_effectiveness = lambda: effectiveness
    RotationPasses(model).run(2019)
    sent = core_rows[teachers.posting_end[core_rows] >= 0]
    np.testing.assert_array_equal(sent, core_rows[[2, 3, 4]])
    assert model.rotation_stats[2019]["backbone"] == 3


def test_one_year_away_earns_the_promotion_credit(small_scenario):
    """The title review's credit for two-school experience (phases/staffing.py
    `_review_titles`) goes to any teacher who has rotated, one year away (a reservoir
    deployment's length) included. Core-P02's 12 teachers, set by hand as in
    `test_free_senior_posts_go_to_the_schools_best_candidates_with_credit_for_rotation`:
    row k has effectiveness k / 100, row 10 is senior and row 11 in the reservoir, 3
    senior posts are free. Row 5 has rotated for exactly one year: its key 0.05 + 1 x
    0.05 = 0.10 puts it first, so rows 5, 9 and 8 are promoted (without the credit,
    9, 8 and 7)."""
    from edusim.policy.titles import ORDINARY, SENIOR

    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "tight", "core": "Core-P01", "members": ["Core-P02"],
             "formed": "2018-09-01"}
        ]
    }  # fmt: skip
    overrides = {
        "schools.pupil_teacher_ratio_primary": 20.0,
        "teachers.senior_title_share": 0.2,
        "teachers.senior_title_service_years": 0,
        "rotation.promotion_priority": True,
    }
    model = EduModel(small_scenario, seed=SEED, years=3, overrides=overrides)
    model.step()
    teachers, table = model.teachers, model.school_table
    rows = np.flatnonzero(teachers.home_school == 1)
    assert rows.size == 12 and (teachers.employer[rows] == 0).all()
    table.enrollment[1] = 400
    title, experience = teachers.title.copy(), teachers.experience.copy()
    employer, rotated = teachers.employer.copy(), teachers.rotated_years.copy()
    title[rows] = ORDINARY
    title[rows[10]] = SENIOR
    experience[rows] = 20.0
    employer[rows[11]] = 1
    rotated[rows] = 0.0
    rotated[rows[5]] = 1.0
    teachers.title, teachers.experience = title, experience
    teachers.employer, teachers.rotated_years = employer, rotated
    effectiveness = np.zeros(len(teachers))
    effectiveness[rows] = np.arange(12) / 100
    model.teacher_effectiveness = lambda: effectiveness
    model.staff_flows[2019] = {}
    before = teachers.title.copy()
    next(phase for phase in model.phases if phase.name == "staffing")._review_titles(2019)
    risen = (teachers.title == SENIOR) & (before != SENIOR)
    np.testing.assert_array_equal(np.flatnonzero(risen[rows]), [5, 8, 9])
