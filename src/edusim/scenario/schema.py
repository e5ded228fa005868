"""The scenario schema: every input of a run, typed, closed and documented.

Each parameter declares its unit, default and source through `param`. Sources name a
section of `shared/domain/POLICY-DIGEST.md` ("digest"), a row of
`shared/domain/PARAMETER-SOURCES.md` ("sources §N") or say "assumption" plainly.
City and behaviour blocks are the model's context (uncertainties); `enrollment` and
`timeline` are the policy levers that later modules extend.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from edusim.scenario.counterfactual import CounterfactualParams
from edusim.scenario.fields import Section, entry, param
from edusim.scenario.funding import BalanceParams, FundingParams
from edusim.scenario.groups import GroupParams
from edusim.scenario.housing import HousingParams
from edusim.scenario.private import PrivateParams
from edusim.scenario.rotation import EvaluationParams, RotationParams
from edusim.scenario.school_status import SchoolStatusParams

STAGES: tuple[str, ...] = ("primary", "junior")
"""Compulsory stages: primary grades 1-6 and junior secondary grades 7-9 (digest, intro)."""

MAX_SEED: int = 2**63 - 1
"""Largest root seed: seeds are stored with every run (the `seed` column of the result
tables and experiment parts is a signed 64-bit integer, and manifest.json), so a seed
must fit in int64. numpy's SeedSequence itself takes any non-negative integer."""

DistrictKind = Literal["urban", "suburban", "rural"]


class StageCounts(Section):
    """A count for each compulsory stage."""

    primary: int = Field(
        ge=0,
        description="count for the primary stage (grades 1-6)",
        json_schema_extra={"unit": "schools or pupils", "source": "scenario file"},
    )
    junior: int = Field(
        ge=0,
        description="count for the junior secondary stage (grades 7-9)",
        json_schema_extra={"unit": "schools or pupils", "source": "scenario file"},
    )


class District(Section):
    """A district or county: its geography, its schools and its pupils at the start year."""

    name: str = Field(
        min_length=1,
        description="district name as in the sources",
        json_schema_extra={"unit": "name", "source": "scenario file"},
    )
    kind: DistrictKind = Field(
        description="urban, suburban or rural (county)",
        json_schema_extra={
            "unit": "category",
            "source": "digest (urban and suburban districts, counties)",
        },
    )
    area_km2: float = param(
        100.0,
        unit="km²",
        source="scenario file",
        description="land area (large enough for its share of its ring to hold cells for its schools and towns, and at most a few million cells; `edusim validate` says how large)",
        gt=0,
    )
    towns: int = param(
        5, unit="towns", source="scenario file", description="towns or sub-districts", ge=1
    )
    islands: int = param(
        0,
        unit="islands",
        source="digest: Chongming (three islands)",
        description="0 for mainland; N >= 1 splits the district into N islands across water",
        ge=0,
        le=12,
    )
    schools: StageCounts = Field(description="number of school sites per stage")
    private_schools: StageCounts | None = Field(
        default=None,
        description="how many of those sites are private (民办); omitted: `private.school_share_*` of them, rounded",
        json_schema_extra={"unit": "schools per stage", "source": "scenario file"},
    )
    pupils: StageCounts = Field(description="enrolled pupils per stage at the start year")
    income_level: float = param(
        1.0,
        unit="ratio to city median",
        source="assumption",
        description="median household income of the district relative to the city median",
        gt=0,
    )
    house_price_cny_per_m2: float = param(
        30000.0,
        unit="CNY/m²",
        source="assumption (order of magnitude of Hangzhou resale prices)",
        description="base price of housing without any school premium",
        gt=0,
    )


class City(Section):
    """The synthetic city: districts on a plane of residential cells."""

    cell_km: float = param(
        1.0,
        unit="km",
        source="assumption",
        description="side of a residential grid cell; catchments are unions of cells",
        gt=0.1,
        le=10,
    )
    island_crossing_km: float = param(
        25.0,
        unit="km-equivalent",
        source="assumption; digest: Chongming travel cost between islands",
        description="extra travel cost of crossing water between two islands",
        ge=0,
    )
    districts: tuple[District, ...] = Field(min_length=1, description="the districts")

    @field_validator("districts")
    @classmethod
    def _unique_names(cls, districts: tuple[District, ...]) -> tuple[District, ...]:
        seen: set[str] = set()
        for district in districts:
            if district.name in seen:
                raise ValueError(f"district name '{district.name}' appears twice")
            seen.add(district.name)
        return districts


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
        source="assumption (small schools weaker; digest, Chongming: 35% under 200 pupils)",
        description="effect of log(school size / median size) on initial prestige",
        ge=0,
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


