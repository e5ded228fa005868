"""Staffing phase: last year's results funds are paid, postings end, teachers retire or
quit, vacancies against each school's posts (编制) are filled, free senior-title posts
(职称) are filled by promotion, and teachers rotate: group cores to their members, the
district rule across all its schools, and the district's backbone reservoir to its
weakest schools (each switchable on its own)."""

from __future__ import annotations

from typing import Any

import numpy as np

from edusim.agents.groups import CORE
from edusim.agents.teachers import POSTING_KINDS, TIERS
from edusim.phases.base import Phase
from edusim.policy.district_rotation import (
    mean_travel_to_receivers,
    receiving_hosts,
    school_areas,
    senders_and_receivers,
    sending_quota,
)
from edusim.policy.rotation import (
    WILLING_FIRST,
    YOUNG_AGE,
    choose,
    choose_by_unit,
    eligible,
    host_allocation,
    principal_ranking,
    volunteer_utility,
)
from edusim.policy.staffing import leaving, vacancies
from edusim.policy.titles import (
    SENIOR,
    free_senior_posts,
    posts,
    promoted,
    senior_quota,
    title_candidates,
)
from edusim.processes.aggregate import school_counts, school_mean
from edusim.world.staff import hired_teachers, retirement_age, staff_needed

GROUP, DISTRICT, RESERVOIR = 1, 2, 3
"""Posting kinds (codes into `agents.teachers.POSTING_KINDS`)."""


