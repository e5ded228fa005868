"""The enrollment phase's housing market: entering families bid for flats in better
catchments, the market clears per catchment, and buyers and tenants move in.

What a family expects an address to give it (`model.access_reputation`) comes from the
expectation model (processes/family_choice.py); the premium is the clearing price of
processes/housing.py, stored per school as a share of the district's base flat price.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from edusim.heap import give_back_freed_memory
from edusim.phases.specialties import liked_specialties, offered_specialties
from edusim.policy.enrollment import ladder_class
from edusim.policy.specialties import match_bonus
from edusim.processes.family_choice import (
    address_candidates,
    junior_access_of_catchments,
    top_reputation_candidates,
)
from edusim.processes.housing import (
    BUY,
    STAY,
    AddressBids,
    address_entries,
    clear_entries,
    expected_resale_gain,
    holding_cost_per_yuan,
    offered_flats,
    resale_recovery,
    seller_reservation,
    supply_unit,
    tenant_cost_per_yuan,
)
from edusim.processes.housing_supply import (
    catchment_stock,
    cell_dwellings,
    cell_premium_share,
    developers_premium,
    new_dwellings,
    settled_stock,
    supply_elasticity_of_kind,
)
from edusim.world.schools import GRADES_PER_STAGE

if TYPE_CHECKING:
    from edusim.model import EduModel


def dwellings_as_built(model: EduModel) -> np.ndarray:
    """Dwellings of every residential cell in the city as built."""
    geo = model.geography
    pupils = np.array(
        [d.pupils.primary + d.pupils.junior for d in model.resolved_scenario.city.districts],
        dtype=float,
    )
    return cell_dwellings(geo.cell_weight, geo.cell_district, pupils, model.params.housing)


def dwelling_stock(model: EduModel) -> dict[int, np.ndarray]:
    """Dwellings of every school's catchment, per stage: the cells' present dwellings
    (`model.dwellings`, the stock as built plus what was built since) summed over each
    catchment."""
    return {
        stage: catchment_stock(
            model.dwellings, model.catchments.cell_school[stage], len(model.school_table)
        )
        for stage in (0, 1)
    }


def cell_premium(model: EduModel) -> np.ndarray:
    """Per cell, the premium share of the dearest school access its dwellings give."""
    return cell_premium_share(model.catchments.cell_school, model.school_table.premium_share)


def cell_supply_elasticity(model: EduModel) -> np.ndarray:
    """Per cell, the supply elasticity of its district's kind (`supply_elasticity_of_kind`)."""
    geo = model.geography
    return supply_elasticity_of_kind(model.params.housing)[geo.district_kind[geo.cell_district]]


def build_dwellings(model: EduModel) -> np.ndarray:
    """Dwellings built this year in every cell, in response to the premium developers
    expect (`model.developers_premium`, moved toward the premiums just cleared:
    `developers_premium`) above those the run started with (`model.premium_at_start`,
    per cell; processes/housing_supply.py); adds them to `model.dwellings` and returns
    them."""
    params = model.params.housing
    model.developers_premium = developers_premium(
        model.developers_premium, cell_premium(model), params.developer_expectation_years
    )
    premium = model.developers_premium
    elasticity = cell_supply_elasticity(model)
    built = new_dwellings(
        model.dwellings,
        model.dwellings_as_built,
        premium,
        elasticity,
        params.construction_speed,
        model.premium_at_start,
    )
    model.dwellings = model.dwellings + built
    return built


def settle_stock(model: EduModel, synthesised: np.ndarray) -> None:
    """The burn-in's step toward the stock the city as built has: `model.dwellings`
    moves toward the long-run stock at the premiums just cleared, measured from the
    `synthesised` stock at no premium (`settled_stock`); nothing is put on sale as
    new (the city has lived with this stock for years)."""
    model.dwellings = settled_stock(
        model.dwellings, synthesised, cell_premium(model), cell_supply_elasticity(model)
    )


