"""Staffing phase: postings end, teachers retire or quit, vacancies are filled, and group
cores post teachers to their members (rotation)."""

from __future__ import annotations

from typing import Any

import numpy as np

from edusim.agents.teachers import TIERS
from edusim.phases.base import Phase
from edusim.policy.rotation import (
    YOUNG_AGE,
    choose,
    eligible,
    host_allocation,
    principal_ranking,
    volunteer_utility,
)
from edusim.policy.staffing import leaving, vacancies
from edusim.processes.aggregate import school_counts, school_mean
from edusim.world.staff import hired_teachers, retirement_age, staff_needed


class Staffing(Phase):
    """Teachers whose posting ended go home; teachers leave (statutory retirement age,
    attrition by district kind); each school's vacancies under the pupil-teacher standard,
    counted by employing (home) school from last year's enrollment, are filled by new
    graduates; then group cores post teachers to their members."""

    name = "staffing"
    month_day = (9, 1)
    description = (
        "postings end; retirements and quits; vacancies under the staffing standard filled "
        "by hires; group cores post teachers to members (rotation)"
    )

    def step(self, year: int) -> None:
        self._end_postings(year)
        self._exits_and_hires(year)
        self._rotate(year)

    def _end_postings(self, year: int) -> None:
        teachers, params = self.model.teachers, self.model.params.rotation
        ending = (teachers.posting_end >= 0) & (teachers.posting_end < year)
        teachers.school[ending] = teachers.home_school[ending]
        teachers.posting_end[ending] = -1
        teachers.years_at_school[ending] = 0.0
        teachers.learned[ending] += params.growth_from_posting

    def _exits_and_hires(self, year: int) -> None:
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        in_post_before = len(teachers)
        kind = model.geography.district_kind[table.district[teachers.home_school]]
        exit_draw = model.streams.uniform("teachers.exit", year, teachers.uid)
        retiring, quitting = leaving(teachers.age, teachers.female, kind, exit_draw, params)
        teachers.keep(~(retiring | quitting))

        posts = vacancies(
            staff_needed(table.enrollment, model.pupil_teacher_ratio()),
            school_counts(teachers.home_school, len(table)),
        )
        hires = int(posts.sum())
        uids = np.arange(teachers.next_uid, teachers.next_uid + hires)
        schools = np.repeat(np.arange(len(table)), posts)
        columns = hired_teachers(
            uids,
            schools,
            table.reputation,
            params,
            model.params.balance.qualified_share_hires,
            model.streams,
        )
        teachers.add(hires, **columns)
        model.staff_flows[year] = {
            "in_post_before": in_post_before,
            "retired": int(retiring.sum()),
            "quit": int(quitting.sum()),
            "hired": hires,
            "in_post_after": len(teachers),
        }

    def _rotate(self, year: int) -> None:
        """Each group's core posts teachers to its members (see policy/rotation.py); the
        year's postings by tier are logged as one summary event."""
        self._post_by_groups(year)
        stats = self.model.rotation_stats[year]
        if stats["posted"]:
            self.model.log_event(
                year,
                "rotation",
                "postings by tier",
                {
                    "by_tier": dict(zip(TIERS, stats["by_tier"], strict=True)),
                    "volunteers": stats["volunteers"],
                    "asked": stats["asked"],
                },
            )

    def _post_by_groups(self, year: int) -> None:
        model = self.model
        teachers, params = model.teachers, model.params.rotation
        rows = model.member_rows()
        stats: dict[str, Any] = {
            "posted": 0,
            "backbone": 0,
            "young": 0,
            "asked": 0,
            "volunteers": 0,
            "by_tier": [0] * len(TIERS),
        }
        model.rotation_stats[year] = stats
        if rows["school"].size == 0:
            return
        effectiveness = model.teacher_effectiveness()
        at_home = teachers.posting_end < 0
        available = eligible(teachers.years_at_school, at_home, params)
        taste = params.taste_sd_cny * model.streams.normal("rotation.taste", year, teachers.uid)
        retire_at = retirement_age(teachers.female, model.params.teachers)
        key = principal_ranking(
            effectiveness,
            teachers.tier,
            teachers.age,
            model.params.evaluation.bundled,
            params.selection,
        )
        travel = model.school_travel_km()
        order = np.argsort(teachers.school, kind="stable")
        sorted_school = teachers.school[order]
        kinds = model.params.groups.kinds
        strength = school_mean(effectiveness, teachers.school, len(model.school_table))
        teaching_staff = school_counts(teachers.school, len(model.school_table))

        def staff_of(school: int) -> np.ndarray:
            lo, hi = np.searchsorted(sorted_school, [school, school + 1])
            rows_ = order[lo:hi]
            return rows_[available[rows_]]

        for group_id in np.unique(rows["group"]):
            group = model.groups.groups[group_id]
            members = rows["school"][rows["group"] == group_id]
            candidates = staff_of(group.core)
            weaker = members[strength[members] < strength[group.core]]
            by_share = round(params.share_of_eligible * candidates.size) if weaker.size else 0
            by_quota = params.teachers_per_member * members.size
            count = max(by_share, by_quota)
            hosts_pool = weaker if by_share >= by_quota else members
            if count == 0 or candidates.size == 0:
                continue
            if not kinds[group.kind].staff_redeploy:
                distance = travel[group.core, hosts_pool].mean()
                utility = volunteer_utility(
                    teachers.age[candidates],
                    retire_at[candidates],
                    distance,
                    taste[candidates],
                    params,
                )
                stats["asked"] += int(candidates.size)
                candidates = candidates[utility > 0]
                stats["volunteers"] += int(candidates.size)
            chosen = choose(
                candidates,
                key[candidates],
                teachers.tier[candidates] >= 1,
                count,
                params.backbone_share_min,
            )
            staff = teaching_staff[hosts_pool]
            hosts = hosts_pool[host_allocation(chosen.size, staff, strength[hosts_pool])]
            self._post(year, chosen, hosts, stats)
            available[chosen] = False
            if params.send_back:
                for member in np.unique(hosts):
                    returning = staff_of(member)
                    young_first = -teachers.age[returning]
                    sent = choose(
                        returning,
                        young_first,
                        teachers.tier[returning] >= 1,
                        int((hosts == member).sum()),
                        0.0,
                    )
                    self._post(year, sent, np.full(sent.size, group.core), stats)
                    available[sent] = False

    def _post(
        self, year: int, chosen: np.ndarray, hosts: np.ndarray, stats: dict[str, Any]
    ) -> None:
        model = self.model
        teachers, table = model.teachers, model.school_table
        years = model.params.rotation.posting_years
        for teacher, host in zip(chosen, hosts, strict=True):
            model.log_event(
                year,
                "posting",
                "teacher posted",
                {
                    "teacher": int(teachers.uid[teacher]),
                    "from": str(table.name[teachers.school[teacher]]),
                    "to": str(table.name[host]),
                    "years": years,
                    "tier": int(teachers.tier[teacher]),
                },
            )
        teachers.school[chosen] = hosts
        teachers.posting_end[chosen] = year + years - 1
        teachers.years_at_school[chosen] = 0.0
        stats["posted"] += int(chosen.size)
        stats["backbone"] += int((teachers.tier[chosen] >= 1).sum())
        stats["young"] += int((teachers.age[chosen] < YOUNG_AGE).sum())
        for tier, count in enumerate(np.bincount(teachers.tier[chosen], minlength=len(TIERS))):
            stats["by_tier"][tier] += int(count)
