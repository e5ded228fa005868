"""Staffing phase: retirements and quits, then hires into the posts the standard requires."""

from __future__ import annotations

import numpy as np

from edusim.phases.base import Phase
from edusim.policy.staffing import leaving, vacancies
from edusim.processes.aggregate import school_counts
from edusim.world.staff import hired_teachers, staff_needed


class Staffing(Phase):
    """Teachers leave (statutory retirement age, attrition by district kind); each school's
    vacancies under the pupil-teacher standard, from last year's enrollment, are filled by
    new graduates."""

    name = "staffing"
    month_day = (9, 1)
    description = "retirements and quits; vacancies under the staffing standard filled by hires"

    def step(self, year: int) -> None:
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        in_post_before = len(teachers)
        kind = model.geography.district_kind[table.district[teachers.school]]
        exit_draw = model.streams.uniform("teachers.exit", year, teachers.uid)
        retiring, quitting = leaving(teachers.age, teachers.female, kind, exit_draw, params)
        teachers.keep(~(retiring | quitting))

        posts = vacancies(
            staff_needed(table.enrollment, model.pupil_teacher_ratio()),
            school_counts(teachers.school, len(table)),
        )
        hires = int(posts.sum())
        uids = np.arange(teachers.next_uid, teachers.next_uid + hires)
        schools = np.repeat(np.arange(len(table)), posts)
        teachers.add(
            hires, **hired_teachers(uids, schools, table.reputation, params, model.streams)
        )
        model.staff_flows[year] = {
            "in_post_before": in_post_before,
            "retired": int(retiring.sum()),
            "quit": int(quitting.sum()),
            "hired": hires,
            "in_post_after": len(teachers),
        }