def new_flats_of_catchment(model: EduModel, built: np.ndarray, stage: int) -> np.ndarray:
    """The dwellings built in each school's catchment of `stage` (`built` per cell), by
    the catchments in force now (a redraw moves them with their cells)."""
    cell_school = model.catchments.cell_school[stage]
    return catchment_stock(built, cell_school, len(model.school_table))


def flat_price_cny(model: EduModel) -> np.ndarray:
    """Base price of a typical flat (no premium) in every school's district."""
    table = model.school_table
    return (
        model.geography.district_price_cny_per_m2[table.district]
        * model.params.housing.flat_size_m2
    )


def _cells_of(cell: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells, ascending, and each row's index among them: `np.unique` with
    `return_inverse`, by counting (the cells are numbered below `n_cells`), no sort."""
    present = np.bincount(cell, minlength=n_cells) > 0
    cells = np.flatnonzero(present)
    position = np.cumsum(present) - 1
    return cells, position[cell]


GIVE_BACK_ABOVE_BIDDERS = 200_000
"""A market with this many bidders returns its freed temporaries to the system before the
next tables are allocated (`heap.give_back_freed_memory`): at eight times Hangzhou the
first markets have about 500,000 bidders and tables of hundreds of MiB, and the housing
burn-in sets the run's peak memory. Smaller markets (Hangzhou's have about 64,000) skip
it: the trim and the pages faulted in again would cost CPU for little memory."""


def housing_moves(
    model: EduModel,
    year: int,
    stage: int,
    entrants: np.ndarray,
    stock: np.ndarray,
    new_flats: np.ndarray | None = None,
) -> dict[str, float]:
    """Clear this year's market for `stage` among the public `entrants`; movers change
    address and tenure; the stage's catchment premiums become the clearing prices, which
    start from the sellers' reservation (last year's premium less `adjust_speed`). The
    flats on offer are the stock's resales plus the flats built last year (`new_flats`
    per school; this cohort's share of them, like resales). Buyers expect a share of each
    premium's last yearly change (`model.premium_change`) to go on
    (`expected_resale_gain`). Returns what the clearing
    took (rounds, flats offered, buyers)."""
    market = _market(model, year, stage, entrants, stock, new_flats)
    large = market.rows.size >= GIVE_BACK_ABOVE_BIDDERS
    if large:
        give_back_freed_memory()  # `_market`'s temporaries, before the entries are allocated
    # `clear_market` in its two steps, so that what the bidders weigh is gone before the
    # rounds allocate theirs; the option tables are built a chunk of bidders at a time
    entries = address_entries(market.bidders, market.cost, market.rent_cost)
    market.bidders = None
    if large:
        give_back_freed_memory()
    clearing = clear_entries(
        entries,
        market.rows.size,
        market.offered_sale,
        market.offered_rent,
        market.reservation,
        market.flat_of_school,
        market.unit,
    )
    del entries
    families, table, housing = model.families, model.school_table, model.params.housing
    in_stage, flat_of_school, rows = market.in_stage, market.flat_of_school, market.rows
    premium = np.minimum(clearing.premium_cny, housing.max_premium_share * flat_of_school)
    table.premium_share = np.where(in_stage, premium / flat_of_school, table.premium_share)

    target = np.full(entrants.size, STAY, dtype=np.int64)
    tenure = np.full(entrants.size, BUY, dtype=np.int64)
    target[rows], tenure[rows] = clearing.target, clearing.tenure
    moving = target != STAY
    movers = entrants[moving]
    draw = model.streams.uniform("families.move", year, families.uid[movers])
    families.cell[movers] = model.catchments.cell_in_catchment(target[moving], draw)
    families.moved_for_school[movers] = True
    families.owner[movers] = tenure[moving] == BUY
    families.residence_years[movers] = 0.0  # a newcomer renter ranks by the ladder's rules
    return {
        "market_rounds": clearing.rounds,
        "flats_offered": int(market.offered_sale[in_stage].sum()),
        "buyers": int((moving & (tenure == BUY)).sum()),
    }


@dataclass
class _Market:
    """One stage's market before it clears: the bidders (`rows` of the entrants) and, per
    school, whether it has a catchment of the stage, the flat price, the holding and rent
    cost per yuan of premium, the flats offered for sale and to let, the sellers'
    reservation and the premium that frees each further flat (`supply_unit`)."""

    bidders: AddressBids | None  # None once the entries are built (`housing_moves`)
    rows: np.ndarray
    in_stage: np.ndarray
    flat_of_school: np.ndarray
    cost: np.ndarray
    rent_cost: np.ndarray
    offered_sale: np.ndarray
    offered_rent: np.ndarray
    reservation: np.ndarray
    unit: np.ndarray


def _market(
    model: EduModel,
    year: int,
    stage: int,
    entrants: np.ndarray,
    stock: np.ndarray,
    new_flats: np.ndarray | None,
) -> _Market:
    """The bidders of `housing_moves` and the flats they face. Its own temporaries (one
    value per entrant, a dozen of them) go when it returns, before the market clears."""
    families, table, params = model.families, model.school_table, model.params
    housing, choice = params.housing, params.families
    in_stage = (table.stage == stage) & ~table.private & table.active  # with a catchment
    access = model.access_reputation[stage]
    years = GRADES_PER_STAGE[stage]
    local = families.local_hukou[entrants]
    min_years = params.enrollment.renter_min_years
    now = ladder_class(
        local, families.owner[entrants], families.residence_years[entrants], min_years
    )
    home = model.catchments.catchment_of(families.cell[entrants], stage)
    current = access[now, home]
    # a buyer for primary entry also buys the junior access of the address (对口 by
    # address), six years on, and holds the flat through both stages
    own_access, current_own, appeal = access, current, table.reputation
    if stage == 0 and housing.junior_access_priced:
        weight = (1.0 + housing.mortgage_rate) ** -GRADES_PER_STAGE[0]
        junior = model.access_reputation[1]
        geo, catchments = model.geography, model.catchments
        junior_of_address = weight * junior_access_of_catchments(
            geo.cell_weight,
            catchments.cell_school[0],
            catchments.cell_school[1],
            junior,
            len(table),
        )
        own_access = access + junior_of_address
        # families consider the addresses best for both stages (as a local owner)
        appeal = table.reputation + junior_of_address[0]
        current_own = (
            current + weight * junior[now, catchments.catchment_of(families.cell[entrants], 1)]
        )
        years = GRADES_PER_STAGE[0] + GRADES_PER_STAGE[1]
    used = model.dwelling_used_share(stage)
    flat_of_school = flat_price_cny(model)
    offered_sale, offered_rent = offered_flats(stock, used, housing)
    if new_flats is not None:  # new flats have given no place under the dwelling rule
        cohort_share = new_flats / housing.purchase_window_years
        offered_sale = offered_sale + np.floor(cohort_share + 0.5).astype(np.int64)
    offered_sale = np.where(in_stage, offered_sale, 0)
    offered_rent = np.where(in_stage, offered_rent, 0)
    reservation = seller_reservation(table.premium_share * flat_of_school, housing)

    # what each family weighs: its own catchment, the nearest ones to its home and the
    # district's most reputed (as a local owner would rank them); all of it depends on
    # the family's cell only, so it is built once per cell the entrants live in
    district = families.district[entrants]
    cells, cell_row = _cells_of(families.cell[entrants], model.geography.cell_weight.size)
    open_school = in_stage & table.active
    reputed = top_reputation_candidates(
        appeal,
        table.district,
        table.stage,
        choice.candidate_schools,
        len(model.geography.district_names),
        eligible=~table.private & table.active,
    )[:, stage]
    nearest = model.catchments.cell_nearest[stage, cells, 1 : choice.nearest_catchments + 1]
    nearest = np.where((nearest >= 0) & open_school[np.maximum(nearest, 0)], nearest, -1)
    considered = address_candidates(
        model.catchments.catchment_of(cells, stage),
        nearest,
        reputed[model.geography.cell_district[cells]],
    )

    def best_considered(table_of_access: np.ndarray) -> np.ndarray:
        """The most any considered address could give each family (any ladder class)."""
        best = table_of_access.max(axis=0)[np.maximum(considered, 0)]
        return np.where(considered >= 0, best, -np.inf).max(axis=1)[cell_row]

    best_access = best_considered(access)
    best_own = best_access if own_access is access else best_considered(own_access)
    worth = families.quality_taste[entrants] * families.income_cny[entrants]
    flat = model.geography.district_price_cny_per_m2[district] * housing.flat_size_m2
    # families changing flat anyway do not count its fixed costs against the school
    anyway = (
        model.streams.uniform("families.moving_anyway", year, families.uid[entrants])
        < housing.moving_anyway_share
    )
    fixed_buy = np.where(anyway, 0.0, choice.moving_cost_share * flat)
    fixed_rent = np.where(anyway, 0.0, choice.rent_moving_cost_share * flat)
    # school specialties (phases/specialties.py): a catchment school offering the kind a
    # family cares for adds to both access gains, so to the best conceivable gain too
    offered, match = offered_specialties(model), 0.0
    best_gain = np.maximum(best_own - current_own, best_access - current)
    if offered is not None:
        match = params.specialties.match_value_sd
        liked = liked_specialties(model, entrants)
        current_match = match_bonus(liked, offered, home, match)
        best_gain = best_gain + np.where(liked >= 0, match, 0.0) - current_match
    # only entrants whose best conceivable gain covers a fixed cost can enter the market
    rows = np.flatnonzero(worth * best_gain > np.minimum(fixed_buy, fixed_rent))
    # the bidders' rows of what they need; the entrants' columns go before the option
    # tables are built (at eight times Hangzhou, a dozen columns of about 0.9 M entrants)
    local, cell_row, home, worth = local[rows], cell_row[rows], home[rows], worth[rows]
    current, current_own = current[rows], current_own[rows]
    fixed_buy, fixed_rent = fixed_buy[rows], fixed_rent[rows]
    specialty = {}
    if offered is not None:
        specialty = dict(
            liked=liked[rows], offered=offered, match_value=match,
            current_match=current_match[rows],
        )  # fmt: skip
        del liked, current_match
    del best_access, best_own, best_gain, flat, anyway, now, district
    as_owner = ladder_class(local, np.ones(rows.size, bool), np.zeros(rows.size), min_years)
    as_renter = ladder_class(local, np.zeros(rows.size, bool), np.zeros(rows.size), min_years)
    rule_years = params.enrollment.dwelling_rule_years
    resale_gain = None
    if housing.premium_extrapolation > 0:  # buyers expect last year's change to go on
        change_cny = np.where(in_stage, model.premium_change * flat_of_school, 0.0)
        resale_gain = expected_resale_gain(
            change_cny, resale_recovery(housing, years, rule_years), housing
        )
    cost = np.full(len(table), holding_cost_per_yuan(housing, years, rule_years))
    stage_years = GRADES_PER_STAGE[stage]  # a tenant rents for its stage only
    rent_cost = np.full(
        len(table), tenant_cost_per_yuan(choice.rent_premium_share, housing, stage_years)
    )
    # what each bidder weighs and what an address is worth to it; the option tables
    # (families x options) are built a chunk of bidders at a time with the entries (a
    # bought flat on offer is one not used under the dwelling rule, a let flat may be)
    bidders = AddressBids(
        considered=considered,
        row_of=cell_row,
        as_owner=as_owner,
        as_renter=as_renter,
        own_access=own_access,
        access=access,
        used=used,
        current_own=current_own,
        current=current,
        worth=worth,
        resale_gain=resale_gain,
        fixed_buy=fixed_buy,
        fixed_rent=fixed_rent,
        home=home,
        owner=families.owner[entrants[rows]],
        limit=choice.affordability_income_multiple * families.income_cny[entrants[rows]],
        **specialty,
    )
    return _Market(
        bidders, rows, in_stage, flat_of_school, cost, rent_cost, offered_sale, offered_rent,
        np.where(in_stage, reservation, 0.0), supply_unit(flat_of_school, offered_sale, housing),
    )  # fmt: skip
