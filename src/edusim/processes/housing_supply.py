"""New dwellings where school access is dear: the supply side of the market for access.

The dwelling stock of a catchment is not fixed. Where an address sells above the
district's base price, developers build: in the long run the dwellings of a residential
cell reach

    S*(p) = S0 x ((1 + p) / (1 + p0))^e

where S0 is the cell's stock as built, p the premium share of the dearest school access
the cell's dwellings give (the larger of its primary and its junior catchment's premium:
a developer sells to whichever buyer pays most), p0 that premium when the run starts
(the burn-in's) and e the supply elasticity of the cell's district kind (dense urban
cores can add little; county towns have land at their edge). The city as built has
lived under its initial rule for years, so its developers have answered the premiums it
carries: the burn-in searches for the stock that is the long-run stock,
S_syn x (1 + p)^e from the synthesised stock S_syn at no premium, at the premiums that
stock itself clears at (`settled_stock`, a damped fixed-point step each round), and the
run starts from it (S0) and its premiums (p0). Developers then answer a premium that
rises above p0, not the premium itself. (Measuring S* from the synthesised stock at p0 =
0 inside the run made every premium the burn-in found set off building whose yearly
flow then died away, shrinking the flats on offer for a decade and lifting the premiums
under unchanged rules; declaring the synthesised stock in equilibrium with the burn-in's
premiums instead left small places with few, strongly ranked catchments at premiums no
supply had answered: docs/ODD.md §7.4.) Construction closes a share `construction_speed` of the log gap each year

    ln S_next = ln S + speed x (ln S* - ln S)     (never below S: dwellings last)

the stock-adjustment form of DiPasquale & Wheaton (1994, JUE 35(1):1-27). The new flats
are sold in the next year's markets, so a premium draws the supply that brings it down
(capitalisation is larger where land is scarce: Hilber & Mayer 2009, JUE 65(1):74-90;
Brasington 2002, JUE 52(3):524-541). With every elasticity 0 nothing is built.
"""

from __future__ import annotations

import numpy as np

from edusim.scenario.housing import HousingParams

KINDS = ("urban", "suburban", "rural")
"""District kinds in the order of `world.geography.KIND_CODES`."""


def cell_dwellings(
    cell_weight: np.ndarray,
    cell_district: np.ndarray,
    district_pupils: np.ndarray,
    params: HousingParams,
) -> np.ndarray:
    """Dwellings of every residential cell as built: each district's dwellings
    (`dwellings_per_pupil` x its pupils of grades 1-9) spread over its cells by
    residential weight."""
    district_weight = np.bincount(cell_district, cell_weight, minlength=district_pupils.size)
    return (
        params.dwellings_per_pupil
        * district_pupils[cell_district]
        * cell_weight
        / np.maximum(district_weight[cell_district], 1e-12)
    )


def catchment_stock(dwellings: np.ndarray, cell_school: np.ndarray, n_schools: int) -> np.ndarray:
    """Dwellings of every school's catchment: the dwellings of its cells (`cell_school`,
    -1 for none)."""
    has = cell_school >= 0
    return np.bincount(cell_school[has], dwellings[has], minlength=n_schools)


def supply_elasticity_of_kind(params: HousingParams) -> np.ndarray:
    """Supply elasticity per district kind code (urban, suburban, rural)."""
    return np.array(
        [
            params.supply_elasticity_urban,
            params.supply_elasticity_suburban,
            params.supply_elasticity_rural,
        ]
    )


def cell_premium_share(cell_school: np.ndarray, premium_share: np.ndarray) -> np.ndarray:
    """Per cell, the premium share of the dearest school access its dwellings give: the
    larger of its catchments' premiums over the stages (`cell_school` is stages x cells;
    0 where a cell has no catchment)."""
    premium = np.zeros(cell_school.shape[1])
    for schools in cell_school:
        has = schools >= 0
        premium[has] = np.maximum(premium[has], premium_share[schools[has]])
    return premium


def new_dwellings(
    dwellings: np.ndarray,
    as_built: np.ndarray,
    premium_share: np.ndarray,
    elasticity: np.ndarray,
    speed: float,
    premium_at_start: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Dwellings built in each cell this year: the stock moves a share `speed` of the log
    gap toward its long-run level `as_built x ((1 + premium_share) / (1 +
    premium_at_start))^elasticity` (the stock as built is in equilibrium with the premium
    the run starts with); nothing is built where the stock is at or above it (dwellings
    are not pulled down)."""
    target_log = (
        np.log1p(np.maximum(premium_share, 0.0)) - np.log1p(np.maximum(premium_at_start, 0.0))
    ) * elasticity
    present_log = np.log(np.maximum(dwellings, 1e-300) / np.maximum(as_built, 1e-300))
    step = speed * (target_log - present_log)
    built = dwellings * np.expm1(np.maximum(step, 0.0))
    return np.where(as_built > 0, built, 0.0)


def developers_premium(
    expected: np.ndarray, premium_share: np.ndarray, memory_years: float
) -> np.ndarray:
    """The premium developers build against, per cell: last year's expectation moved
    `1 / memory_years` of the way to this year's premium (adaptive expectations). One
    year's clearing price carries the noise of one cohort's bids; builders who answered
    it alone, with the flats on sale a year later and the land to build them on, made
    the premiums of elastic places alternate from year to year (docs/ODD.md 7.4)."""
    return expected + (premium_share - expected) / memory_years


def settled_stock(
    dwellings: np.ndarray,
    synthesised: np.ndarray,
    premium_share: np.ndarray,
    elasticity: np.ndarray,
    damping: float = 0.5,
) -> np.ndarray:
    """One step of the burn-in's search for the stock the city as built has: the stock
    that is the long run's, `synthesised x (1 + premium_share)^elasticity`, at the
    premiums it itself clears at. The synthesised stock (`cell_dwellings`) is the
    stock at no premium; years under the initial rule have built where access sells
    dear. The step moves the log stock a share `damping` of the way toward the long-run
    stock at this round's premiums, both ways (a search, not construction: a stock
    that overshoots is taken back), so that market and stock reach a fixed point
    rather than cycle (more stock lowers the premium that called it)."""
    target_log = np.log1p(np.maximum(premium_share, 0.0)) * elasticity
    present_log = np.log(np.maximum(dwellings, 1e-300) / np.maximum(synthesised, 1e-300))
    settled = synthesised * np.exp(present_log + damping * (target_log - present_log))
    return np.where(synthesised > 0, settled, dwellings)
