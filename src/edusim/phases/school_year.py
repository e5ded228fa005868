"""School-year phase: pupils learn from teaching, peers and background; teachers grow."""

from __future__ import annotations

import numpy as np

from edusim.phases.base import Phase
from edusim.processes.aggregate import school_mean
from edusim.processes.learning import teaching_quality, yearly_achievement
from edusim.processes.teacher_growth import learned_gain


class SchoolYear(Phase):
    """One year of learning (see processes/learning.py) and of teacher growth."""

    name = "school_year"
    month_day = (9, 2)
    description = "pupils learn (teaching, peers, background); teachers gain experience and learn from strong colleagues"

    def step(self, year: int) -> None:
        model = self.model
        families, teachers, table = model.families, model.teachers, model.school_table
        params = model.params
        n_schools = len(table)
        effectiveness = model.teacher_effectiveness()
        table.teaching_quality = teaching_quality(effectiveness, teachers.school, table.management)

        peer_mean = school_mean(families.achievement, families.school, n_schools)
        grade_mean = np.zeros(10)
        counts = np.bincount(families.grade, minlength=10)
        sums = np.bincount(families.grade, weights=families.achievement, minlength=10)
        np.divide(sums, counts, out=grade_mean, where=counts > 0)
        families.achievement = yearly_achievement(
            families.achievement,
            table.teaching_quality[families.school] - model.quality_reference,
            peer_mean[families.school] - grade_mean[families.grade],
            families.ses_z,
            model.streams.normal("learning.shock", year, families.uid),
            params.learning,
        )

        teachers.learned = teachers.learned + learned_gain(
            effectiveness, teachers.school, n_schools, params.teachers
        )
        teachers.experience = teachers.experience + 1.0
        teachers.age = teachers.age + 1.0
        teachers.years_at_school = teachers.years_at_school + 1.0
