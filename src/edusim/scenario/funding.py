"""Scenario schema of the money behind the reform: grants, a budget cap, and how money
turns into school resources and teacher development.

The grant amounts default to nothing: neither the digest's national rules nor any
national document in the sources names a grant per campus, group, zone or studio, so a
place pays only what its own file sets, citing its document (Chongming 二6 in
scenarios/chongming.yaml, Hangzhou's studios and special-grade support in
scenarios/hangzhou.yaml). A run without such a file spends no reform money."""

from __future__ import annotations

from typing import Literal

from edusim.scenario.fields import Section, param

_NO_AMOUNT = "no national amount in the sources: a place's file sets its own"


GrantKind = Literal[
    "branch_campus", "cross_district_group", "zone", "rural_studio", "special_teacher"
]
GRANT_KINDS: tuple[str, ...] = GrantKind.__args__  # type: ignore[attr-defined]
"""The reform's grants, by the amount that sets each (`<kind>_cny`)."""


class FundingParams(Section):
    """Grants per campus, group, zone, studio and special-grade teacher, under a yearly cap."""

    base_spending_cny_per_pupil: float = param(
        15000.0,
        unit="CNY per pupil per year",
        source="assumption (order of magnitude of public spending per pupil)",
        description="ordinary public spending per pupil, before any reform money",
        ge=0,
    )
    spending_prestige_slope: float = param(
        0.08,
        unit="share per SD of prestige",
        source="assumption (famous schools attract more resources)",
        description="relative extra ordinary spending per SD of a school's initial prestige",
        ge=0,
        le=0.5,
    )
    branch_campus_cny: float = param(
        0.0,
        unit="CNY per member campus per year",
        source=_NO_AMOUNT + " (Chongming 二6: CNY 100,000 per branch campus)",
        description="running-cost grant to each member campus of a tight or entrusted group",
        ge=0,
    )
    cross_district_group_cny: float = param(
        0.0,
        unit="CNY per group per year",
        source=_NO_AMOUNT + " (Chongming 二6: CNY 600,000 per cross-district group)",
        description="trusteeship grant to each group whose schools span districts, split over its members",
        ge=0,
    )
    zone_cny: float = param(
        0.0,
        unit="CNY per zone per year",
        source=_NO_AMOUNT + " (Chongming 二6: CNY 150,000 per zone on average)",
        description="reward to each school zone (zone-kind group), split over its schools",
        ge=0,
    )
    rural_studios: int = param(
        0,
        unit="studios",
        source="digest: Hangzhou (100+ famous-teacher rural studios)",
        description="famous-teacher rural studios, each attached to one of the weakest rural schools",
        ge=0,
    )
    rural_studio_cny: float = param(
        0.0,
        unit="CNY per studio per year",
        source=_NO_AMOUNT + " (Hangzhou: CNY 30,000 per studio a year)",
        description="subsidy of each rural studio (teacher development at its school)",
        ge=0,
    )
    special_teacher_support_cny: float = param(
        0.0,
        unit="CNY per special-grade teacher per year",
        source=_NO_AMOUNT + " (Hangzhou: >= CNY 40,000 a year per special-grade teacher)",
        description="spent by each famous/special-grade teacher's school on rural members of its groups (0: off)",
        ge=0,
    )
    zone_reward_as_pay: bool = param(
        False,
        unit="yes/no",
        source="seed 003 二6 (Chongming: the zone reward comes “在绩效工资局统筹部分”, from the bureau's pooled performance pay)",
        description="whether the zone reward is performance pay shared by the zone's teachers (outside the budget cap, buying no school resources) instead of school resource money",
    )
    budget_cap_cny: float | None = param(
        None,
        unit="CNY per year",
        source="assumption: no cap unless a place states one (Chongming 四4: got 0.8 million a year)",
        description="yearly cap on the grants listed in `capped_grants`; requests above it are scaled down pro rata (null: no cap)",
        ge=0,
    )
    capped_grants: tuple[GrantKind, ...] = param(
        GRANT_KINDS,
        unit="grant kinds",
        source="assumption: one budget pays every grant unless a place's document names the budget of each (Chongming 二6)",
        description="grants the budget cap covers; the others are paid in full",
    )
    resource_effect_max: float = param(
        0.05,
        unit="pupil SD per year",
        source="assumption",
        description="largest teaching-quality gain extra money per pupil can buy",
        ge=0,
    )
    resource_scale_cny_per_pupil: float = param(
        2000.0,
        unit="CNY per pupil per year",
        source="assumption (diminishing returns)",
        description="extra spending per pupil that buys 63% of the largest gain (1 - 1/e)",
        gt=0,
    )
    development_effect_max: float = param(
        0.02,
        unit="pupil SD per year",
        source="assumption",
        description="largest yearly effectiveness gain development money per teacher can buy",
        ge=0,
    )
    development_scale_cny_per_teacher: float = param(
        5000.0,
        unit="CNY per teacher per year",
        source="assumption (diminishing returns)",
        description="development money per teacher that buys 63% of the largest gain",
        gt=0,
    )


class BalanceParams(Section):
    """The national balanced-quality standard the model checks (digest, national rules)."""

    cv_limit_primary: float = param(
        0.50,
        unit="coefficient of variation",
        source="digest: MOE 2017 high-quality balance standard (0.50 primary)",
        description="largest admissible CV across a district's primary schools of each resource indicator",
        gt=0,
    )
    cv_limit_junior: float = param(
        0.45,
        unit="coefficient of variation",
        source="digest: MOE 2017 high-quality balance standard (0.45 junior)",
        description="largest admissible CV across a district's junior schools of each resource indicator",
        gt=0,
    )
    qualified_share_initial: float = param(
        0.6,
        unit="share of teachers",
        source="assumption",
        description="share of year-0 teachers above the required qualification (prestigious schools more)",
        ge=0,
        le=1,
    )
    qualified_share_hires: float = param(
        0.8,
        unit="share of hires",
        source="assumption (new graduates hold higher degrees)",
        description="share of new hires above the required qualification",
        ge=0,
        le=1,
    )
