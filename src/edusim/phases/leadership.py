"""The year's leader passes, run by the staffing phase after the teachers' rotation:
postings end, leaders retire, principals judged lowest at a term's end are not
reappointed, empty posts are filled by appointment, principals who served their terms
rotate under the district rule, group cores appoint executive principals to members and
post deputies there; then each school's management is its institution plus what its
leaders bring (policy/leadership.py). Principals are judged in the evaluation phase
(`judge_principals`). Everything is vectorised over leaders except a loop over groups."""

from __future__ import annotations

from typing import Any

import numpy as np

from edusim.agents.groups import CORE
from edusim.agents.leaders import DEPUTY, EXECUTIVE, GROUP_POSTING, HOME, PRINCIPAL
from edusim.grouped import members_by_group
from edusim.policy.district_rotation import school_areas
from edusim.policy.leadership import (
    judged_update,
    not_reappointed,
    posting_quota,
    principal_year_score,
    rotated_schools,
    school_leadership,
)
from edusim.world.leaders import appointed_leaders
from edusim.world.staff import retirement_age

LEADER_STATS: tuple[str, ...] = (
    "retired",
    "not_reappointed",
    "appointed",
    "rotated",
    "executive",
    "posted",
)
"""What `model.leader_stats[year]` counts."""


def is_core(model: Any) -> np.ndarray:
    """Per school, whether it is the core of a group now."""
    groups, n = model.groups, len(model.school_table)
    core = np.zeros(n, dtype=bool)
    core[groups.school[groups.role == CORE]] = True
    return core


def update_management(model: Any) -> None:
    """Each school's management: its institution plus its leaders' effect."""
    table, leaders = model.school_table, model.leaders
    table.management = table.institution + school_leadership(
        len(table),
        leaders.school,
        leaders.role,
        leaders.quality,
        model.params.leaders.deputy_weight,
        model.params.leaders.deputies_per_school,
    )


