"""Initial school structure: famous schools, capacity and management."""

from __future__ import annotations

from edusim.scenario.fields import Section, param


class SchoolParams(Section):
    """Initial school structure: famous schools, capacity, management."""

    famous_share_urban: float = param(
        0.08,
        unit="share of schools",
        source="assumption (a few famous schools per urban district; digest, problem)",
        description="share of urban-district schools that are famous at the start",
        ge=0,
        le=1,
    )
    famous_share_suburban: float = param(
        0.04,
        unit="share of schools",
        source="assumption",
        description="share of suburban-district schools that are famous",
        ge=0,
        le=1,
    )
    famous_share_rural: float = param(
        0.01,
        unit="share of schools",
        source="assumption",
        description="share of rural-county schools that are famous",
        ge=0,
        le=1,
    )
    prestige_kind_shift_sd: float = param(
        0.4,
        unit="SD of prestige",
        source="assumption (rural and small schools weaker; digest, Chongming)",
        description="how far urban schools sit above, and rural schools below, the mean",
        ge=0,
    )
    prestige_size_slope: float = param(
        0.3,
        unit="SD of prestige per log size ratio",
        source="assumption (small schools weaker; digest, Chongming: 35% under 200 pupils); at most 2: a school e = 2.7 times the median size would stand 2 SD (the top 2%) above it by its size alone",
        description="effect of log(school size / median size) on initial prestige",
        ge=0,
        le=2,
    )
    famous_prestige_boost_sd: float = param(
        1.0,
        unit="SD of prestige",
        source="assumption (famous schools stand clearly above their district)",
        description="prestige added to the schools chosen as famous",
        ge=0,
    )
    management_sd: float = param(
        0.06,
        unit="pupil SD per year",
        source="sources §1: principal effect 0.12 SD (Böhlmark et al. 2016), halved as a yearly flow (assumption)",
        description="spread of school management quality across schools",
        ge=0,
    )
    management_prestige_slope: float = param(
        0.06,
        unit="pupil SD per year per SD prestige",
        source="assumption",
        description="how much better managed prestigious schools are",
        ge=0,
    )
    class_size_primary: int = param(
        45,
        unit="pupils/class",
        source="sources §7: class-size standard 45 primary",
        description="hard class size in primary schools",
        ge=10,
        le=66,
    )
    class_size_junior: int = param(
        50,
        unit="pupils/class",
        source="sources §7: class-size standard 50 junior",
        description="hard class size in junior secondary schools",
        ge=10,
        le=66,
    )
    capacity_slack: float = param(
        0.10,
        unit="share of catchment cohort",
        source="assumption",
        description="spare entry places planned above a catchment's expected cohort",
        ge=0,
        le=2,
    )
    pupil_teacher_ratio_primary: float = param(
        16.9,
        unit="pupils/teacher",
        source="sources §7: Hangzhou 2022 primary PTR 16.90",
        description="staffing standard for primary schools",
        gt=1,
    )
    pupil_teacher_ratio_junior: float = param(
        11.67,
        unit="pupils/teacher",
        source="sources §7: Hangzhou 2022 junior PTR 11.67",
        description="staffing standard for junior secondary schools",
        gt=1,
    )
