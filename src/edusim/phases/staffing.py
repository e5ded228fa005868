"""Staffing phase: last year's results funds are paid, postings end, teachers retire or
quit, experienced teachers transfer into the vacancies of schools of higher standing in
their district (policy/transfers.py), the vacancies left against each school's posts (编制)
are filled by hires, free senior-title posts
(职称) are filled by promotion, and teachers rotate: group cores to their members, the
district rule across all its schools, and the district's backbone reservoir to its
weakest schools (each switchable on its own); then the leaders' passes
(phases/leadership.py): retirements, appointments, principals' rotation, executive
principals and deputies posted by group cores, and each school's management."""

from __future__ import annotations

from typing import Any

import numpy as np

from edusim.agents.groups import CORE
from edusim.agents.teachers import EMPLOYERS
from edusim.phases.base import Phase
from edusim.phases.leadership import LeaderPasses
from edusim.phases.rotation import RotationPasses, reward_pay
from edusim.policy.district_rotation import school_areas
from edusim.policy.pay import quit_rate_factor
from edusim.policy.retirees import returning_retirees, rural_hosts
from edusim.policy.staffing import (
    gap_to_core,
    group_hiring_reputation,
    hiring_uplift_within_gap,
    leaving,
    vacancies,
)
from edusim.policy.titles import (
    SENIOR,
    free_senior_posts,
    moved_posts,
    posts,
    promoted,
    senior_quota,
    title_candidates,
)
from edusim.policy.transfers import (
    transfer_applicants,
    transfer_destinations,
    transfer_eligible,
)
from edusim.processes.aggregate import school_counts, school_mean
from edusim.world.staff import hired_teachers, staff_needed

RETIREE = EMPLOYERS.index("retiree")


