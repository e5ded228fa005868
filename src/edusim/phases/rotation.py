"""The year's rotation passes, run by the staffing phase after hires: group cores to their
members (and back), the district rule (县管校聘) across all schools of a district, and the
district's backbone reservoir (蓄水池) to its weakest schools, each switchable on its own.
Every pass reads one `_RotationContext` (availability shared, so nobody is posted twice)."""

from __future__ import annotations

from typing import Any

import numpy as np

from edusim.agents.teachers import POSTING_KINDS, TIERS
from edusim.grouped import members_by_group
from edusim.phases.teaching_levels import TeachingLevels
from edusim.policy.district_rotation import (
    mean_travel_to_receivers,
    receiving_hosts,
    school_areas,
    senders_and_receivers,
    sending_quota,
)
from edusim.policy.pay import posting_pay_change, school_reward_pay
from edusim.policy.rotation import (
    WILLING_FIRST,
    YOUNG_AGE,
    choose,
    choose_by_unit,
    eligible,
    host_allocation,
    principal_ranking,
    sent_back,
    volunteer_utility,
)
from edusim.policy.titles import SENIOR
from edusim.processes.aggregate import school_counts, school_mean
from edusim.world.staff import retirement_age

GROUP, DISTRICT, RESERVOIR = 1, 2, 3
"""Posting kinds (codes into `agents.teachers.POSTING_KINDS`)."""