class LeaderPasses:
    """The leader passes of one model (`run(year)` once a year)."""

    def __init__(self, model: Any):
        self.model = model

    def run(self, year: int) -> None:
        model = self.model
        stats = dict.fromkeys(LEADER_STATS, 0)
        model.leader_stats[year] = stats
        self._end_postings(year)
        self._exits(stats)
        self._appoint(year, stats)
        if model.params.leaders.principal_rotation:
            self._rotate_principals(stats)
        places = (
            model.params.leaders.executive_share > 0 or model.params.rotation.leaders_per_member
        )
        if places and model.groups.role.size and (model.groups.role != CORE).any():
            self._group_postings(year, stats)
            self._appoint(year, stats)  # deputy posts left by executive principals
        update_management(model)
        if any(stats.values()):
            model.log_event(year, "leaders", "leader changes", dict(stats))

    def _end_postings(self, year: int) -> None:
        """Posted deputies whose posting ended, or whose host closed, go home."""
        leaders, table = self.model.leaders, self.model.school_table
        posted = leaders.posting_end >= 0
        ending = posted & ((leaders.posting_end < year) | ~table.active[leaders.school])
        leaders.school[ending] = leaders.home_school[ending]
        leaders.posting_end[ending] = -1
        leaders.posting_kind[ending] = HOME
        leaders.years_at_school[ending] = 0.0

    def _exits(self, stats: dict[str, int]) -> None:
        """Leaders at retirement age, or whose home school closed, leave; principals
        judged lowest at the end of a term are not reappointed (they leave leadership)."""
        model = self.model
        leaders, table, params = model.leaders, model.school_table, model.params.leaders
        retiring = leaders.age >= retirement_age(leaders.female, model.params.teachers)
        closed = ~table.active[leaders.home_school]
        principal = leaders.role == PRINCIPAL
        term_ends = (
            principal
            & ~retiring
            & (leaders.judged_years > 0)
            & (leaders.years_at_school > 0)
            & (np.mod(leaders.years_at_school, params.term_years) == 0)
        )
        dropped = not_reappointed(
            leaders.judged,
            table.stage[leaders.school].astype(np.int64),
            term_ends,
            params.replace_bottom_share,
        )
        stats["retired"] += int((retiring | closed).sum())
        stats["not_reappointed"] += int((dropped & ~closed).sum())
        leaders.keep(~(retiring | closed | dropped))

    def _appoint(self, year: int, stats: dict[str, int]) -> None:
        """Every open school without a principal gets one; deputy posts left empty are
        filled (posted deputies keep their posts at home; leaders on extra posts for
        postings hold none of the school's own)."""
        model = self.model
        leaders, table, params = model.leaders, model.school_table, model.params.leaders
        n = len(table)
        principal = leaders.role == PRINCIPAL
        has_principal = np.bincount(leaders.home_school[principal], minlength=n) > 0
        need_principal = table.active & ~has_principal
        holding = (leaders.role == DEPUTY) & ~leaders.extra_post
        held = np.bincount(leaders.home_school[holding], minlength=n)
        need_deputies = np.where(table.active, np.maximum(0, params.deputies_per_school - held), 0)
        school = np.concatenate(
            [np.flatnonzero(need_principal), np.repeat(np.arange(n), need_deputies)]
        )
        if school.size == 0:
            return
        role = np.r_[np.full(int(need_principal.sum()), PRINCIPAL), np.full(school.size, DEPUTY)][
            : school.size
        ]
        uids = np.arange(leaders.next_uid, leaders.next_uid + school.size)
        columns = appointed_leaders(model.params, uids, school, role, table.prestige, model.streams)
        leaders.add(school.size, **columns)
        stats["appointed"] += int(school.size)

    def _rotate_principals(self, stats: dict[str, int]) -> None:
        """Principals who served `rotation_terms` terms at an open public school (not an
        executive principal, whom the group appoints) are dealt out again within their
        district and stage, the best-judged to the weakest school."""
        model = self.model
        leaders, table, params = model.leaders, model.school_table, model.params.leaders
        open_public = table.active & ~table.private & (table.enrollment > 0)
        area = school_areas(table.district, table.stage, open_public, "district")
        due = (
            (leaders.role == PRINCIPAL)
            & (leaders.posting_kind != EXECUTIVE)
            & (leaders.years_at_school >= params.rotation_terms * params.term_years)
            & open_public[leaders.school]
        )
        rows = np.flatnonzero(due)
        if rows.size == 0:
            return
        new = rotated_schools(
            area, table.teaching_quality, leaders.judged[rows], leaders.school[rows]
        )
        moved = rows[new != leaders.school[rows]]
        leaders.school[rows] = new
        leaders.home_school[rows] = new
        leaders.years_at_school[moved] = 0.0
        leaders.judged[moved] = 0.0
        leaders.judged_years[moved] = 0.0
        stats["rotated"] += int(moved.size)

    def _group_postings(self, year: int, stats: dict[str, int]) -> None:
        """Each group's core appoints executive principals to `executive_share` of its
        members (the weakest first; the member's principal stays there as a deputy), then
        keeps `rotation.leaders_per_member` leaders at each member in all, the executive
        principal counting as the school-level one (Sanming 四(一)3: a school-level
        leader and a middle manager), the rest deputies posted for `posting_years`, to its
        weakest members first. Who is sent (`_senders`): with extra leader posts (Sanming
        六(三)) leaders appointed to posts added for the postings, so the core's own team
        stays; without, the core's own deputies, strongest first, whom it loses."""
        model = self.model
        leaders, table = model.leaders, model.school_table
        params, rotation = model.params.leaders, model.params.rotation
        rows = model.member_rows()
        strength = table.teaching_quality
        n = len(table)
        for group_id, members in members_by_group(rows["group"], rows["school"]):
            core = model.groups.groups[group_id].core
            members = members[table.active[members]]
            if members.size == 0 or not table.active[core]:
                continue
            weakest_first = members[np.argsort(strength[members], kind="stable")]
            wanted = int(np.floor(params.executive_share * members.size + 1e-9))
            if wanted:
                principal_at = np.full(n, -1, dtype=np.int64)
                is_principal = np.flatnonzero(leaders.role == PRINCIPAL)
                principal_at[leaders.school[is_principal]] = is_principal
                run_by_core = leaders.posting_kind[principal_at[weakest_first]] == EXECUTIVE
                lacking = weakest_first[~run_by_core][: max(0, wanted - int(run_by_core.sum()))]
                sent = self._senders(core, lacking.size, stats)
                lacking = lacking[: sent.size]
                old = principal_at[lacking]
                self._place(sent, lacking, PRINCIPAL, EXECUTIVE, -1)
                # the displaced principal stays at the member as a deputy (assumption: the
                # document names who appoints, not where the old principal goes); moving
                # it to the core filled the core's team with the members' weaker leaders,
                # so the core lost more than the deputy it sent
                self._place(old, lacking, DEPUTY, HOME, -1)
                stats["executive"] += int(sent.size)
            per_member = rotation.leaders_per_member
            if per_member == 0:
                continue
            posted_now = np.bincount(
                leaders.school[leaders.posting_kind == GROUP_POSTING], minlength=n
            )
            executive = np.zeros(n, dtype=bool)
            executive[leaders.school[leaders.posting_kind == EXECUTIVE]] = True
            lacking_n = posting_quota(weakest_first, posted_now, per_member, executive)
            sent = self._senders(core, int(lacking_n.sum()), stats)
            hosts = _dealt(weakest_first, lacking_n)[: sent.size]
            self._place(
                sent[: hosts.size],
                hosts,
                DEPUTY,
                GROUP_POSTING,
                year + rotation.posting_years - 1,
            )
            stats["posted"] += int(hosts.size)

    def _senders(self, core: int, count: int, stats: dict[str, int]) -> np.ndarray:
        """Rows of (up to) `count` leaders the core sends to its members.

        With extra leader posts (Sanming 六(三): "在不减少领导职数基础上,适当增加领导职数,
        用于派驻到其他成员校任职", leader posts are added, without reducing the school's
        own, for the leaders posted to members), the leaders sent hold the added posts:
        those at home from an ended posting first, then new appointments to such posts
        (drawn as appointments at the core, 7.17); the core's own team is not sent, so it
        loses no one. Until 2026-11 the core sent its strongest deputies and refilled
        their posts by appointment, which each year skimmed the best of a growing pool of
        draws: Sanming's cores (three members each) were left with deputies of mean
        effect 0.002 against 0.06 expected at their prestige (seed 3, 8 years). Without
        extra posts the core sends its own deputies at home, strongest first, and loses
        them (their posts stay empty while they are posted)."""
        leaders = self.model.leaders
        at_home = (
            (leaders.role == DEPUTY)
            & (leaders.school == core)
            & (leaders.home_school == core)
            & (leaders.posting_kind == HOME)
        )
        if self.model.params.leaders.extra_leader_posts:
            rows = np.flatnonzero(at_home & leaders.extra_post)[:count]
            short = count - rows.size
            if short > 0:
                rows = np.r_[rows, self._appoint_deputies(core, short, stats)]
            return rows
        rows = np.flatnonzero(at_home & ~leaders.extra_post)
        return rows[np.argsort(-leaders.quality[rows], kind="stable")][:count]

    def _appoint_deputies(self, core: int, count: int, stats: dict[str, int]) -> np.ndarray:
        """Rows of `count` deputies newly appointed at `core` on extra leader posts, for
        postings (Sanming S37)."""
        model = self.model
        leaders = model.leaders
        uids = np.arange(leaders.next_uid, leaders.next_uid + count)
        school = np.full(count, core)
        columns = appointed_leaders(
            model.params,
            uids,
            school,
            np.full(count, DEPUTY),
            model.school_table.prestige,
            model.streams,
        )
        columns["extra_post"] = np.ones(count, dtype=bool)
        leaders.add(count, **columns)
        stats["appointed"] += count
        return np.arange(len(leaders) - count, len(leaders))

    def _place(
        self, rows: np.ndarray, school: np.ndarray, role: int, kind: int, posting_end: int
    ) -> None:
        leaders = self.model.leaders
        leaders.school[rows] = school
        if kind != GROUP_POSTING:  # the post is now at `school`: its principal or a deputy
            leaders.home_school[rows] = school
            leaders.extra_post[rows] = False
        leaders.role[rows] = role
        leaders.posting_kind[rows] = kind
        leaders.posting_end[rows] = posting_end
        leaders.years_at_school[rows] = 0.0
        leaders.judged[rows] = 0.0
        leaders.judged_years[rows] = 0.0