class Staffing(Phase):
    """Teachers whose posting ended go home, and reservoir terms end; teachers leave
    (statutory retirement age, attrition by district kind); each school's vacancies under
    its posts (the pupil-teacher standard for last year's enrollment, raised for group
    cores), counted by employing (home) school (posts of reservoir teachers are pooled by
    the district, so their schools refill them), are filled first by experienced teachers
    moving up from schools of lower standing in the district and stage (voluntary
    transfers, policy/transfers.py), then by new graduates; free
    senior-title posts are filled by promotion (`policy.titles`); then teachers rotate."""

    name = "staffing"
    month_day = (9, 1)
    description = (
        "postings and reservoir terms end; retirements (famous retirees may teach on at "
        "rural schools) and quits; voluntary transfers of experienced teachers into "
        "vacancies of schools of higher standing; vacancies under each "
        "school's posts filled by hires; free senior-title posts filled by promotion; "
        "rotation: group cores to members, the district rule, the district's backbone "
        "reservoir; leaders retire, are appointed, rotate and are posted by group cores"
    )

    def init(self, model: Any) -> None:
        """Senior titles as built: each school's quota filled from its experienced teachers,
        strongest first (nobody's history of service elsewhere is known at the start)."""
        super().init(model)
        self._review_titles(None)

    def step(self, year: int) -> None:
        self._pay_results_funds(year)
        self._end_postings(year)
        self._exits_and_hires(year)
        self._review_titles(year)
        RotationPasses(self.model).run(year)
        LeaderPasses(self.model).run(year)

    def _is_core(self) -> np.ndarray:
        groups, n = self.model.groups, len(self.model.school_table)
        core = np.zeros(n, dtype=bool)
        core[groups.school[groups.role == CORE]] = True
        return core

    def _posts(self) -> np.ndarray:
        """Teacher posts of every school this year (policy/titles.posts)."""
        model = self.model
        table = model.school_table
        standard = staff_needed(table.enrollment, model.pupil_teacher_ratio(), table.active)
        params = model.params.teachers
        result = posts(standard, self._is_core(), params.core_extra_posts_share)
        names = list(model.geography.district_names)
        public = table.active & ~table.private
        for transfer in params.post_transfers:
            result = moved_posts(
                result,
                public & (table.district == names.index(transfer.from_district)),
                public & (table.district == names.index(transfer.to_district)),
                transfer.share,
            )
        return result

    def _free_senior_posts(self, school_posts: np.ndarray) -> np.ndarray:
        """Per school, its senior-title quota under `school_posts` (policy/titles) less the
        senior titles its own school-employed teachers hold: what a promotion or a titled
        transfer may fill."""
        model = self.model
        teachers, params = model.teachers, model.params.teachers
        quota = senior_quota(
            school_posts, self._is_core(), params.senior_title_share, params.core_extra_senior_share
        )
        school_post = teachers.employer == 0
        return free_senior_posts(
            quota, teachers.home_school[school_post], teachers.title[school_post] == SENIOR
        )

    def _review_titles(self, year: int | None) -> None:
        """Free senior posts of each school go to its own eligible teachers (home school,
        school-employed), by effectiveness plus the promotion-priority credit for
        two-school experience; `year` None is the world as built (no service condition)."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        rotation = model.params.rotation
        school_post = teachers.employer == 0
        free = self._free_senior_posts(self._posts())
        service = 0.0 if year is None else params.senior_title_service_years
        candidate = school_post & title_candidates(
            teachers.title,
            teachers.experience,
            teachers.rotated_years,
            table.rural[teachers.home_school],
            params.senior_title_min_experience_years,
            service,
        )
        credit = rotation.promotion_priority * rotation.promotion_priority_sd
        key = model.teacher_effectiveness() + credit * (teachers.rotated_years > 0)
        rising = promoted(teachers.home_school.astype(np.int64), key, candidate, free)
        teachers.title[rising] = SENIOR
        if year is not None:
            held = np.bincount(teachers.home_school[school_post], minlength=len(table))
            model.staff_flows[year]["promoted_senior"] = int(rising.sum())
            model.staff_flows[year]["surplus"] = int(np.maximum(0, held - self._posts()).sum())

    def _pay_results_funds(self, year: int) -> None:
        """Results-based working funds earned in last July's evaluation (Ninghe) are paid
        with this year's grants as resource money, outside the reform-grant cap."""
        model = self.model
        table = model.school_table
        paid = float(table.results_grant_cny.sum())
        money = model.money.setdefault(year, {"requested_cny": 0.0, "spent_cny": 0.0, "scale": 1.0})
        money["results_fund_cny"] = paid
        if paid > 0:
            table.resource_grant_cny = table.resource_grant_cny + table.results_grant_cny
            money["spent_cny"] += paid
            model.log_event(year, "funding", "results funds paid", {"results_fund_cny": paid})
        table.results_grant_cny = np.zeros(len(table))

    def _end_postings(self, year: int) -> None:
        teachers, params = self.model.teachers, self.model.params.rotation
        ending = (teachers.posting_end >= 0) & (teachers.posting_end < year)
        teachers.school[ending] = teachers.home_school[ending]
        teachers.posting_end[ending] = -1
        teachers.posting_kind[ending] = 0
        teachers.years_at_school[ending] = 0.0
        teachers.learned[ending] += params.growth_from_posting
        leaving_pool = (teachers.pool_end >= 0) & (teachers.pool_end < year)
        teachers.employer[leaving_pool] = 0
        teachers.pool_end[leaving_pool] = -1

    def _lift_hires_under_core_names(self, new_rows: np.ndarray) -> None:
        """Unified hiring in groups whose kind redeploys staff (`teachers.group_hiring`):
        a member's hires, drawn as at its own name, gain what recruiting under the better
        of its name and its core's adds (`hire_reputation_slope` per SD of reputation,
        policy/staffing.group_hiring_reputation), cut so that they raise its teachers'
        mean by at most what is left of its gap to its core's teachers
        (policy/staffing.hiring_uplift_within_gap); the same per-teacher draws as
        without it."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        rows = model.member_rows()
        kinds = model.params.groups.kinds
        one_employer = np.array(
            [kinds[model.groups.groups[g].kind].staff_redeploy for g in rows["group"]],
            dtype=bool,
        )
        member, core = rows["school"][one_employer], rows["core"][one_employer]
        if member.size == 0 or new_rows.size == 0:
            return
        n = len(table)
        uplift = params.hire_reputation_slope * (
            group_hiring_reputation(table.reputation, member, core) - table.reputation
        )
        level = school_mean(model.teacher_effectiveness(), teachers.school, n)
        allowed = hiring_uplift_within_gap(
            uplift,
            school_counts(teachers.school[new_rows], n),
            school_counts(teachers.school, n),
            gap_to_core(level, member, core, n),
        )
        teachers.innate[new_rows] += allowed[teachers.school[new_rows]]

    def _exits_and_hires(self, year: int) -> None:
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        in_post_before = len(teachers)
        kind = model.geography.district_kind[table.district[teachers.home_school]]
        exit_draw = model.streams.uniform("teachers.exit", year, teachers.uid)
        evaluation = model.params.evaluation
        factor = quit_rate_factor(reward_pay(model)[teachers.school], evaluation.quit_pay_response)
        retiring, quitting = leaving(teachers.age, teachers.female, kind, exit_draw, params, factor)
        rehired = teachers.employer == RETIREE
        retiring = (retiring & ~rehired) | (rehired & (teachers.rehire_end < year))
        returning = self._rehire_retirees(year, retiring & ~rehired)  # once only
        retiring &= ~returning
        teachers.keep(~(retiring | quitting))

        school_posts = teachers.employer == 0
        posts_now = self._posts()
        open_posts = vacancies(
            posts_now, school_counts(teachers.home_school[school_posts], len(table))
        )
        transferred = 0
        if params.transfer_apply_share > 0:
            transferred = self._transfers(year, posts_now, open_posts)
            open_posts = vacancies(
                posts_now, school_counts(teachers.home_school[school_posts], len(table))
            )
        hires = int(open_posts.sum())
        uids = np.arange(teachers.next_uid, teachers.next_uid + hires)
        schools = np.repeat(np.arange(len(table)), open_posts)
        columns = hired_teachers(
            uids,
            schools,
            table.reputation,
            params,
            model.params.balance.qualified_share_hires,
            model.streams,
            school_rural=table.rural & ~table.private,
        )
        teachers.add(hires, **columns)
        if params.group_hiring:
            self._lift_hires_under_core_names(np.arange(len(teachers) - hires, len(teachers)))
        model.staff_flows[year] = {
            "in_post_before": in_post_before,
            "retired": int(retiring.sum()),
            "quit": int(quitting.sum()),
            "hired": hires,
            "in_post_after": len(teachers),
            "rehired_retirees": int(returning.sum()),
            "transferred": transferred,
        }

    def _transfers(self, year: int, school_posts: np.ndarray, open_posts: np.ndarray) -> int:
        """Voluntary transfers (policy/transfers.py), between exits and hires: eligible
        teachers apply with probability `transfer_apply_share` (their own draw
        `teachers.transfer_apply`); within each district and stage the schools of higher
        standing (reputation) fill their `open_posts` first from applicants of schools
        below them, by effectiveness read with noise (`transfer_observation_sd`, the
        applicant's own draw `teachers.transfer_observed`), taking only one who looks
        better than a graduate hire there; movers change home school and start a new term
        there (title and tier go with them: a senior-title teacher moves only into a free
        senior post of the receiving school, `school_posts` setting the quotas). Returns
        how many moved."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        area = school_areas(table.district, table.stage, table.active & ~table.private, "district")
        eligible = transfer_eligible(
            teachers.years_at_school,
            (teachers.posting_end < 0) & (teachers.school == teachers.home_school),
            teachers.employer == 0,
            area[teachers.home_school] >= 0,
            params.transfer_min_years_at_school,
        )
        applying = np.flatnonzero(
            transfer_applicants(
                eligible,
                model.streams.uniform("teachers.transfer_apply", year, teachers.uid),
                params.transfer_apply_share,
            )
        )
        if applying.size == 0:
            return 0
        observed = model.teacher_effectiveness()[
            applying
        ] + params.transfer_observation_sd * model.streams.normal(
            "teachers.transfer_observed", year, teachers.uid[applying]
        )
        destination = transfer_destinations(
            teachers.home_school[applying],
            observed,
            open_posts,
            table.reputation,
            area,
            params.hire_reputation_slope * table.reputation,
            senior=teachers.title[applying] == SENIOR,
            free_senior=self._free_senior_posts(school_posts),
        )
        moving, to = applying[destination >= 0], destination[destination >= 0]
        teachers.school[moving] = to
        teachers.home_school[moving] = to
        teachers.years_at_school[moving] = 0.0
        if moving.size:
            model.log_event(
                year,
                "staffing",
                "teachers transferred",
                {"teachers": int(moving.size), "schools": int(np.unique(to).size)},
            )
        return int(moving.size)

    def _rehire_retirees(self, year: int, retiring: np.ndarray) -> np.ndarray:
        """Mask of this year's top-tier retirees who go on teaching at a rural school
        (`rotation.retiree_rural_share`, policy/retirees.py), moved there outside its posts
        (employer `retiree`) until `rotation.retiree_rural_years` have passed."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.rotation
        none = np.zeros(len(teachers), dtype=bool)
        if params.retiree_rural_share <= 0 or not retiring.any():
            return none
        draw = model.streams.uniform("teachers.rehire", year, teachers.uid)
        candidates = np.flatnonzero(
            returning_retirees(retiring, teachers.tier, draw, params.retiree_rural_share)
        )
        if candidates.size == 0:
            return none
        effectiveness = model.teacher_effectiveness()
        hosts_open = table.rural & ~table.private & table.active
        strength = school_mean(effectiveness, teachers.school, len(table))
        hosts = rural_hosts(
            table.stage[teachers.home_school[candidates]],
            effectiveness[candidates],
            hosts_open,
            table.stage,
            strength,
        )
        placed, hosts = candidates[hosts >= 0], hosts[hosts >= 0]
        teachers.school[placed] = hosts
        teachers.home_school[placed] = hosts
        teachers.employer[placed] = RETIREE
        teachers.rehire_end[placed] = year + params.retiree_rural_years - 1
        teachers.posting_end[placed] = -1
        teachers.posting_kind[placed] = 0
        teachers.pool_end[placed] = -1
        teachers.years_at_school[placed] = 0.0
        if placed.size:
            model.log_event(
                year,
                "staffing",
                "retirees teach at rural schools",
                {"teachers": int(placed.size), "schools": int(np.unique(hosts).size)},
            )
        returning = none.copy()
        returning[placed] = True
        return returning