class TeacherParams(Section):
    """Teachers: effectiveness, growth, exit and hiring."""

    effect_sd: float = param(
        0.13,
        unit="pupil SD per year",
        source="sources §1: average SD of teacher effects (Hanushek & Rivkin 2010)",
        description="spread of innate teacher effectiveness",
        ge=0,
    )
    prestige_effect_slope: float = param(
        0.05,
        unit="pupil SD per year per SD prestige",
        source="assumption (famous schools hold stronger teachers; digest, problem)",
        description="mean effectiveness shift of a school's teachers per SD of prestige",
        ge=0,
    )
    experience_gain: float = param(
        0.061,
        unit="pupil SD per year",
        source="sources §1: +0.061 SD at 3-5 years vs novice (Clotfelter, Ladd & Vigdor 2010)",
        description="total effectiveness gained from experience, reached after ~5 years",
        ge=0,
    )
    experience_scale_years: float = param(
        2.0,
        unit="years",
        source="sources §1: about half the gain in the first years (Papay & Kraft 2015)",
        description="e-folding time of the experience gain",
        gt=0,
    )
    peer_learning_rate: float = param(
        0.02,
        unit="share of gap closed per year",
        source="assumption",
        description="share of the gap to the school's strongest colleagues closed each year",
        ge=0,
        le=1,
    )
    strong_colleague_quantile: float = param(
        0.9,
        unit="quantile",
        source="assumption",
        description="which colleagues a teacher learns from (the school's top decile)",
        ge=0.5,
        le=1,
    )
    female_share: float = param(
        0.7,
        unit="share",
        source="assumption",
        description="share of women among teachers (retirement age differs)",
        ge=0,
        le=1,
    )
    retirement_age_female: int = param(
        55,
        unit="years",
        source="sources §5: retirement age women 55 (professional)",
        description="retirement age of women teachers",
        ge=40,
        le=70,
    )
    retirement_age_male: int = param(
        60,
        unit="years",
        source="sources §5: retirement age men 60",
        description="retirement age of men teachers",
        ge=40,
        le=70,
    )
    attrition_urban: float = param(
        0.02,
        unit="share per year",
        source="assumption",
        description="yearly quit rate of teachers in urban districts",
        ge=0,
        le=1,
    )
    attrition_rural: float = param(
        0.07,
        unit="share per year",
        source="sources §5: rural attrition 5-10%/yr (Chongqing study)",
        description="yearly quit rate of teachers in rural counties (suburban: the mean)",
        ge=0,
        le=1,
    )
    hire_age_mean: float = param(
        24.0,
        unit="years",
        source="assumption",
        description="mean age of new hires (below both retirement ages)",
        ge=18,
    )
    hire_reputation_slope: float = param(
        0.03,
        unit="pupil SD per year per SD reputation",
        source="assumption (reputable schools attract stronger graduates)",
        description="shift of new hires' innate effectiveness per SD of school reputation",
        ge=0,
    )
    rural_age_shift_years: float = param(
        4.0,
        unit="years",
        source="digest: Chongming teachers older on average",
        description="how much older rural teachers are at the start",
        ge=0,
    )
    share_famous_special: float = param(
        0.01,
        unit="share of teachers",
        source="assumption",
        description="share of famous or special-grade teachers (top tier; the three tier shares sum to at most 1)",
        ge=0,
        le=1,
    )
    share_municipal_backbone: float = param(
        0.04,
        unit="share of teachers",
        source="assumption",
        description="share of municipal backbone teachers (second tier; the three tier shares sum to at most 1)",
        ge=0,
        le=1,
    )
    share_backbone: float = param(
        0.15,
        unit="share of teachers",
        source="assumption",
        description="share of school/district backbone teachers (third tier; the three tier shares sum to at most 1)",
        ge=0,
        le=1,
    )
    tier_min_experience_years: int = param(
        5,
        unit="years",
        source="assumption",
        description="experience needed before a teacher can be promoted to a tier",
        ge=0,
    )

    @model_validator(mode="after")
    def _consistent(self) -> TeacherParams:
        """The tier shares are shares of the same teachers, and a hire is younger than
        retirement age (added in the order `processes.teacher_growth` adds them)."""
        tiers = self.share_famous_special + self.share_municipal_backbone + self.share_backbone
        if tiers > 1:
            raise ValueError(
                f"share_famous_special + share_municipal_backbone + share_backbone is "
                f"{tiers:.6g}; the three tiers are shares of the same teachers and must sum "
                "to at most 1"
            )
        youngest = min(self.retirement_age_female, self.retirement_age_male)
        if self.hire_age_mean >= youngest:
            raise ValueError(
                f"hire_age_mean ({self.hire_age_mean:g}) must be below the retirement ages "
                f"(retirement_age_female {self.retirement_age_female}, retirement_age_male "
                f"{self.retirement_age_male})"
            )
        return self


