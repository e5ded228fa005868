"""Group formation by rule: which schools become cores and which join them.

Cores are the strongest schools (by teaching quality) of the rule's stage and districts
not yet in a group of the rule's kind. Each core, strongest first, takes the nearest
eligible schools (weak, small or rural as the rule says; of another owner level for a
cross-level rule; of the rule's `member_districts` when it names them; feeding the core
with `members_feed_core`) up to `max_members`.
A rule may restrict cores to owner levels. Cores are added until `target_share` of the
schools the rule counts have joined, or `max_cores` is reached: by default the members
joined over the eligible member pool; with `target_counts: participants` the cores and
members joined over every school that could take part (the pool and the possible cores),
which is how Hangzhou's document counts its 60% and 25% (seed 001 目标任务).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from edusim.scenario.groups import GroupRule

if TYPE_CHECKING:
    from edusim.world.school_travel import SchoolTravel

STAGE_CODES = {"primary": 0, "junior": 1}
OWNER_CODES = {"city": 0, "district": 1, "county": 2}


@dataclass(frozen=True)
class SchoolView:
    """What formation needs to know of the schools (arrays indexed by school)."""

    stage: np.ndarray
    district: np.ndarray
    district_kind: np.ndarray  # 0 urban, 1 suburban, 2 rural
    quality: np.ndarray
    enrollment: np.ndarray
    # travel cost indexed travel_km[core, candidates]: a schools x schools matrix, or the
    # model's SchoolTravel, which computes only the pairs asked for
    travel_km: np.ndarray | SchoolTravel
    owner: np.ndarray | None = None  # 0 city, 1 district, 2 county (None: all district)
    rural: np.ndarray | None = None  # the school's own rural status (None: rural county)
    feeds: np.ndarray | None = None  # junior school each primary feeds, -1 (None: no links)


def eligible_members(rule: GroupRule, schools: SchoolView, in_scope: np.ndarray) -> np.ndarray:
    """Mask of schools the rule's member pool admits (any listed criterion qualifies)."""
    pool = np.zeros(schools.stage.size, dtype=bool)
    if not in_scope.any():
        return pool
    for criterion in rule.member_pool:
        if criterion == "any":
            pool |= in_scope
        elif criterion == "weak":
            pool |= in_scope & (schools.quality < np.median(schools.quality[in_scope]))
        elif criterion == "small":
            pool |= in_scope & (schools.enrollment < np.median(schools.enrollment[in_scope]))
        elif criterion == "rural":
            pool |= in_scope & (schools.district_kind == 2)
        elif criterion == "rural_school":
            rural = schools.district_kind == 2 if schools.rural is None else schools.rural
            pool |= in_scope & rural
    return pool


def form_by_rule(
    rule: GroupRule,
    schools: SchoolView,
    district_codes: np.ndarray,
    taken: np.ndarray,
    member_district_codes: np.ndarray | None = None,
) -> tuple[list[tuple[int, np.ndarray]], float]:
    """(core, members) of the groups the rule forms, and the share of the counted schools
    that joined (to compare with `target_share`; see the module docstring).

    `district_codes` are the districts in scope; `member_district_codes` (if not empty)
    the districts members must come from; `taken` marks schools already in a group of
    this kind (they can be neither core nor member).
    """
    core_stage = STAGE_CODES[rule.stage]
    member_stage = core_stage if rule.member_stage == "same" else STAGE_CODES[rule.member_stage]
    in_districts = np.isin(schools.district, district_codes)
    core_scope = in_districts & (schools.stage == core_stage) & ~taken
    owner = np.ones(schools.stage.size, dtype=np.int8) if schools.owner is None else schools.owner
    if rule.core_owner:
        core_scope &= np.isin(owner, [OWNER_CODES[level] for level in rule.core_owner])
    member_scope = (schools.stage == member_stage) & ~taken
    elsewhere = member_district_codes is not None and member_district_codes.size > 0
    if elsewhere:
        member_scope &= np.isin(schools.district, member_district_codes)
    elif not rule.cross_district:
        member_scope &= in_districts
    pool = eligible_members(rule, schools, member_scope)
    cores_ranked = np.flatnonzero(core_scope)[
        np.argsort(-schools.quality[core_scope], kind="stable")
    ]
    participants = rule.target_counts == "participants"
    counted = pool | core_scope if participants else pool
    eligible_total = int(counted.sum())
    groups: list[tuple[int, np.ndarray]] = []
    joined = 0
    in_a_group = np.zeros(schools.stage.size, dtype=bool)
    for core in cores_ranked:
        if in_a_group[core]:
            continue
        if eligible_total == 0 or joined >= rule.target_share * eligible_total:
            break
        if rule.max_cores is not None and len(groups) >= rule.max_cores:
            break
        pool[core] = False
        candidates = np.flatnonzero(pool)
        if not (rule.cross_district or elsewhere):
            candidates = candidates[schools.district[candidates] == schools.district[core]]
        if rule.cross_owner:
            candidates = candidates[owner[candidates] != owner[core]]
        if rule.members_feed_core:
            feeds = np.full(schools.stage.size, -1) if schools.feeds is None else schools.feeds
            candidates = candidates[feeds[candidates] == core]
        if candidates.size == 0:
            continue
        nearest = candidates[np.argsort(schools.travel_km[core, candidates], kind="stable")]
        members = nearest[: rule.max_members]
        pool[members] = False
        in_a_group[members] = True
        in_a_group[core] = True
        groups.append((int(core), members))
        joined += members.size + int(participants)
    return groups, joined / eligible_total if eligible_total else float("nan")
