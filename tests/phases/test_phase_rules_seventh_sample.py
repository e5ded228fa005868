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
