"""Scenario schema of staff flows: teacher rotation within groups, its incentives, and the
evaluation of principals that shapes whom they send."""

from __future__ import annotations

from typing import Literal

from edusim.scenario.fields import Section, param

_NATIONAL = "digest: national rules (教师〔2014〕4号)"


class RotationParams(Section):
    """Teacher rotation between group cores and members (支教 / 跟教 / 走教)."""

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
        description="quota of teachers each member receives a year (the larger of quota and share applies)",
        ge=0,
    )
    leaders_per_member: int = param(
        0,
        unit="leaders per member per year",
        source="digest: Sanming (1 school-level leader and 1 middle manager per member)",
        description="school leaders and middle managers posted to each member a year",
        ge=0,
    )
    leader_management_transfer: float = param(
        0.05,
        unit="share of management gap per leader per year",
        source="assumption",
        description="share of the member-core management gap a posted leader closes each year",
        ge=0,
        le=1,
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
        description="whether rotation counts toward promotion",
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
        description="whether core principals are judged on their members' progress (then they send strong teachers; otherwise they keep the best at home)",
    )
