"""Scenario schema of staff flows: teacher rotation within groups, by the district (县管校聘 /
区管校聘) and from the district's backbone reservoir (蓄水池), its incentives, and the
evaluation of principals that shapes whom they send."""

from __future__ import annotations

from typing import Literal

from edusim.scenario.fields import Section, param

_NATIONAL = "digest: national rules (教师〔2014〕4号)"


class RotationParams(Section):
    """Teacher rotation: group cores to members (支教 / 跟教), the district rule across all
    its schools, and the district's backbone reservoir; each can be on alone."""

    group_rotation: bool = param(
        True,
        unit="yes/no",
        source="digest: every place (cores send teachers to members)",
        description="whether group cores post teachers to their members",
    )
    district_rotation: bool = param(
        False,
        unit="yes/no",
        source=_NATIONAL + "; digest: Hangzhou (县管校聘), Ninghe (区管校聘)",
        description="whether the district, as employer, posts the national share of eligible teachers from its strong urban schools to its weak or rural schools, groups or not",
    )
    district_scope: Literal["district", "city"] = param(
        "district",
        unit="rule",
        source=_NATIONAL + " (rotation within a county or district)",
        description="area over which the district rule moves teachers: each district, or the whole city",
    )
    reservoir_share: float = param(
        0.0,
        unit="share of a district's backbone teachers",
        source="digest: Ninghe (蓄水池), Chongming plan (no size given: assumption when set)",
        description="share of each district's backbone teachers held in its reservoir (district-employed, their posts pooled) and deployed each year to its weakest schools",
        ge=0,
        le=0.5,
    )
    reservoir_term_years: int = param(
        3,
        unit="years",
        source="assumption",
        description="years a teacher serves in the reservoir before returning to the home school",
        ge=1,
        le=10,
    )
    willing_first: bool = param(
        True,
        unit="yes/no",
        source="national practice 自愿报名与组织选派相结合 (voluntary application combined with assignment; 52% of teachers want voluntary application, NIES survey); on since the pattern tests were re-run with it (docs/ODD.md 7.5): the merged-campus dip of pattern 2 holds in 5 of 6 seeds either way (first-year mean -0.008 on, -0.011 off)",
        description="whether assigned postings (tight groups, the district rule, the reservoir) take willing teachers before assigning others, so that pay parity, stipends and promotion value change who goes",
    )

    walk_teachers_per_member: int = param(
        0,
        unit="teachers per member per year",
        source="digest: Dalian (名优、特色教师跨校走教), Hangzhou (cross-school teaching); no number given: 0 unless set",
        description="backbone teachers of a group's core who teach part-time at each member for the year (走教) while keeping their post and most of their classes at the core; one goes only while the member's teachers, counted by teaching time, stay at or below the core's (ODD 7.8)",
        ge=0,
        le=10,
    )
    walk_share: float = param(
        0.2,
        unit="share of teaching time",
        source="assumption (one day a week)",
        description="share of a walking teacher's teaching time spent at the member",
        gt=0,
        le=0.5,
    )

    retiree_rural_share: float = param(
        0.0,
        unit="share of retiring top-tier teachers",
        source="seed 001 加强师资队伍建设 (Hangzhou: “鼓励退休特级教师等名师到农村学校任教”, encouraged, no number: 0 unless set)",
        description="share of the famous and special-grade teachers (tier famous_special) reaching retirement age each year who go on teaching at a rural public school of their stage for retiree_rural_years, outside its posts, the strongest to the weakest school (policy/retirees.py)",
        ge=0,
        le=1,
    )
    retiree_rural_years: int = param(
        2,
        unit="years",
        source="assumption (re-employment after retirement, 返聘, is contracted for a year or two at a time; the seed gives no length)",
        description="school years a retired teacher teaches at the rural school before leaving",
        ge=1,
        le=10,
    )
    honour_value_cny: float = param(
        0.0,
        unit="CNY/year-equivalent",
        source="seed 001 完善核评机制 (Hangzhou: awards to contributing units and individuals under the provincial and city rules on administrative awards), seed 002 五4 (Ninghe: 评先评优中给予表彰奖励); no amount given: 0 unless set",
        description="value to a teacher of the honours and awards a posting makes likely (expected value: the chance of an award times what it is worth, in yuan a year of posting), added to the posting's incentives like a stipend that nobody pays out of the reform's money",
        ge=0,
    )

    eligible_years_at_school: int = param(
        6,
        unit="years",
        source=_NATIONAL + ": 6 or more consecutive years at one school",
        description="consecutive years at one school that make a teacher eligible to rotate",
        ge=0,
    )
    share_of_eligible: float = param(
        0.10,
        unit="share of eligible teachers per year",
        source=_NATIONAL + ": at least 10% a year",
        description="share of a core school's eligible teachers posted to its members each year",
        ge=0,
        le=1,
    )
    backbone_share_min: float = param(
        0.20,
        unit="share of rotating teachers",
        source=_NATIONAL + ": at least 20% backbone",
        description="smallest share of backbone teachers among those posted",
        ge=0,
        le=1,
    )
    teachers_per_member: int = param(
        0,
        unit="teachers per member per year",
        source="digest: Sanming (2-3 municipal backbone teachers per member per year)",
        description="quota of teachers each member receives a year (the larger of quota and share applies); postings that would carry a member's teachers past its core's are skipped (`beyond_gap` in the rotation event; ODD 7.8)",
        ge=0,
    )
    quota_min_tier: Literal["ordinary", "backbone", "municipal_backbone", "famous_special"] = param(
        "ordinary",
        unit="tier",
        source="seed 004 四(一)3 (Sanming: “市级骨干教师2~3名到成员学校任职任教”, municipal backbone teachers)",
        description="lowest tier that may fill the `teachers_per_member` quota (ordinary: anyone); quota places no teacher of that tier can fill stay empty and are counted (`quota_shortfall` in the rotation event), while postings the national share asks beyond the quota may still go to anyone",
    )
    leaders_per_member: int = param(
        0,
        unit="leaders per member",
        source="digest: Sanming (at least 1 school-level leader and 1 middle manager per member), Hangzhou H15 (cores send middle or higher managers), Ninghe N21 (the president deploys vice-principals and middle managers)",
        description="leaders a group's core keeps at each member in all: an executive principal from the core (leaders.executive_share) counts as the school-level one, the rest are deputies (vice-principals, middle managers) posted for posting_years at a time; who is sent depends on leaders.extra_leader_posts",
        ge=0,
        le=5,
    )
    posting_years: int = param(
        2,
        unit="years",
        source="assumption; digest: Hangzhou (exchanges of a year or more)",
        description="length of a posting before the teacher returns home",
        ge=1,
        le=10,
    )
    send_back: bool = param(
        False,
        unit="yes/no",
        source="digest: Sanming (members send staff back; total unchanged)",
        description="whether members send as many teachers to the core as they receive",
    )
    selection: Literal["backbone", "young", "any"] = param(
        "any",
        unit="rule",
        source="digest: Dalian (backbone 支教, young 跟教)",
        description="whom the sending principal prefers, besides strength",
    )
    growth_from_posting: float = param(
        0.01,
        unit="pupil SD per year",
        source="assumption",
        description="effectiveness a teacher gains from completing a posting in another school",
        ge=0,
    )
    stipend_cny: float = param(
        0.0,
        unit="CNY/year",
        source="sources §5: teachers expect about 30% of salary to rotate (Huang et al.)",
        description="stipend paid to a rotating teacher",
        ge=0,
    )
    pay_parity: bool = param(
        False,
        unit="yes/no",
        source="digest: Hangzhou (exchange teachers keep the sending school's pay)",
        description="whether a rotating teacher keeps the sending school's pay",
    )
    host_pay_gap_cny: float = param(
        10000.0,
        unit="CNY/year",
        source="assumption",
        description="pay lost at a weaker host without pay parity",
        ge=0,
    )
    promotion_priority: bool = param(
        False,
        unit="yes/no",
        source="digest: Sanming (two-school experience gives promotion priority)",
        description="whether two-school experience counts toward promotion: in the yearly tier review (promotion_priority_sd) and in what a posting is worth to a teacher",
    )
    promotion_priority_sd: float = param(
        0.05,
        unit="pupil SD per year",
        source="assumption (about 0.4 SD of teacher effects, effect_sd 0.13; digest: Sanming gives priority, no size)",
        description="with promotion_priority, how much two-school experience counts in the yearly tier review, as effectiveness",
        ge=0,
    )
    promotion_value_cny: float = param(
        30000.0,
        unit="CNY/year-equivalent",
        source="assumption",
        description="value of promotion priority to a teacher early in a career (falls to 0 at retirement)",
        ge=0,
    )
    workload_credit: bool = param(
        False,
        unit="yes/no",
        source="digest: Hangzhou (cross-school teaching counts toward workload)",
        description="whether teaching at the host counts toward the teacher's workload",
    )
    workload_value_cny: float = param(
        10000.0,
        unit="CNY/year-equivalent",
        source="assumption",
        description="value of workload credit to a teacher",
        ge=0,
    )
    travel_cost_cny_per_km: float = param(
        600.0,
        unit="CNY/year per km",
        source="assumption; digest: Chongming (travel cost limits rotation)",
        description="yearly cost of commuting per km of one-way travel (water crossings count as km)",
        ge=0,
    )
    disruption_cny: float = param(
        15000.0,
        unit="CNY/year-equivalent",
        source="assumption",
        description="cost of leaving one's school, colleagues and routines",
        ge=0,
    )
    taste_sd_cny: float = param(
        20000.0,
        unit="CNY/year-equivalent",
        source="assumption",
        description="spread of teachers' personal attitudes to rotation",
        ge=0,
    )
    plateau_age: float = param(
        45.0,
        unit="years",
        source="digest: Chongming (no mechanism reaches plateaued teachers)",
        description="age from which a teacher counts as plateaued",
        ge=20,
    )
    plateau_response: float = param(
        0.3,
        unit="ratio",
        source="assumption; digest: Chongming problem list",
        description="how strongly plateaued teachers respond to incentives (1 = like others)",
        ge=0,
        le=1,
    )


