"""Scenario schema of the housing market that prices school access (学区房).

Each catchment holds a stock of dwellings, a yearly share of which comes up for sale and
for rent. Entering families bid for the flats on offer; the premium is the price at which
the families who want to buy there equal the flats on offer (processes/housing.py). What
a buyer pays for access is not the premium itself, which is mostly recovered at resale,
but its cost of holding: financing, transaction costs on the premium, what the dwelling
rule takes from a used flat at resale, and the expected loss if the catchment rule ends.
"""

from __future__ import annotations

from edusim.scenario.fields import Section, param


class HousingParams(Section):
    """Catchment housing market (学区房): dwelling stock, turnover, cost of holding a premium."""

    flat_size_m2: float = param(
        90.0, unit="m²", source="assumption", description="size of a typical family flat", gt=0
    )
    famous_premium_share: float = param(
        0.08,
        unit="share of base price",
        source=(
            "sources §4: key-school premiums 4-13% in Beijing (Huang et al. 2020; Bai & Wei"
            " 2017); Zheng, Hu & Wang 2016: 8.1%"
        ),
        description="premium of a famous school's catchment in the city as built (others pro rata to positive prestige); it sorts year-0 incomes and is replaced by the market's price during the burn-in",
        ge=0,
    )
    adjust_speed: float = param(
        0.2,
        unit="share of last year's premium",
        source="assumption (house prices are sticky downward: sellers facing a loss hold out; Genesove & Mayer 2001, QJE 116(4))",
        description="largest share of its premium a catchment loses in a year: sellers do not sell below (1 - adjust_speed) x last year's premium",
        gt=0,
        le=1,
    )
    other_buyers_elasticity: float = param(
        5.0,
        unit="elasticity (share of flats per share of price)",
        source=(
            "assumption, bounded below by the price elasticity of housing demand as a whole,"
            " about 0.5-0.75 (Polinsky 1977, Econometrica 45(2):447-462: -0.75; Polinsky &"
            " Ellwood 1979, REStat 61:199-205: -0.7; Hanushek & Quigley 1980, REStat"
            " 62:449-454); one catchment's demand is more elastic because neighbouring"
            " catchments are close substitutes for a buyer who does not want the school"
            " (substitutability over small distances: Mercatus Center, 'Substitutability in"
            " the Demand for Housing over Small Distances'; no published number for a"
            " catchment). Plausible range 2-20"
        ),
        description="own-price elasticity of the demand for a catchment's flats by buyers with no child entering: at a premium share p they leave e x p of the flats on offer to school buyers, so b school buyers lift a catchment's premium to about b / (e x flats offered) of the flat's price (processes/housing.py)",
        gt=0,
        le=1000,
    )
    premium_extrapolation: float = param(
        0.5,
        unit="share of last year's premium change",
        source=(
            "assumption within (0, 1): buyers expect recent price changes to go on (Case &"
            " Shiller 1989, AER 79(1):125-137; Glaeser & Nathanson 2017, JFE 126(1):147-170:"
            " buyers who forecast from past prices make prices show momentum at one-year"
            " horizons), but their one-year expectations move by less than the past year's"
            " change (Case, Shiller & Thompson 2012, Brookings Papers on Economic Activity,"
            " fall: short-run expectations if anything under-react). Plausible range 0-0.7;"
            " near 1 the extrapolation feeds on itself (docs/ODD.md §7.4)"
        ),
        description="share of last year's change of a catchment's premium (yuan) that buyers expect to find again when they resell: it adds to what buying there is worth (less what the dwelling rule and a rule change take at resale), and an owner who sells forgoes it on its own flat; 0 turns it off",
        ge=0,
        le=1,
    )
    max_premium_share: float = param(
        1.5,
        unit="share of base price",
        source="assumption (a safety ceiling above every measured premium share; see CALIBRATION-TARGETS: boundary values 7-13%)",
        description="ceiling on a catchment premium",
        ge=0,
    )
    dwellings_per_pupil: float = param(
        4.0,
        unit="dwellings per compulsory-age pupil",
        source=(
            "assumption (order of magnitude: Hangzhou had about 12 M residents, so about 4.5 M"
            " households at 2.7 persons, for about 1 M compulsory pupils in 2022;"
            " CALIBRATION-TARGETS, Zhejiang statistics)"
        ),
        description="dwellings in a district per pupil of grades 1-9 living there; a catchment holds the share of them in its residential cells",
        gt=0,
    )
    owner_occupied_share: float = param(
        0.7,
        unit="share of dwellings",
        source="assumption (most urban dwellings are owner-occupied; the rest are let)",
        description="dwellings lived in by their owner; the rest are let to tenants",
        ge=0,
        le=1,
    )
    sale_turnover: float = param(
        0.025,
        unit="share of dwellings per year",
        source="assumption (second-hand sales of a few per cent of the stock a year in large Chinese cities)",
        description="share of a catchment's dwellings that come up for sale each year",
        ge=0,
        le=1,
    )
    purchase_window_years: int = param(
        3,
        unit="years",
        source="assumption (families buy a school-district flat in the years before entry, not only in the entry year)",
        description="years before entry over which families buy into a catchment; each entering cohort competes for this share of a year's flats for sale (1 / window) and so sets the price that all the cohorts buying meanwhile pay",
        ge=1,
        le=6,
    )
    rent_turnover: float = param(
        0.3,
        unit="share of let dwellings per year",
        source="assumption (tenancies of a few years)",
        description="share of a catchment's let dwellings that come up for rent each year",
        ge=0,
        le=1,
    )
    moving_anyway_share: float = param(
        0.2,
        unit="share of entering families",
        source="assumption (families move to a larger flat around school entry for reasons of their own; for them the costs of moving are not a cost of the school)",
        description="entering families who change flat around entry anyway: they choose where to land without counting the fixed costs of moving",
        ge=0,
        le=1,
    )
    mortgage_rate: float = param(
        0.049,
        unit="share per year",
        source="People's Bank of China benchmark rate for loans over five years, 4.90% from October 2015 (the 5-year LPR that replaced it was 4.2-4.85% in 2019-2023)",
        description="yearly cost of financing the premium a buyer holds (loan interest or the return forgone on own money)",
        ge=0,
        le=0.3,
    )
    premium_transaction_share: float = param(
        0.05,
        unit="share of the premium",
        source="assumption (deed tax 1-3%, agency fees of buyer and seller 1-3%, other taxes when sold early)",
        description="transaction costs a buyer pays on the premium part of the price, over buying and reselling",
        ge=0,
        le=1,
    )
    junior_access_priced: bool = param(
        True,
        unit="yes/no",
        source=(
            "digest: junior places follow the primary address or school (划片对口); hedonic"
            " evidence that junior quality is capitalised into addresses: Habitat"
            " International 42:155-163 (2014), Hangzhou, +5.4% per junior quality level"
        ),
        description="a family buying for primary entry also values the junior access the address gives six years on (discounted at `mortgage_rate`), and holds the flat through both stages",
    )
    rule_change_hazard: float = param(
        0.02,
        unit="chance per year",
        source="assumption (multi-school zones and lotteries spread city by city after the 2014 national notice; digest, national rules)",
        description="yearly chance a buyer expects the catchment rule to give way, taking the premium with it",
        ge=0,
        le=1,
    )
    supply_elasticity_urban: float = param(
        0.5,
        unit="elasticity (share of dwellings per share of price)",
        source=(
            "assumption anchored on Chow & Niu 2015, Pacific Economic Review 20(1):1-16: the"
            " price elasticity of urban China's total housing stock is about 0.5; a built-up"
            " core adds dwellings only by redevelopment (supply is less elastic in denser,"
            " dearer cities: Fu, Zheng & Liu 2012, structural estimates across Chinese"
            " cities). Plausible range 0-1"
        ),
        description="long-run elasticity of an urban catchment's dwellings to its premium: a cell whose dearest school access sells at premium share p is built up toward (1 + p)^e of its stock as built (processes/housing_supply.py)",
        ge=0,
        le=20,
    )
    supply_elasticity_suburban: float = param(
        2.65,
        unit="elasticity (share of dwellings per share of price)",
        source=(
            "Liu 2014, 财贸经济 2014(4): aggregate price elasticity of housing supply of 35"
            " major Chinese cities 1998-2009, 2.65, lower where economic activity is denser;"
            " used here as the long-run elasticity of a suburban catchment (assumption)."
            " Plausible range 1-5"
        ),
        description="long-run elasticity of a suburban catchment's dwellings to its premium (see `supply_elasticity_urban`)",
        ge=0,
        le=20,
    )
    supply_elasticity_rural: float = param(
        5.6,
        unit="elasticity (share of dwellings per share of price)",
        source=(
            "Wang, Chan & Xu 2012, Journal of Real Estate Research: national price"
            " elasticity of housing supply 2.8-5.6 (35 cities, 1998-2009); the top of the"
            " range for county towns with farmland at their edge (assumption). Plausible"
            " range 2.8-10"
        ),
        description="long-run elasticity of a rural (county) catchment's dwellings to its premium (see `supply_elasticity_urban`)",
        ge=0,
        le=20,
    )
    construction_speed: float = param(
        0.2,
        unit="share of the log gap per year",
        source=(
            "assumption (stock adjustment: DiPasquale & Wheaton 1994, JUE 35(1):1-27; land"
            " sale, approval and building take a residential project two to three years in"
            " China, and not every plot comes up at once). Plausible range 0.1-0.5"
        ),
        description="share of the gap between a cell's stock and its long-run level (in logs) that is built in a year; the new flats are sold in the next year's markets",
        ge=0,
        le=1,
    )
    developer_expectation_years: float = param(
        3.0,
        unit="years",
        source=(
            "assumption (builders price a project by the premiums of the years it takes to"
            " buy land, build and sell, two to three in China, not by one year's clearing;"
            " backward-looking price expectations in construction: DiPasquale & Wheaton 1994,"
            " JUE 35(1):1-27; with myopic expectations, elastic supply and a building lag a"
            " housing market cycles: Wheaton 1999, Real Estate Economics 27(2):209-230)."
            " Plausible range 1 (myopic) to 5"
        ),
        description="memory of the premium developers build against: each year their expected premium moves 1 / this of the way to the year's clearing premium (exponential smoothing; 1 answers each year's premium alone)",
        ge=1,
        le=20,
    )
    burn_in_years: int = param(
        3,
        unit="rounds",
        source="assumption (enough rounds for premiums and expectations to settle; see docs/ODD.md §5)",
        description="unreported rehearsals of the first reported intake before the first reported year: its entrants (junior: the grade-6 pupils as built, from their addresses as built; primary: the first reported year's newcomers, drawn as they will arrive), go through the private intake, the housing market and placement, so that premiums and what families expect agree with the initial rule at the start",
        ge=0,
        le=20,
    )
