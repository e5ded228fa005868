"""School-year phase: pupils learn from teaching, peers and background; teachers grow."""

from __future__ import annotations

import numpy as np

from edusim.agents.teachers import POSTING_KINDS
from edusim.phases.base import Phase
from edusim.phases.sharing import experimental_seats, sharing_gain
from edusim.policy.funding import diminishing_gain
from edusim.policy.group_effects import (
    adopted_share,
    core_learning_gain,
    integration_share,
    quality_with_groups,
    transition_loss,
)
from edusim.policy.staffing import gap_to_core
from edusim.policy.tracking import peer_groups, tracked_pupils
from edusim.processes.aggregate import school_counts, school_mean, school_quantile
from edusim.processes.learning import (
    scarce_subject_loss,
    school_year_achievement,
    teaching_quality,
)
from edusim.processes.teacher_growth import group_learning_within_gap, learned_gain

GROUP_POSTING = POSTING_KINDS.index("group")


class SchoolYear(Phase):
    """One year of learning (see processes/learning.py) and of teacher growth; teachers
    and leaders grow a year older and a year longer at their school."""

    name = "school_year"
    month_day = (9, 2)
    description = (
        "pupils learn (teaching incl. the management practice and online lessons groups "
        "share, merger dips, peers, background); "
        "teachers gain experience and learn from strong colleagues in school and, at "
        "members, from their core's"
    )

    def step(self, year: int) -> None:
        model = self.model
        families, teachers, table = model.families, model.teachers, model.school_table
        params = model.params
        n_schools = len(table)
        effectiveness = model.teacher_effectiveness()
        rows = model.member_rows()
        own_quality = teaching_quality(
            effectiveness,
            teachers.school,
            table.management
            - transition_loss(
                rows["school"],
                rows["joined_year"],
                year,
                rows["transition_cost"],
                rows["transition_years"],
                n_schools,
            ),
            teachers.second_school,
            teachers.second_share,
        ) - scarce_subject_loss(teachers.specialist, teachers.school, n_schools, params.teachers)
        funding = params.funding
        resources = diminishing_gain(
            table.resource_grant_cny / np.maximum(table.enrollment, 1),
            funding.resource_effect_max,
            funding.resource_scale_cny_per_pupil,
        )
        table.teaching_quality = quality_with_groups(
            own_quality,
            table.management,
            rows["school"],
            rows["core"],
            adopted_share(rows["joined_year"], year, rows["management_transfer"]),
            rows["online_lift"]
            * integration_share(rows["joined_year"], year, rows["transition_years"]),
            resources,
        )
        table.teaching_quality = table.teaching_quality + sharing_gain(
            model, year, table.teaching_quality
        )

        peer_mean = school_mean(families.achievement, families.school, n_schools)
        grade_mean = np.zeros(10)
        counts = np.bincount(families.grade, minlength=10)
        sums = np.bincount(families.grade, weights=families.achievement, minlength=10)
        np.divide(sums, counts, out=grade_mean, where=counts > 0)
        # experimental classes (policy/tracking.py): the learning pass runs over peer
        # groups (2 per school) instead of schools, each with its school's quality
        school_of_pupil, quality_of, peers_of = families.school, table.teaching_quality, peer_mean
        seats = experimental_seats(model)
        if seats is not None:
            tracked = tracked_pupils(families.school, families.grade, families.achievement, seats)
            school_of_pupil, peers_of = peer_groups(
                families.school, tracked, families.achievement, n_schools
            )
            quality_of = np.repeat(table.teaching_quality, 2)
        families.achievement, families.school_gain = school_year_achievement(
            families.achievement,
            families.school_gain,
            school_of_pupil,
            families.grade,
            quality_of,
            model.quality_reference,
            peers_of,
            grade_mean,
            families.ses_z,
            model.streams.normal("learning.shock", year, families.uid),
            params.learning,
            out=(families.achievement, families.school_gain),  # in place: no second copy
        )

        within_school = learned_gain(effectiveness, teachers.school, n_schools, params.teachers)
        level = teaching_quality(
            effectiveness,
            teachers.school,
            np.zeros(n_schools),
            teachers.second_school,
            teachers.second_share,
        )
        from_core = core_learning_gain(
            effectiveness,
            teachers.school,
            rows["school"],
            rows["core"],
            rows["joint_research"],
            params.teachers.strong_colleague_quantile,
            n_schools,
            level=level,
        )
        # the last of the year's people channels (policy/staffing.py): what joint
        # research and colleagues posted in from the core add to a member's teachers'
        # learning closes at most what is left of its gap to the core's teachers
        learning = group_learning_within_gap(
            self._learning_from_own_colleagues(effectiveness),
            np.maximum(within_school, from_core),
            teachers.school,
            gap_to_core(level, rows["school"], rows["core"], n_schools),
            np.isin(np.arange(n_schools), rows["school"]),
        )
        development = diminishing_gain(
            table.development_grant_cny / np.maximum(school_counts(teachers.school, n_schools), 1),
            funding.development_effect_max,
            funding.development_scale_cny_per_teacher,
        )
        # in place, so the columns keep their spare rows for the next hires
        teachers.learned += learning  # then the grant's part: (a + b) + c, as before
        teachers.learned += development[teachers.school]
        teachers.experience += 1.0
        teachers.age += 1.0
        teachers.years_at_school += 1.0
        leaders = model.leaders
        leaders.age += 1.0
        leaders.years_at_school += 1.0

    def _learning_from_own_colleagues(self, effectiveness: np.ndarray) -> np.ndarray:
        """What each teacher learns this year from the strong colleagues of the school where
        it teaches, teachers posted there by a group left out (what it would learn without
        the group's postings; processes/teacher_growth.learned_gain)."""
        model = self.model
        teachers, n_schools = model.teachers, len(model.school_table)
        params = model.params.teachers
        own = teachers.posting_kind != GROUP_POSTING
        strong = school_quantile(
            effectiveness[own], teachers.school[own], n_schools, params.strong_colleague_quantile
        )
        return params.peer_learning_rate * np.maximum(0.0, strong[teachers.school] - effectiveness)