class Staffing(Phase):
    """Teachers whose posting ended go home, and reservoir terms end; teachers leave
    (statutory retirement age, attrition by district kind); each school's vacancies under
    its posts (the pupil-teacher standard for last year's enrollment, raised for group
    cores), counted by employing (home) school (posts of reservoir teachers are pooled by
    the district, so their schools refill them), are filled by new graduates; free
    senior-title posts are filled by promotion (`policy.titles`); then teachers rotate."""

    name = "staffing"
    month_day = (9, 1)
    description = (
        "postings and reservoir terms end; retirements and quits; vacancies under the "
        "staffing standard filled by hires; rotation: group cores to members, the district "
        "rule, the district's backbone reservoir"
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
        self._rotate(year)

    def _is_core(self) -> np.ndarray:
        groups, n = self.model.groups, len(self.model.school_table)
        core = np.zeros(n, dtype=bool)
        core[groups.school[groups.role == CORE]] = True
        return core

    def _posts(self) -> np.ndarray:
        """Teacher posts of every school this year (policy/titles.posts)."""
        model = self.model
        standard = staff_needed(model.school_table.enrollment, model.pupil_teacher_ratio())
        return posts(standard, self._is_core(), model.params.teachers.core_extra_posts_share)

    def _review_titles(self, year: int | None) -> None:
        """Free senior posts of each school go to its own eligible teachers (home school,
        school-employed), by effectiveness plus the promotion-priority credit for
        two-school experience; `year` None is the world as built (no service condition)."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        rotation = model.params.rotation
        is_core = self._is_core()
        quota = senior_quota(
            self._posts(), is_core, params.senior_title_share, params.core_extra_senior_share
        )
        school_post = teachers.employer == 0
        free = free_senior_posts(
            quota, teachers.home_school[school_post], teachers.title[school_post] == SENIOR
        )
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

    def _exits_and_hires(self, year: int) -> None:
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.teachers
        in_post_before = len(teachers)
        kind = model.geography.district_kind[table.district[teachers.home_school]]
        exit_draw = model.streams.uniform("teachers.exit", year, teachers.uid)
        retiring, quitting = leaving(teachers.age, teachers.female, kind, exit_draw, params)
        teachers.keep(~(retiring | quitting))

        school_posts = teachers.employer == 0
        open_posts = vacancies(
            self._posts(), school_counts(teachers.home_school[school_posts], len(table))
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
        """The year's rotation passes; postings by tier and kind are logged as one summary
        event."""
        model, params = self.model, self.model.params.rotation
        teachers = model.teachers
        stats: dict[str, Any] = {
            "posted": 0,
            "backbone": 0,
            "young": 0,
            "asked": 0,
            "volunteers": 0,
            "by_tier": [0] * len(TIERS),
            **{kind: 0 for kind in POSTING_KINDS[1:]},
        }
        model.rotation_stats[year] = stats
        context = _RotationContext(model, year)
        if params.group_rotation:
            self._post_by_groups(year, context, stats)
        if params.district_rotation:
            self._post_by_district(year, context, stats)
        if params.reservoir_share > 0 or (teachers.employer == 1).any():
            self._reservoir(year, context, stats)
        stats["reservoir_size"] = int((teachers.employer == 1).sum())
        if stats["posted"]:
            model.log_event(
                year,
                "rotation",
                "postings by tier",
                {
                    "by_tier": dict(zip(TIERS, stats["by_tier"], strict=True)),
                    "by_kind": {kind: stats[kind] for kind in POSTING_KINDS[1:]},
                    "volunteers": stats["volunteers"],
                    "asked": stats["asked"],
                },
            )

    def _post_by_groups(self, year: int, context: _RotationContext, stats: dict) -> None:
        model = self.model
        teachers, params = model.teachers, model.params.rotation
        rows = model.member_rows()
        if rows["school"].size == 0:
            return
        available = context.available
        travel = context.travel_km()
        order = np.argsort(teachers.school, kind="stable")
        sorted_school = teachers.school[order]
        kinds = model.params.groups.kinds
        strength, teaching_staff = context.strength, context.staff

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
            utility = volunteer_utility(
                teachers.age[candidates],
                context.retire_at[candidates],
                travel[group.core, hosts_pool].mean(),
                context.taste[candidates],
                params,
                context.needs_service[candidates],
            )
            staff_ratio = teaching_staff[group.core] / max(teaching_staff[hosts_pool].mean(), 1.0)
            key = context.key(candidates, staff_ratio)
            if not kinds[group.kind].staff_redeploy:
                stats["asked"] += int(candidates.size)
                candidates, key = candidates[utility > 0], key[utility > 0]
                stats["volunteers"] += int(candidates.size)
            elif params.willing_first:
                key = key + WILLING_FIRST * (utility > 0)
            chosen = choose(
                candidates,
                key,
                teachers.tier[candidates] >= 1,
                count,
                params.backbone_share_min,
            )
            staff = teaching_staff[hosts_pool]
            hosts = hosts_pool[host_allocation(chosen.size, staff, strength[hosts_pool])]
            self._post(year, chosen, hosts, GROUP, stats)
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
                    self._post(year, sent, np.full(sent.size, group.core), GROUP, stats)
                    available[sent] = False

    def _post_by_district(self, year: int, context: _RotationContext, stats: dict) -> None:
        """The national rule applied by the district as employer (policy/district_rotation)."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.rotation
        area = school_areas(table.district, table.stage, context.open_public, params.district_scope)
        senders, receivers = senders_and_receivers(table.teaching_quality, table.rural, area)
        candidates = np.flatnonzero(context.available & senders[teachers.school])
        if candidates.size == 0 or not receivers.any():
            return
        school = teachers.school[candidates]
        n = len(table)
        quota = sending_quota(
            np.bincount(school, minlength=n),
            params.share_of_eligible,
            model.streams.uniform("rotation.district_quota", year, np.arange(n)),
        )
        receiving_staff = np.bincount(
            area[receivers], weights=context.staff[receivers], minlength=int(area.max()) + 1
        ) / np.maximum(np.bincount(area[receivers], minlength=int(area.max()) + 1), 1)
        staff_ratio = context.staff[school] / np.maximum(receiving_staff[area[school]], 1.0)
        key = context.key(candidates, staff_ratio)
        if params.willing_first:
            key = key + WILLING_FIRST * context.willing(candidates, area, senders, receivers)
        chosen = candidates[
            choose_by_unit(
                school, key, teachers.tier[candidates] >= 1, quota, params.backbone_share_min
            )
        ]
        hosts = receiving_hosts(
            area[teachers.school[chosen]],
            context.effectiveness[chosen],
            area,
            receivers,
            context.staff,
            table.teaching_quality,
        )
        self._post(year, chosen, hosts, DISTRICT, stats)
        context.available[chosen] = False

    def _reservoir(self, year: int, context: _RotationContext, stats: dict) -> None:
        """The district's backbone reservoir (蓄水池): refilled to `reservoir_share` of each
        district's backbone teachers from the strong urban schools' eligible backbone
        teachers (willing first, then the strongest), then every reservoir teacher is
        deployed for the year to the weakest or rural schools of its district and stage."""
        model = self.model
        teachers, table, params = model.teachers, model.school_table, model.params.rotation
        area = school_areas(table.district, table.stage, context.open_public, "district")
        senders, receivers = senders_and_receivers(table.teaching_quality, table.rural, area)
        n_districts = len(model.geography.district_names)
        home_district = table.district[teachers.home_school].astype(np.int64)
        backbone = teachers.tier >= 1
        target = np.rint(
            params.reservoir_share * np.bincount(home_district[backbone], minlength=n_districts)
        ).astype(np.int64)
        held = np.bincount(home_district[teachers.employer == 1], minlength=n_districts)
        need = np.maximum(0, target - held)
        candidates = np.flatnonzero(
            context.available & backbone & senders[teachers.home_school] & (teachers.employer == 0)
        )
        if need.any() and candidates.size:
            key = context.effectiveness[candidates]
            if params.willing_first:
                key = key + WILLING_FIRST * context.willing(candidates, area, senders, receivers)
            joining = candidates[
                choose_by_unit(
                    home_district[candidates], key, np.ones(candidates.size, bool), need, 0.0
                )
            ]
            teachers.employer[joining] = 1
            teachers.pool_end[joining] = year + params.reservoir_term_years - 1
            context.available[joining] = False
        pool = np.flatnonzero((teachers.employer == 1) & (teachers.posting_end < 0))
        if pool.size == 0:
            return
        hosts = receiving_hosts(
            area[teachers.home_school[pool]],
            context.effectiveness[pool],
            area,
            receivers,
            context.staff,
            table.teaching_quality,
        )
        deployed = hosts >= 0
        self._post(year, pool[deployed], hosts[deployed], RESERVOIR, stats, years=1)

    def _post(
        self,
        year: int,
        chosen: np.ndarray,
        hosts: np.ndarray,
        kind: int,
        stats: dict[str, Any],
        years: int | None = None,
    ) -> None:
        model = self.model
        teachers, table = model.teachers, model.school_table
        years = model.params.rotation.posting_years if years is None else years
        scope = POSTING_KINDS[kind]
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
                    "scope": scope,
                },
            )
        teachers.school[chosen] = hosts
        teachers.posting_end[chosen] = year + years - 1
        teachers.posting_kind[chosen] = kind
        teachers.rotated_years[chosen] += years
        teachers.years_at_school[chosen] = 0.0
        stats["posted"] += int(chosen.size)
        stats[scope] += int(chosen.size)
        stats["backbone"] += int((teachers.tier[chosen] >= 1).sum())
        stats["young"] += int((teachers.age[chosen] < YOUNG_AGE).sum())
        for tier, count in enumerate(np.bincount(teachers.tier[chosen], minlength=len(TIERS))):
            stats["by_tier"][tier] += int(count)