class FamilyParams(Section):
    """Households: income, taste for quality, and their housing decision at school entry."""

    median_income_cny: float = param(
        150000.0,
        unit="CNY/year",
        source="assumption (order of magnitude of Hangzhou household disposable income)",
        description="city median annual household income",
        gt=0,
    )
    income_log_sd: float = param(
        0.6,
        unit="SD of log income",
        source="assumption",
        description="spread of household income",
        ge=0,
    )
    income_sorting: float = param(
        0.5,
        unit="correlation",
        source="assumption (richer families live in dearer catchments; digest, problem)",
        description="correlation between a family's log income and its cell's log price",
        ge=0,
        le=0.95,
    )
    migrant_share: float = param(
        0.29,
        unit="share of families",
        source="sources §7: Hangzhou 2022, 286,300 migrant pupils of 987,900 (29%)",
        description="families without local household registration (随迁子女)",
        ge=0,
        le=1,
    )
    owner_share_local: float = param(
        0.85,
        unit="share of local families",
        source="assumption",
        description="local families who own their dwelling",
        ge=0,
        le=1,
    )
    owner_share_migrant: float = param(
        0.30,
        unit="share of migrant families",
        source="assumption",
        description="migrant families who own their dwelling",
        ge=0,
        le=1,
    )
    cohort_growth: float = param(
        0.0,
        unit="share per year",
        source="assumption",
        description="yearly growth of entering cohorts",
        ge=-0.2,
        le=0.2,
    )
    quality_taste_mean: float = param(
        0.4,
        unit="income-years per SD reputation",
        source=(
            "assumption, set so that the dearest tenth of catchments carries premiums of a few"
            " per cent of the price (sources §4: 4-13%) with a few per cent of entrants moving"
        ),
        description="mean willingness to pay for 1 SD of school reputation",
        ge=0,
    )
    quality_taste_sd: float = param(
        0.2,
        unit="income-years per SD reputation",
        source="assumption",
        description="spread of the willingness to pay across families",
        ge=0,
    )
    taste_income_slope: float = param(
        0.15,
        unit="income-years per SD log income",
        source="sources §6: richer parents weigh academics more (Burgess et al. 2015)",
        description="how much more richer families value school quality",
        ge=0,
    )
    affordability_income_multiple: float = param(
        3.0,
        unit="years of income",
        source="assumption",
        description="largest housing premium a family can pay, in years of its income",
        ge=0,
    )
    moving_cost_share: float = param(
        0.08,
        unit="share of the flat's base price",
        source="assumption (deed tax, agency fees and moving, a few per cent of the price)",
        description="cost of moving house for a school, besides any premium difference",
        ge=0,
    )
    candidate_schools: int = param(
        8,
        unit="schools",
        source="assumption",
        description="most reputed schools of the district a family considers moving for",
        ge=1,
        le=64,
    )
    rent_premium_share: float = param(
        0.5,
        unit="share of the catchment premium",
        source=(
            "assumption; sources §4: good-school rents capitalise the premium much less than"
            " prices (Shanghai rent yields 0.1-0.35 pp lower; Zhang & Chen 2018)"
        ),
        description="cost of renting into a catchment for the stage, as a share of the premium a buyer pays",
        ge=0,
        le=1,
    )
    rent_moving_cost_share: float = param(
        0.05,
        unit="share of the flat's base price",
        source="assumption (agency fee, deposit, moving and a period of paying for two homes; no deed tax)",
        description="cost of moving into a rented flat for a school, besides the rent premium",
        ge=0,
    )
    outcome_memory: float = param(
        0.5,
        unit="weight on the previous expectation",
        source="assumption (families learn what an address gives from more than one intake)",
        description="how much of its previous expectation a family keeps when it learns what each catchment gave last year (0: last year only)",
        ge=0,
        lt=1,
    )
    sibling_share: float = param(
        0.25,
        unit="share of entrants",
        source="assumption (second births were about half of births after the 2016 two-child policy; only an older sibling still in the same stage counts)",
        description="entrants with an older sibling in a school of the same stage",
        ge=0,
        le=1,
    )
    sibling_value_income_share: float = param(
        0.1,
        unit="income-years",
        source="assumption",
        description="what a family gains, in years of its income, from its children sharing a school",
        ge=0,
    )


