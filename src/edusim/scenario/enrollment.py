"""Public enrollment rules: who is placed where, by which rule, in which order."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from edusim.scenario.fields import Section, entry, param

EnrollmentRule = Literal["catchment", "zones", "group", "choice", "achievement"]
Mechanism = Literal[
    "deferred_acceptance",
    "immediate_acceptance",
    "parallel",
    "serial_dictatorship",
    "top_trading_cycles",
]


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
    lottery; achievement: families rank schools as under choice and schools admit by a
    test score (按成绩录取), with or without catchment priority. Under zones, group,
    choice and achievement families order schools by their own preferences; their
    catchment school is added at the end of a list that lacks it, and only choice and
    achievement give residents priority at their catchment school. `mechanism` turns
    lists and priorities into places under every rule but catchment
    (policy/mechanisms/).
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
    mechanism: Mechanism = param(
        "deferred_acceptance",
        unit="mechanism",
        source="Abdulkadiroğlu and Sönmez 2003 (deferred acceptance, Boston, top trading cycles); Chen and Kesten 2017 (parallel, 平行志愿); digest: 电脑派位 (lottery serial order)",
        description="how lists and priorities become places under zones, group, choice and achievement: deferred_acceptance, immediate_acceptance (Boston), parallel (choice bands of `parallel_band_size`), serial_dictatorship (one order: the test score under achievement, the family's lottery number otherwise) or top_trading_cycles",
    )
    parallel_band_size: int = param(
        2,
        unit="schools per band",
        source="Chen and Kesten 2017 (bands of e choices; 1 is Boston, the whole list is deferred acceptance); assumption for the size",
        description="schools in each choice band of the parallel mechanism",
        ge=1,
        le=32,
    )
    tie_breaking: Literal["single", "multiple"] = param(
        "single",
        unit="rule",
        source="Abdulkadiroğlu, Pathak and Roth 2009 (single vs multiple tie-breaking)",
        description="one lottery number per family for every school (single) or one per family and school (multiple)",
    )
    strategy: Literal["sincere", "cutoffs"] = param(
        "sincere",
        unit="rule",
        source="assumption (sincere ranking); Abdulkadiroğlu and Sönmez 2003 §III (Boston invites skipping schools out of reach)",
        description="how families list schools under immediate_acceptance and parallel: sincere, or skipping every school whose last cut-off their expected priority (lottery at its mean, score without test noise) does not reach; strategy-proof mechanisms always get sincere lists",
    )
    test_noise_sd: float = param(
        0.5,
        unit="pupil SD",
        source="assumption (a test reliability of 0.8: noise SD 0.5 of the achievement SD)",
        description="under achievement, the noise of the test score around the pupil's achievement",
        ge=0,
        le=5,
    )
    misreport_sample: int = param(
        0,
        unit="families per stage and intake",
        source="assumption (a cost control: each sampled family costs one mechanism run per listed school)",
        description="families checked for a gain from misreporting (metric misreport_gain_share); 0: not checked",
        ge=0,
        le=1000,
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
        description="under choice and achievement, residents of a school's catchment come before other applicants",
    )
    feeder_priority: bool = param(
        False,
        unit="yes/no",
        source="digest: Sanming (划片对口, S18), Dalian (nine-year continuity, D3)",
        description="junior intake under choice, zones and group-wide enrollment: pupils whose primary school feeds a junior school (对口, `feeders`) rank there below its residents and above siblings (not under catchment, where the address decides, nor under achievement)",
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
    private_mechanism: Mechanism = param(
        "deferred_acceptance",
        unit="mechanism",
        source="digest: 公民同招 (one simultaneous matching); Abdulkadiroğlu and Sönmez 2003 for the alternatives",
        description="how private schools' places are assigned from families' lists and the test score or lottery number (`private_admission`), one order for every private school: with it, deferred_acceptance, serial_dictatorship and top_trading_cycles agree; immediate_acceptance and parallel (bands of `parallel_band_size`) admit first choices first",
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
