"""Households: income, taste for quality and their housing decision at school entry."""

from __future__ import annotations

from edusim.scenario.fields import Section, param


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
        source="assumption; at most 2: a lognormal of log-SD 2 has a Gini of 0.84, beyond any country's (the highest national Ginis the World Bank lists are about 0.63)",
        description="spread of household income",
        ge=0,
        le=2,
    )
    income_sorting: float = param(
        0.5,
        unit="correlation",
        source="assumption (richer families live in dearer catchments; digest, problem)",
        description="correlation between a family's log income and its cell's log price relative to its district's mean (between districts, `income_level` sets incomes)",
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
    nearest_catchments: int = param(
        4,
        unit="catchments",
        source=(
            "assumption: a family knows the neighbourhoods around its home and weighs moving"
            " a few catchments over (housing search is local), besides the district's most"
            " reputed schools (`candidate_schools`)"
        ),
        description="nearest catchments to its home, besides its own, a family considers moving to for a school (at most 15, the nearest schools each cell lists)",
        ge=0,
        le=15,
    )
    rent_premium_share: float = param(
        0.5,
        unit="share of the catchment premium",
        source=(
            "assumption; sources §4: good-school rents capitalise the premium much less than"
            " prices (Shanghai rent yields 0.1-0.35 pp lower; Zhang & Chen 2018)"
        ),
        description="share of the landlord's financing cost of the premium a tenant pays for the stage: rent cost = share x mortgage_rate x stage years x premium",
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