class EvaluationParams(Section):
    """How principals and groups are judged (the incentive behind whom a core sends)."""

    bundled: bool = param(
        False,
        unit="yes/no",
        source="digest: Hangzhou bundled evaluation (捆绑考核); Dalian, Sanming",
        description="preset: core principals judged fully on their members' progress (member_weight 1); false leaves member_weight as set",
    )
    member_weight: float = param(
        0.0,
        unit="weight (0-1)",
        source="digest: Ninghe (members' development an important item of the lead principal's review), Dalian; 0 = judged on the own school only (assumption for places without such a review)",
        description="weight of the receiving schools' quality in a sending principal's evaluation; above about n/(n+m) the principal sends strong teachers",
        ge=0,
        le=1,
    )

    weight_progress: float = param(
        1.0,
        unit="weight",
        source="digest: Dalian, Sanming (each school's pupil progress)",
        description="weight of pupils' progress (the school's change in mean achievement against its stage) in a school's yearly score",
        ge=0,
    )
    weight_core_gap: float = param(
        1.0,
        unit="weight",
        source="digest: Dalian, Sanming (narrowing of gaps within the group)",
        description="weight of the narrowing of a member's teaching-quality gap to its core in a school's yearly score",
        ge=0,
    )
    weight_teacher_growth: float = param(
        1.0,
        unit="weight",
        source="digest: Dalian, Sanming (teacher development)",
        description="weight of the yearly change in the mean effectiveness of a school's teachers in its yearly score",
        ge=0,
    )
    weight_satisfaction: float = param(
        0.0,
        unit="weight",
        source="digest: Sanming 四(一)7 (pupils', parents' and the community's satisfaction as the yardstick of the general schools); 0 = not part of the score (places whose documents do not judge schools by it)",
        description="weight of the mean satisfaction index of a school's entering families this year (metric satisfaction_index, processes/satisfaction.py) in its yearly score",
        ge=0,
    )
    results_fund_cny: float = param(
        0.0,
        unit="CNY per group per year",
        source="digest: Ninghe (working funds by size, activity and results; no amount given: 0 unless set)",
        description="working fund paid the next year to each group whose members' mean score is in the upper half of groups, shared by its members as resource money (outside the reform-grant cap)",
        ge=0,
    )

    performance_pay_cny_per_sd: float = param(
        0.0,
        unit="CNY/year per unit of school score",
        source="digest: Sanming (unified performance pay, 多劳多得、优绩优酬); national: the reward part of performance pay (奖励性绩效工资, about 30% of it, from memory) is set by each school; no size in the seeds: 0 unless set",
        description="reward pay a teacher gains per unit of the last evaluation score of the school where the teacher teaches (scores are z-score sums, mean about 0, so pay is redistributed)",
        ge=0,
    )
    performance_pay_unified: bool = param(
        False,
        unit="yes/no",
        source="digest: Sanming (六统一: performance pay unified in the general school)",
        description="whether the schools of a group pay reward pay by the group's mean score instead of their own",
    )
    quit_pay_response: float = param(
        0.1,
        unit="log change of the quit rate per 10,000 CNY/year",
        source="assumption (rural turnover intention is high and pay-related, sources §5, Wang & Li 2017; no elasticity in the sources)",
        description="how much reward pay above the mean lowers a teacher's yearly quit rate (exp(-response * pay / 10,000)); acts only with performance pay",
        ge=0,
        le=2,
    )

    @property
    def member_weight_in_force(self) -> float:
        """The weight principals act on: 1 under bundled evaluation, else `member_weight`."""
        return 1.0 if self.bundled else self.member_weight