class LearningParams(Section):
    """Pupil achievement: persistence, teaching, peers, background."""

    persistence: float = param(
        0.8,
        unit="share per year",
        source="assumption; sources §1: teacher effects fade about 50%/yr (Kane & Staiger 2008)",
        description="share of last year's achievement carried into this year",
        ge=0,
        le=1,
    )
    teaching_weight: float = param(
        1.0,
        unit="ratio",
        source="assumption (teaching quality is in pupil SD units)",
        description="weight of school teaching quality in the yearly gain",
        ge=0,
    )
    peer_effect: float = param(
        0.03,
        unit="SD per SD of peer mean per year",
        source=(
            "sources §2: 0.11-0.18 SD per SD of classmates' score (Chen et al. 2023), a level"
            " effect, times (1 - persistence) to make it a yearly flow"
        ),
        description="yearly gain per SD of the school's mean prior achievement",
        ge=0,
    )
    ses_effect: float = param(
        0.07,
        unit="SD per SD log income per year",
        source="assumption calibrated to a 90/10 gap of about 0.9 SD (sources §3, Reardon)",
        description="yearly gain per SD of family log income",
        ge=0,
    )
    entry_ses_effect: float = param(
        0.3,
        unit="SD per SD log income",
        source="sources §3: SES-achievement correlation r ≈ 0.3 (Sirin 2005)",
        description="achievement gap by family income already present at school entry",
        ge=0,
        le=1,
    )
    noise_sd: float = param(
        0.35,
        unit="pupil SD",
        source="assumption",
        description="idiosyncratic yearly shock to achievement",
        ge=0,
    )
    annual_growth_sd: float = param(
        0.4,
        unit="pupil SD per year",
        source="assumption (typical yearly learning gain; converts quality to learning-years)",
        description="one year of learning in SD units, for the learning-years quality index",
        gt=0,
    )


class ReputationParams(Section):
    """Reputation: the public's lagged reading of observed results."""

    update_rate: float = param(
        0.3,
        unit="share per year",
        source="assumption (reputation follows results with a lag)",
        description="weight of this year's observed results in reputation",
        ge=0,
        le=1,
    )
    famous_brand_sd: float = param(
        0.5,
        unit="SD of reputation",
        source="assumption (famous names outlive results; digest, problem)",
        description="initial reputation bonus of famous schools",
        ge=0,
    )


EnrollmentRule = Literal["catchment", "zones", "group", "choice"]


class EnrollmentScope(Section):
    """An enrollment rule for some stages and districts (later entries win)."""

    rule: EnrollmentRule = entry(unit="rule", description="enrollment rule for this scope")
    stages: tuple[Literal["primary", "junior"], ...] = entry(
        ("primary", "junior"), unit="stages", description="stages it applies to"
    )
    districts: tuple[str, ...] = entry(
        (), unit="district names", description="districts it applies to (empty: all)"
    )


