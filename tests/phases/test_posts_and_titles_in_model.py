"""Posts (编制) and senior titles (职称) inside the model: quotas hold year after year,
cores' extra posts are filled, and the rural-service condition of the title reform
changes who is promoted and who volunteers."""

from __future__ import annotations

import numpy as np

from edusim.agents.groups import CORE
from edusim.model import EduModel
from edusim.policy.titles import SENIOR, posts, senior_quota
from edusim.world.staff import staff_needed

ALLIANCE = [
    {
        "name": "A",
        "kind": "alliance",
        "formed": "2018-09-01",
        "stage": "primary",
        "target_share": 0.6,
    }
]
TIGHT = [{**ALLIANCE[0], "kind": "tight"}]


def _quota_and_held(model: EduModel) -> tuple[np.ndarray, np.ndarray]:
    table, t, params = model.school_table, model.teachers, model.params.teachers
    core = np.zeros(len(table), dtype=bool)
    core[model.groups.school[model.groups.role == CORE]] = True
    standard = staff_needed(table.enrollment, model.pupil_teacher_ratio())
    school_posts = posts(standard, core, params.core_extra_posts_share)
    quota = senior_quota(
        school_posts, core, params.senior_title_share, params.core_extra_senior_share
    )
    own = t.employer == 0
    held = np.bincount(t.home_school[own & (t.title == SENIOR)], minlength=len(table))
    return quota, held


def test_senior_titles_fill_the_quotas_as_built_and_never_exceed_them(demo_path):
    """Checked right after each year's staffing phase, when the quotas are set from the
    enrollment staffing reads (the later phases of the year change enrollment)."""
    model = EduModel(demo_path, seed=3, years=4)
    quota, held = _quota_and_held(model)
    assert held.sum() > 0
    assert (held <= quota).all()
    # as built every school fills its quota unless it lacks experienced teachers
    assert held.sum() >= 0.9 * quota.sum()
    staffing = model.phases[1]
    assert staffing.name == "staffing"
    for year in (2018, 2019, 2020):
        _, before = _quota_and_held(model)
        model.phases[0].step(year)
        staffing.step(year)
        quota_now, held = _quota_and_held(model)
        # a school over its quota after its enrollment fell keeps its titles, no more
        assert (held <= np.maximum(quota_now, before)).all()
        for phase in model.phases[2:]:
            phase.step(year)
    promotions = [flows["promoted_senior"] for flows in model.staff_flows.values()]
    assert len(promotions) == 3 and sum(promotions) > 0  # retirements free senior posts


def test_cores_with_extra_posts_hire_more_than_the_standard(demo_path):
    runs = {}
    for extra in (0.0, 0.2):
        overrides = {"groups.rules": TIGHT, "teachers.core_extra_posts_share": extra}
        runs[extra] = EduModel(demo_path, seed=4, years=2, overrides=overrides).run()
    cores = np.unique(runs[0.2].groups.school[runs[0.2].groups.role == CORE])
    assert cores.size > 0
    staff = {
        extra: np.bincount(m.teachers.home_school, minlength=len(m.school_table))[cores]
        for extra, m in runs.items()
    }
    assert (staff[0.2] >= staff[0.0]).all() and staff[0.2].sum() > 1.1 * staff[0.0].sum()


def test_the_rural_service_condition_promotes_only_teachers_who_served(demo_path):
    """With one year required, every teacher of an urban school promoted after the start
    has served at another school; rural schools' teachers need no service."""
    overrides = {
        "groups.rules": TIGHT,
        "teachers.senior_title_service_years": 1.0,
        "rotation.district_rotation": True,
    }
    model = EduModel(demo_path, seed=5, years=1)
    start = set(model.teachers.uid[model.teachers.title == SENIOR])
    model = EduModel(demo_path, seed=5, years=4, overrides=overrides).run()
    t, rural = model.teachers, model.school_table.rural
    new = (t.title == SENIOR) & ~np.isin(t.uid, list(start))
    urban_new = new & ~rural[t.home_school]
    assert new.sum() > 0
    assert (t.rotated_years[urban_new] >= 1.0).all()


def test_the_rural_service_condition_makes_more_teachers_volunteer(demo_path):
    """In voluntary (alliance) groups a posting is worth a promotion to teachers of urban
    schools who lack the service: more of those asked volunteer (same seed, same city)."""
    shares = {}
    for years in (0.0, 1.0):
        overrides = {"groups.rules": ALLIANCE, "teachers.senior_title_service_years": years}
        model = EduModel(demo_path, seed=7, years=2, overrides=overrides).run()
        stats = model.rotation_stats
        shares[years] = sum(s["volunteers"] for s in stats.values()) / max(
            sum(s["asked"] for s in stats.values()), 1
        )
    assert shares[1.0] > shares[0.0] + 0.02


def test_posts_moved_to_a_county_staff_its_schools_more_and_lay_off_nobody():
    """A tenth of Old Town's posts held by Hill County's schools: after two years the
    county's public schools employ more teachers than without the move (same seed), and
    Old Town's schools hold their teachers (surplus, not layoffs) while hiring less."""
    move = {
        "teachers.post_transfers": [
            {"from_district": "Old Town", "to_district": "Hill County", "share": 0.1}
        ]
    }
    plain = EduModel("demo", years=2)
    moved = EduModel("demo", years=2, overrides=move)
    for model in (plain, moved):
        model.step()
        model.step()

    def employed(model: EduModel, district: str) -> int:
        d = list(model.geography.district_names).index(district)
        table = model.school_table
        school = model.teachers.home_school
        return int(((table.district[school] == d) & ~table.private[school]).sum())

    assert employed(moved, "Hill County") > employed(plain, "Hill County")
    assert employed(moved, "Old Town") <= employed(plain, "Old Town")
    assert moved.staff_flows[2019]["surplus"] > plain.staff_flows[2019]["surplus"]