def _dealt(weakest_first: np.ndarray, lacking: np.ndarray) -> np.ndarray:
    """Hosts in the order postings are dealt: one round over the members that lack
    deputies, weakest first, then the next round, until each has what it lacks."""
    position = np.repeat(np.arange(weakest_first.size), lacking)
    round_ = np.arange(position.size) - np.repeat(np.cumsum(lacking) - lacking, lacking)
    return weakest_first[position[np.lexsort((position, round_))]]


def judge_principals(model: Any) -> None:
    """This year's evaluation scores judge principals: each principal of an open public
    school adds its year score (policy/leadership.principal_year_score) to the running
    mean over its years at the school."""
    leaders, table = model.leaders, model.school_table
    n = len(table)
    included = ~table.private & (table.enrollment > 0)
    rows = model.member_rows()
    counts = np.bincount(rows["core"], minlength=n)
    sums = np.bincount(rows["core"], weights=table.evaluation_score[rows["school"]], minlength=n)
    member_mean = sums / np.maximum(counts, 1)
    judged_rows = np.flatnonzero((leaders.role == PRINCIPAL) & included[leaders.school])
    score = principal_year_score(
        table.evaluation_score,
        leaders.school[judged_rows],
        is_core(model),
        member_mean,
        model.params.evaluation.member_weight_in_force,
    )
    leaders.judged[judged_rows] = judged_update(
        leaders.judged[judged_rows], leaders.judged_years[judged_rows], score
    )
    leaders.judged_years[judged_rows] += 1.0
