"""Scenario schema of school groups (集团化办学): kinds, explicit groups, formation rules.

Kinds and their governance come from the digest ("Kinds of group"). The strength of each
mechanism per kind is an assumption, ordered as the digest describes the kinds: a tight
single-legal-person group transfers management, research and brand most strongly and
pays a transition cost; an alliance shares flexibly and weakly; entrusted management
sends brand and managers into a new or weak school.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from edusim.scenario.fields import Section, entry, param

GroupKind = Literal[
    "tight", "alliance", "entrusted", "vertical", "horizontal", "community", "zone", "university"
]
GROUP_KINDS: tuple[str, ...] = GroupKind.__args__  # type: ignore[attr-defined]
"""tight: 紧密型 一法人多校区 / 总校制; alliance: 联盟型 多法人; entrusted: 委托管理;
vertical: 学区统筹 (a junior school leads its zone's primaries); horizontal: 名校牵动;
community: 城乡学校互助共同体; zone: 学区化; university: 高校引领 (digest, kinds table)."""

_KIND_SOURCE = "assumption; ordering of kinds by tightness from digest, kinds of group"


class GroupKindParams(Section):
    """How strongly one kind of group transfers management, practice and brand."""

    management_transfer: float = param(
        0.0,
        unit="share of gap per year",
        source=_KIND_SOURCE,
        description="share of what is left of the core's management practice a member takes up each year (after n years in the group 1 - (1 - r)^n of it); a member's management then counts that share of this year's gap to its core's total management, never more than the gap (policy/group_effects.shared_management)",
        ge=0,
        le=1,
    )
    joint_research: float = param(
        0.0,
        unit="share of gap per year",
        source=_KIND_SOURCE,
        description="share of the gap to the core's strong teachers (strong_colleague_quantile of the core's effectiveness) that a member's teachers close each year (joint lesson planning, studios, mentoring; the larger of this and learning from their own colleagues); a transfer toward the core: a member's mean teacher effectiveness gains at most what is left of its gap to the core's, nothing when it is at or above it, and cores gain nothing from it (policy/group_effects.core_learning_gain)",
        ge=0,
        le=1,
    )
    online_lift: float = param(
        0.0,
        unit="share of gap",
        source=_KIND_SOURCE + "; digest: online lessons (Hangzhou)",
        description="share of what is left of the core-member teaching-quality gap (after the shared management) covered by shared online lessons and courses while the group lasts; nothing for a member at or above its core (policy/group_effects.quality_with_groups)",
        ge=0,
        le=1,
    )
    brand_sharing: float = param(
        0.0,
        unit="share of reputation gap",
        source=_KIND_SOURCE,
        description="share of the core's reputation advantage a member gains at once when it joins",
        ge=0,
        le=1,
    )
    brand_dilution: float = param(
        0.0,
        unit="SD of reputation per member",
        source=_KIND_SOURCE,
        description="reputation the core loses at formation for each member sharing its name",
        ge=0,
    )
    transition_cost: float = param(
        0.0,
        unit="pupil SD per year",
        source="assumption; digest: Chongming's secondary branch campuses dipped at first",
        description="loss of a member's management quality in its first years in the group",
        ge=0,
    )
    transition_years: int = param(
        0,
        unit="years",
        source="assumption; digest: Chongming (dip, then steady rise)",
        description="years the transition cost lasts after joining",
        ge=0,
    )
    staff_redeploy: bool = param(
        False,
        unit="yes/no",
        source="digest, kinds table (tight: president may redeploy staff)",
        description="whether the group's head may post staff between campuses",
    )
    joint_enrollment: bool = param(
        False,
        unit="yes/no",
        source="digest, kinds table (tight may enrol as one unit, Dalian)",
        description="whether the group may enrol as one unit",
    )
    shared_courses: float = param(
        0.0,
        unit="share of lesson time",
        source="assumption, set per place (Dalian 二(三)2 跨校选课, Hangzhou 学生共育, Chongming 五5); 0: off",
        description="share of a member's pupils' lesson time taught at or by the core campus (in person, after the member's transition years), so that share of their learning takes the core's teaching quality instead of their own school's; travel to the core costs lesson time (sharing.*; policy/shared_courses.py)",
        ge=0,
        le=1,
    )
    shared_facilities: float = param(
        0.0,
        unit="share of facility gap",
        source="assumption, set per place (Chongming 三5, 五3: libraries, innovation labs, venues shared in zones and groups); 0: off",
        description="share of the gap to the best facilities among the group's campuses that each campus gets the use of (processes/facilities.py)",
        ge=0,
        le=1,
    )
    shared_specialty: bool = param(
        False,
        unit="yes/no",
        source='Ninghe 三2 (坚持"一集团一特色"); Dalian 二(三)3 (统筹教育集团特色建设); off by default',
        description="whether the group has one specialty: its core keeps its own or develops one, and members without a specialty of their own offer the core's (specialties.*; policy/specialties.py)",
    )
    shared_after_school: float = param(
        0.0,
        unit="share of gap",
        source="assumption, set per place (Ninghe 四7: 课后服务师资、课程及资源共享); 0: off",
        description="share of the gap to its core's teaching quality that a member's after-school services (课后服务) close with the core's staff, courses and resources (sharing.after_school_*; policy/shared_courses.py)",
        ge=0,
        le=1,
    )


def _kind(**values: float | int | bool) -> GroupKindParams:
    return GroupKindParams(**values)


DEFAULT_KINDS: dict[str, GroupKindParams] = {
    "tight": _kind(
        management_transfer=0.25,
        joint_research=0.04,
        online_lift=0.10,
        brand_sharing=0.8,
        brand_dilution=0.03,
        transition_cost=0.05,
        transition_years=2,
        staff_redeploy=True,
        joint_enrollment=True,
    ),
    "entrusted": _kind(
        management_transfer=0.30,
        joint_research=0.03,
        online_lift=0.10,
        brand_sharing=0.9,
        brand_dilution=0.02,
        staff_redeploy=True,
    ),
    "horizontal": _kind(
        management_transfer=0.12,
        joint_research=0.025,
        online_lift=0.08,
        brand_sharing=0.5,
        brand_dilution=0.02,
        transition_cost=0.02,
        transition_years=1,
    ),
    "alliance": _kind(
        management_transfer=0.05,
        joint_research=0.015,
        online_lift=0.05,
        brand_sharing=0.2,
    ),
    "vertical": _kind(
        management_transfer=0.04,
        joint_research=0.01,
        online_lift=0.03,
        brand_sharing=0.1,
    ),
    "university": _kind(
        management_transfer=0.04,
        joint_research=0.02,
        online_lift=0.03,
        brand_sharing=0.2,
    ),
    "zone": _kind(
        management_transfer=0.03, joint_research=0.01, online_lift=0.05, brand_sharing=0.1
    ),
    "community": _kind(management_transfer=0.02, joint_research=0.01, online_lift=0.08),
}


class GroupSpec(Section):
    """A group named in the sources: its kind, core school, members and term."""

    name: str = entry(unit="name", description="name of the group", min_length=1)
    kind: GroupKind = entry(
        unit="kind", description="kind of group", source="digest, kinds of group"
    )
    core: str = entry(unit="school name", description="name of the core (lead) school")
    members: tuple[str, ...] = entry(
        unit="school names", description="names of the member schools", min_length=1
    )
    formed: dt.date = entry(
        unit="date",
        description="date the group is formed (takes effect on the first 1 September on or after it)",
    )
    term_years: int = param(
        6,
        unit="years",
        source="digest: Ninghe (6-year cooperation term)",
        description="length of a term",
        ge=1,
        le=50,
    )
    renew: bool = param(
        True,
        unit="yes/no",
        source="digest: Ninghe (renewable term)",
        description="whether the group is renewed at the end of each term",
    )
    experimental_classes: int = param(
        0,
        unit="classes per grade",
        source="Sanming 四(一)5 (探索在初中阶段建立1—2个实验班); 0: none",
        description="experimental classes per junior grade the core forms from its own best pupils (by achievement, re-formed each year), whose peers are then one another (policy/tracking.py)",
        ge=0,
        le=4,
    )


MemberPool = Literal["weak", "small", "rural", "rural_school", "any"]
OwnerLevel = Literal["city", "district", "county"]  # as in scenario/school_status.py


class GroupRule(Section):
    """Groups formed by rule: strong schools become cores and take nearby members."""

    name: str = entry(
        unit="name", description="prefix of the names of the groups formed", min_length=1
    )
    kind: GroupKind = entry(
        unit="kind", description="kind of the groups formed", source="digest, kinds of group"
    )
    formed: dt.date = entry(
        unit="date",
        description="date the groups are formed (takes effect on the first 1 September on or after it)",
    )
    stage: Literal["primary", "junior"] = entry(
        unit="stage", description="stage of the core schools"
    )
    member_stage: Literal["same", "primary", "junior"] = param(
        "same",
        unit="stage",
        source="digest: Dalian vertical groups (junior leads primaries)",
        description="stage of the members ('same' as the core, or cross-stage)",
    )
    districts: tuple[str, ...] = entry(
        (), unit="district names", description="districts in scope (empty: all districts)"
    )
    member_pool: tuple[MemberPool, ...] = param(
        ("weak",),
        unit="criteria",
        source="digest: members are weak, small, new or rural schools",
        description="which schools may join (any listed criterion qualifies): weak = below the median teaching quality of the scope, small = below the median enrollment, rural = in a rural county, rural_school = a rural school by its own status (village schools of suburban districts too; see school_status)",
    )
    max_members: int = param(
        10,
        unit="schools",
        source="digest: Ninghe (at most 10 members per lead school)",
        description="most members per core",
        ge=1,
        le=50,
    )
    max_cores: int | None = param(
        None,
        unit="schools",
        source="scenario file",
        description="most groups formed (null: as many as the target needs)",
        ge=1,
    )
    target_share: float = param(
        1.0,
        unit="share of schools in scope",
        source="digest: Hangzhou targets 60% / 25% / 98%",
        description="groups are formed, strongest cores first, until this share of the schools counted by `target_counts` has joined",
        ge=0,
        le=1,
    )
    target_counts: Literal["members", "participants"] = param(
        "members",
        unit="rule",
        source="seed 001 目标任务 (Hangzhou counts the schools taking part, 参与...的中小学比例, cores included)",
        description="what `target_share` counts: members = members joined over the eligible member pool; participants = cores and members joined over every school that could take part (the member pool and the schools in scope as cores)",
    )
    members_feed_core: bool = param(
        False,
        unit="yes/no",
        source="seed 000 二(一)1 (Dalian: “以學區初中學校為牽動學校,組成縱向的跨學段教育集團”, the zone's junior school leads its primary schools); digest: Sanming 划片对口",
        description="whether a cross-stage group's members must be primary schools that feed its junior core (对口, `feeders`), nearest first, besides meeting the member pool",
    )
    member_districts: tuple[str, ...] = entry(
        (),
        unit="district names",
        description="districts the members must come from (empty: the core's district, or any district with `cross_district`); cores still come from `districts` (Hangzhou: urban districts' schools run schools elsewhere, 跨区域)",
    )
    cross_district: bool = param(
        False,
        unit="yes/no",
        source="digest: Hangzhou cross-region groups; Chongming cross-district entrusted",
        description="whether members may come from another district",
    )
    core_owner: tuple[OwnerLevel, ...] = param(
        (),
        unit="owner levels",
        source="digest: Sanming city-level pairings; SEED-COVERAGE S1, H2",
        description="owner levels a core may have (empty: any)",
    )
    cross_owner: bool = param(
        False,
        unit="yes/no",
        source="digest: Hangzhou 跨层级 groups; Sanming (break affiliation barriers)",
        description="whether members must have an owner level other than their core's (cross-level groups)",
    )
    term_years: int = param(
        6,
        unit="years",
        source="digest: Ninghe (6-year term)",
        description="length of a term",
        ge=1,
        le=50,
    )
    renew: bool = param(
        True,
        unit="yes/no",
        source="digest: Ninghe (renewable)",
        description="whether the groups are renewed at the end of each term",
    )


class GroupParams(Section):
    """All school groups of a scenario."""

    kinds: dict[GroupKind, GroupKindParams] = Field(
        default_factory=lambda: dict(DEFAULT_KINDS),
        description="mechanism strengths per kind (a scenario may override any kind's values)",
    )
    explicit: tuple[GroupSpec, ...] = Field(default=(), description="groups named in the sources")
    rules: tuple[GroupRule, ...] = Field(default=(), description="groups formed by rule")

    @model_validator(mode="before")
    @classmethod
    def _complete_kinds(cls, data: object) -> object:
        """A scenario's `kinds:` entries update the defaults instead of replacing them."""
        if isinstance(data, dict) and isinstance(data.get("kinds"), dict):
            merged = {name: params.model_dump() for name, params in DEFAULT_KINDS.items()}
            for name, values in data["kinds"].items():
                if name in merged and isinstance(values, dict):
                    merged[name] = {**merged[name], **values}
                else:
                    merged[name] = values
            data = {**data, "kinds": merged}
        return data