class EnrollmentParams(Section):
    """How entering pupils are placed (see policy/enrollment.py and policy/matching.py).

    catchment: the address decides (划片就近); zones: several neighbouring schools share one
    zone and places go by the families' preferences and a lottery (多校划片); group: the
    campuses of a group that enrols as one unit share their catchments (集团统一招生);
    choice: families rank schools, deferred acceptance with catchment priority and a
    lottery. Under zones, group and choice families order schools by their own
    preferences; their catchment school is added at the end of a list that lacks it, and
    only choice gives residents priority at their catchment school.
    """

    rule: EnrollmentRule = param(
        "catchment",
        unit="rule",
        source="digest: national rules (单校划片 / 多校划片); Sanming keeps catchments; Dalian group-wide enrollment",
        description="enrollment rule in force everywhere unless `by_area` says otherwise",
    )
    by_area: tuple[EnrollmentScope, ...] = Field(
        default=(), description="rules for particular stages and districts (later entries win)"
    )
    priority_ladder: tuple[Literal["local_owner", "owner", "renter", "migrant"], ...] = param(
        ("local_owner", "owner", "renter", "migrant"),
        unit="classes, first ranks highest",
        source="assumption (common city practice: local registration with an owned dwelling first, then owners, renters, migrant families by points, 积分入学)",
        description="order of the classes of catchment residents; within a class, years of residence (for migrants their points) then the lottery",
    )
    renter_min_years: float = param(
        1.0,
        unit="years",
        source="assumption (cities often require a minimum residence for renters)",
        description="residence a local renter needs to rank as a renter (otherwise ranks with migrants)",
        ge=0,
    )
    zone_size: int = param(
        3,
        unit="schools per zone",
        source="assumption (multi-school zones of a few neighbouring schools)",
        description="schools grouped into one multi-school zone",
        ge=2,
        le=20,
    )
    choice_list_length: int = param(
        4,
        unit="schools",
        source="assumption",
        description="schools a family ranks under choice",
        ge=1,
        le=32,
    )
    catchment_priority: bool = param(
        True,
        unit="yes/no",
        source="digest: national rules (priority to nearby residents)",
        description="under choice, residents of a school's catchment come before other applicants",
    )
    distance_cost_income_share_per_km: float = param(
        0.033,
        unit="income-years per km",
        source=(
            "assumption (5,000 CNY per km at the default median income; travel costs parents'"
            " time, so it scales with income); sources §6: proximity valued highly (Hastings et al. 2005)"
        ),
        description="how much a family's ranking of schools penalises each km of distance",
        ge=0,
    )
    reserved_share: float = param(
        0.0,
        unit="share of entry places",
        source="issue: zones may reserve places for their catchment residents (assumption for the size)",
        description="under zones and group-wide enrollment, share of each school's entry places in which its own catchment residents come first",
        ge=0,
        le=1,
    )
    sibling_priority: bool = param(
        True,
        unit="yes/no",
        source="assumption (common city practice: 二孩同校)",
        description="under zones, group-wide enrollment and choice, an entrant with an older sibling at a school comes before other non-residents there",
    )
    distance_priority: bool = param(
        True,
        unit="yes/no",
        source="digest: national rules (priority to nearby residents)",
        description="under choice, among applicants of equal standing the nearer (whole km) comes first, before the lottery (zones and group-wide enrollment draw lots regardless of distance)",
    )
    private_admission: Literal["test", "lottery"] = param(
        "lottery",
        unit="rule",
        source="digest: 公民同招 (2019 opinion, in force for the 2020 intake): private schools may not test; lottery when oversubscribed",
        description="how oversubscribed private schools choose: by entry achievement (test, before 2020) or by lottery",
    )
    dwelling_rule_years: int = param(
        0,
        unit="years",
        source="digest: national rules (一房一学位, often 六年一学位)",
        description="a dwelling gives a place only once in this many years (0: no such rule)",
        ge=0,
        le=20,
    )
    dwellings_per_family: float = param(
        3.0,
        unit="dwellings per family with a child of the stage",
        source="assumption",
        description="dwellings of a catchment per resident family with a child of the stage (the pool the dwelling rule draws on)",
        gt=0,
    )


class TimelineEvent(Section):
    """A dated policy event: on `date` the listed parameters take new values."""

    date: dt.date = entry(
        unit="date",
        description="date of the event (YYYY-MM-DD); it takes effect on the first 1 September on or after it",
    )
    label: str = entry("", unit="text", description="what happened, for the event log")
    set: dict[str, Any] = entry(
        unit="parameter paths and values",
        description="dotted parameter paths and their new values",
        min_length=1,
    )


class Scenario(Section):
    """A complete, resolved scenario: the only input a run needs besides its seed."""

    name: str = entry(unit="name", description="short name used for result folders", min_length=1)
    description: str = entry("", unit="text", description="what the scenario represents")
    seed: int = param(
        1,
        unit="integer",
        source="scenario file",
        description="root seed (at most 2^63 - 1, the largest the result tables store)",
        ge=0,
        le=MAX_SEED,
    )
    start_year: int = param(
        2018,
        unit="calendar year",
        source="scenario file",
        description="first school year (September of this year)",
        ge=1950,
        le=2100,
    )
    years: int = param(
        20,
        unit="years",
        source="scenario file",
        description="school years simulated",
        ge=1,
        le=200,
    )
    city: City
    schools: SchoolParams = SchoolParams()
    school_status: SchoolStatusParams = SchoolStatusParams()
    teachers: TeacherParams = TeacherParams()
    families: FamilyParams = FamilyParams()
    learning: LearningParams = LearningParams()
    reputation: ReputationParams = ReputationParams()
    housing: HousingParams = HousingParams()
    enrollment: EnrollmentParams = EnrollmentParams()
    private: PrivateParams = PrivateParams()
    groups: GroupParams = GroupParams()
    rotation: RotationParams = RotationParams()
    evaluation: EvaluationParams = EvaluationParams()
    funding: FundingParams = FundingParams()
    balance: BalanceParams = BalanceParams()
    timeline: tuple[TimelineEvent, ...] = Field(
        default=(), description="dated policy events, in any order"
    )
    counterfactual: CounterfactualParams = CounterfactualParams()