class RotationPasses:
    """The rotation passes of one model (`run(year)` once a year)."""

    def __init__(self, model: Any):
        self.model = model

    def run(self, year: int) -> None:
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
            "quota_shortfall": 0,
            "beyond_gap": 0,
            **{kind: 0 for kind in POSTING_KINDS[1:]},
        }
        model.rotation_stats[year] = stats
        teachers.second_school[:] = -1
        teachers.second_share[:] = 0.0
        context = _RotationContext(model, year)
        if params.group_rotation:
            self._by_groups(year, context, stats)
        if params.district_rotation:
            self._by_district(year, context, stats)
        if params.reservoir_share > 0 or (teachers.employer == 1).any():
            self._reservoir(year, context, stats)
        stats["reservoir_size"] = int((teachers.employer == 1).sum())
        stats["walking"], stats["walk_travel_cny"] = 0, 0.0
        if params.walk_teachers_per_member > 0:
            self._walk_teaching(context, stats)
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
                    "quota_shortfall": stats["quota_shortfall"],
                    "beyond_gap": stats["beyond_gap"],
                },
            )

    def _by_groups(self, year: int, context: _RotationContext, stats: dict) -> None:
        model = self.model
        teachers, params = model.teachers, model.params.rotation
        rows = model.member_rows()
        if rows["school"].size == 0:
            return
        available = context.available
        travel = context.travel_km()
        teachers_of = _TeachersBySchool(teachers.school)
        kinds = model.params.groups.kinds
        strength, teaching_staff = context.strength, context.staff
        levels = TeachingLevels(context.effectiveness, teachers.school, len(model.school_table))

        def staff_of(school: int) -> np.ndarray:
            rows_ = teachers_of[school]
            return rows_[available[rows_]]

        # every posting of the pass, in the order made, posted at the end in one batch
        # (nobody moves twice, and nothing below reads where a posted teacher now is)
        posted: list[np.ndarray] = []
        posted_to: list[np.ndarray] = []
        for group_id, members in members_by_group(rows["group"], rows["school"]):
            group = model.groups.groups[group_id]
            candidates = staff_of(group.core)
            # postings go only to members weaker than the core (mean effectiveness): a
            # member at or above its core's teaching strength has nothing to catch up
            # by them, and the core would lose strong teachers to pass it (assumption)
            weaker = members[strength[members] < strength[group.core]]
            hosts_pool = weaker
            by_share = round(params.share_of_eligible * candidates.size) if weaker.size else 0
            by_quota = params.teachers_per_member * weaker.size
            count = max(by_share, by_quota)
            if count == 0 or candidates.size == 0:
                continue
            utility = volunteer_utility(
                teachers.age[candidates],
                context.retire_at[candidates],
                travel[group.core, hosts_pool].mean(),
                context.taste[candidates],
                params,
                context.needs_service[candidates],
                posting_pay_change(
                    context.pay[group.core], context.pay[hosts_pool].mean(), params.pay_parity
                ),
            )
            staff_ratio = teaching_staff[group.core] / max(teaching_staff[hosts_pool].mean(), 1.0)
            key = context.key(candidates, staff_ratio)
            if not kinds[group.kind].staff_redeploy:
                stats["asked"] += int(candidates.size)
                candidates, key = candidates[utility > 0], key[utility > 0]
                stats["volunteers"] += int(candidates.size)
            elif params.willing_first:
                key = key + WILLING_FIRST * (utility > 0)
            if params.quota_min_tier != "ordinary" and by_quota > 0:
                chosen, hosts, short = _tier_quota_postings(
                    candidates, key, teachers.tier, weaker, weaker, strength, teaching_staff,
                    params, by_share,
                )  # fmt: skip
                stats["quota_shortfall"] += short
            else:
                chosen = choose(
                    candidates,
                    key,
                    teachers.tier[candidates] >= 1,
                    count,
                    params.backbone_share_min,
                )
                staff = teaching_staff[hosts_pool]
                hosts = hosts_pool[host_allocation(chosen.size, staff, strength[hosts_pool])]
            returned = (
                sent_back(hosts, staff_of, teachers.age, teachers.tier)
                if params.send_back
                else np.full(chosen.size, -1, dtype=np.int64)
            )
            made = levels.moves_within_gap(group.core, members, chosen, hosts, returned)
            stats["beyond_gap"] += int((~made).sum())
            chosen, hosts, returned = chosen[made], hosts[made], returned[made]
            back = returned >= 0
            levels.move(chosen, teachers.school[chosen], hosts)
            levels.move(returned[back], hosts[back], group.core)
            available[chosen] = False
            sent = returned[back]
            available[sent] = False
            posted += [chosen, sent]
            posted_to += [hosts, np.full(sent.size, group.core, dtype=np.int64)]
        if posted:
            self._post(year, np.concatenate(posted), np.concatenate(posted_to), GROUP, stats)

    def _walk_teaching(self, context: _RotationContext, stats: dict) -> None:
        """走教 (Dalian D21, Hangzhou H17): each group's core sends
        `walk_teachers_per_member` of its backbone teachers (tier >= 1, at home and not
        posted this year) to teach `walk_share` of their time at each member for the year,
        the strongest to the weakest member; they keep their post and title at the core.
        A walker goes only while its member's teachers stay below the core's, each counted
        by teaching time (the share a walker teaches at the member moves there;
        policy/staffing.moves_within_gap). Their travel, `walk_share * travel_cost_cny_per_km * km` a year each, is reported
        (`walk_teaching_travel_cny`) and paid by nobody in the money accounts."""
        model = self.model
        teachers, params = model.teachers, model.params.rotation
        rows = model.member_rows()
        at_home = (
            (teachers.school == teachers.home_school)
            & (teachers.posting_end < 0)
            & (teachers.employer == 0)
            & (teachers.tier >= 1)
        )
        per_member = params.walk_teachers_per_member
        home = np.flatnonzero(at_home)
        levels = TeachingLevels(context.effectiveness, teachers.school, len(model.school_table))
        at_home_of = _TeachersBySchool(teachers.school[home], home)
        for group_id, members in members_by_group(rows["group"], rows["school"]):
            core = model.groups.groups[group_id].core
            candidates = at_home_of[core]
            if candidates.size == 0:
                continue
            strength = teachers.tier[candidates] + context.effectiveness[candidates]
            count = min(per_member * members.size, candidates.size)
            walking = candidates[np.argsort(-strength, kind="stable")[:count]]
            weakest_first = members[np.argsort(context.strength[members], kind="stable")]
            hosts = np.tile(weakest_first, per_member)[:count]
            none_back = np.full(walking.size, -1, dtype=np.int64)
            made = levels.moves_within_gap(
                core, members, walking, hosts, none_back, params.walk_share
            )
            stats["beyond_gap"] += int((~made).sum())
            walking, hosts = walking[made], hosts[made]
            count = walking.size
            levels.move(walking, core, hosts, params.walk_share)
            teachers.second_school[walking] = hosts
            teachers.second_share[walking] = params.walk_share
            km = context.travel_km()[core, hosts]
            stats["walking"] += int(count)
            stats["walk_travel_cny"] += float(
                params.walk_share * params.travel_cost_cny_per_km * km.sum()
            )

    def _by_district(self, year: int, context: _RotationContext, stats: dict) -> None:
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
        placed = hosts >= 0  # an area with senders but no receiving school keeps its teachers
        chosen, hosts = chosen[placed], hosts[placed]
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
        model.log_events(
            year,
            "posting",
            "teacher posted",
            {
                "teacher": teachers.uid[chosen],
                "from": table.name[teachers.school[chosen]],
                "to": table.name[hosts],
                "tier": teachers.tier[chosen],
            },
            constants={"years": years, "scope": scope},
            order=("teacher", "from", "to", "years", "tier", "scope"),
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


class _TeachersBySchool:
    """Teacher rows of any one school in ascending row order, from one stable sort (instead
    of a pass over every teacher per school asked for). `rows` are the teachers considered
    (default: all) and `school` their schools."""

    def __init__(self, school: np.ndarray, rows: np.ndarray | None = None):
        order = np.argsort(school, kind="stable")
        self._rows = order if rows is None else rows[order]
        self._school = school[order]

    def __getitem__(self, school: int) -> np.ndarray:
        lo, hi = np.searchsorted(self._school, [school, school + 1])
        return self._rows[lo:hi]


def _tier_quota_postings(
    candidates: np.ndarray,
    key: np.ndarray,
    tier: np.ndarray,
    members: np.ndarray,
    weaker: np.ndarray,
    strength: np.ndarray,
    staff: np.ndarray,
    params: Any,
    by_share: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """A group's postings when its quota is by tier (Sanming 四(一)3: 2-3 *municipal*
    backbone teachers to each member): `teachers_per_member` places per member, filled
    only by candidates of `quota_min_tier` or above, strongest to the weakest member
    first, round by round; places nobody of that tier can fill stay empty (the shortfall
    returned). If the national share asks for more postings than the quota filled, the
    rest go to anyone by the usual rule (backbone_share_min) to the weaker members.
    Returns (teachers, hosts, shortfall)."""
    per_member = params.teachers_per_member
    qualified = tier[candidates] >= TIERS.index(params.quota_min_tier)
    quota = per_member * members.size
    chosen = choose(
        candidates[qualified], key[qualified], np.ones(int(qualified.sum()), bool), quota, 0.0
    )
    weakest_first = members[np.argsort(strength[members], kind="stable")]
    hosts = np.tile(weakest_first, per_member)[: chosen.size]
    shortfall = quota - chosen.size
    extra = by_share - chosen.size
    if extra > 0 and weaker.size:
        rest = ~np.isin(candidates, chosen)
        more = choose(
            candidates[rest], key[rest], tier[candidates[rest]] >= 1, extra,
            params.backbone_share_min,
        )  # fmt: skip
        more_hosts = weaker[host_allocation(more.size, staff[weaker], strength[weaker])]
        chosen, hosts = np.concatenate([chosen, more]), np.concatenate([hosts, more_hosts])
    return chosen, hosts, shortfall


def reward_pay(model: Any) -> np.ndarray:
    """Reward pay per teacher at each school from last July's scores (policy/pay.py),
    plus a zone reward paid as performance pay this year (Chongming 二6)."""
    evaluation, table = model.params.evaluation, model.school_table
    if evaluation.performance_pay_cny_per_sd == 0:
        return table.zone_pay_cny.copy()
    group = model.groups.headline(len(table))[0] if evaluation.performance_pay_unified else None
    scored = school_reward_pay(table.evaluation_score, evaluation.performance_pay_cny_per_sd, group)
    return scored + table.zone_pay_cny


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
        self.pay = reward_pay(model)
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
        codes = int(area.max()) + 1 if area.size and area.max() >= 0 else 1
        host_pay = np.bincount(
            area[receivers], weights=self.pay[receivers], minlength=codes
        ) / np.maximum(np.bincount(area[receivers], minlength=codes), 1)
        school = teachers.school[rows]
        utility = volunteer_utility(
            teachers.age[rows],
            self.retire_at[rows],
            travel[school],
            self.taste[rows],
            self.model.params.rotation,
            self.needs_service[rows],
            posting_pay_change(
                self.pay[school],
                host_pay[np.maximum(area[school], 0)],
                self.model.params.rotation.pay_parity,
            ),
        )
        return utility > 0

    def travel_km(self) -> np.ndarray:
        if self._travel is None:
            self._travel = self.model.school_travel_km()
        return self._travel