class _RotationContext:
    """What every rotation pass of a year reads: availability (shared, so nobody is posted
    twice), effectiveness, staff and strength of schools, personal tastes, the principal's
    ranking, and the travel matrix (built at most once a year, only if a pass needs it)."""

    def __init__(self, model: Any, year: int):
        teachers, params = model.teachers, model.params.rotation
        n = len(model.school_table)
        self.model = model
        self.effectiveness = model.teacher_effectiveness()
        self.available = eligible(teachers.years_at_school, teachers.posting_end < 0, params) & (
            teachers.employer == 0
        )
        self.taste = params.taste_sd_cny * model.streams.normal(
            "rotation.taste", year, teachers.uid
        )
        self.retire_at = retirement_age(teachers.female, model.params.teachers)
        self.strength = school_mean(self.effectiveness, teachers.school, n)
        self.staff = school_counts(teachers.school, n)
        table = model.school_table
        self.open_public = ~table.private & (table.enrollment > 0)
        required = model.params.teachers.senior_title_service_years
        self.needs_service = (
            (required > 0)
            & (teachers.title != SENIOR)
            & (teachers.rotated_years < required)
            & ~table.rural[teachers.home_school]
        )
        self._travel: np.ndarray | None = None

    def key(self, rows: np.ndarray, staff_ratio: np.ndarray | float) -> np.ndarray:
        """The sending principal's ranking of `rows` (policy/rotation.principal_ranking)."""
        teachers, model = self.model.teachers, self.model
        return principal_ranking(
            self.effectiveness[rows],
            teachers.tier[rows],
            teachers.age[rows],
            model.params.evaluation.member_weight_in_force,
            model.params.rotation.selection,
            staff_ratio,
        )

    def willing(
        self, rows: np.ndarray, area: np.ndarray, senders: np.ndarray, receivers: np.ndarray
    ) -> np.ndarray:
        """Whether each of `rows` would volunteer for a posting from its school to the
        receiving schools of its area (policy/rotation.volunteer_utility above 0)."""
        teachers = self.model.teachers
        travel = mean_travel_to_receivers(self.travel_km(), area, senders, receivers)
        utility = volunteer_utility(
            teachers.age[rows],
            self.retire_at[rows],
            travel[teachers.school[rows]],
            self.taste[rows],
            self.model.params.rotation,
            self.needs_service[rows],
        )
        return utility > 0

    def travel_km(self) -> np.ndarray:
        if self._travel is None:
            self._travel = self.model.school_travel_km()
        return self._travel
