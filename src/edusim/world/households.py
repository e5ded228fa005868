"""Families arriving in the city: where they live, what they earn, how much they care.

Used both to build the year-0 city and to bring in each year's new grade-1 cohort. Every
draw is keyed by the family's id (see `edusim.randomness`), so the same family gets the
same address draw, income draw and taste in every scenario run with the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from edusim.grouped import rows_by_key
from edusim.randomness import Streams
from edusim.scenario.schema import Scenario
from edusim.world.geography import Geography


@dataclass(frozen=True)
class IncomeReference:
    """Fixed year-0 references that make income and price comparable across years."""

    log_price_mean: float
    log_price_sd: float
    log_income_mean: float
    log_income_sd: float


MIN_LOG_PRICE_SD = 0.05
"""Floor on the year-0 spread of log prices, so a city of uniform prices still sorts
incomes gently once premiums appear (instead of dividing by almost zero)."""
MAX_PRICE_Z = 5.0


def cell_log_price(geo: Geography, cell_premium_share: np.ndarray) -> np.ndarray:
    """Log price per m² of every cell: district base price times (1 + school premiums)."""
    base = geo.district_price_cny_per_m2[geo.cell_district]
    return np.log(base * (1.0 + cell_premium_share))


def price_reference(geo: Geography, cell_premium_share: np.ndarray) -> tuple[float, float]:
    """Residence-weighted mean and SD of cell log prices."""
    log_price = cell_log_price(geo, cell_premium_share)
    weights = geo.cell_weight / geo.cell_weight.sum()
    mean = float(np.sum(weights * log_price))
    sd = float(np.sqrt(np.sum(weights * (log_price - mean) ** 2)))
    return mean, max(sd, MIN_LOG_PRICE_SD)


@dataclass(frozen=True)
class Settling:
    """What every district's newcomers settle by, computed once for a year's arrivals
    (or the year-0 synthesis) instead of once per district over the whole city: each
    cell's log price at the premiums (`cell_log_price`) and each district's cells in
    ascending order. The work of settling a city is then linear in its districts and
    cells, not their product."""

    log_price_of_cell: np.ndarray
    cells_by_district: list[np.ndarray]

    def cells_of(self, district: int) -> np.ndarray:
        """The district's cells, ascending (what `np.flatnonzero` of its mask gives)."""
        return self.cells_by_district[district]


def settling(geo: Geography, cell_premium_share: np.ndarray) -> Settling:
    """The `Settling` of `geo` at the cells' premium shares."""
    return Settling(
        cell_log_price(geo, cell_premium_share),
        rows_by_key(geo.cell_district, len(geo.district_names)),
    )


def sample_cells(
    geo: Geography, district: int, uniforms: np.ndarray, cells: np.ndarray | None = None
) -> np.ndarray:
    """Residential cells of a district drawn by residential weight (`cells`: the
    district's cells in ascending order, if known: `Settling.cells_of`)."""
    if cells is None:
        cells = np.flatnonzero(geo.cell_district == district)
    cdf = np.cumsum(geo.cell_weight[cells])
    picks = first_above(cdf, uniforms * cdf[-1])
    return cells[np.minimum(picks, cells.size - 1)].astype(np.int32)


def first_above(ascending: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each value, the first index of `ascending` (non-decreasing) holding more than it
    (its length if none): `np.searchsorted(ascending, values, side="right")`, by a guide
    table (one bucket per entry, each pointing at the first entry above the bucket's floor)
    and a short walk from the bucket, instead of a binary search per value. From the
    bucket's guide it searches back when the entry before is above the value, else walks
    forward while the entry is not, so the bucket computed in floating point only has to
    be near: the answer is the same
    (tests/world/test_households.py compares it with `np.searchsorted`)."""
    ascending = np.ascontiguousarray(ascending, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if ascending.size == 0 or not np.isfinite(ascending[-1]) or ascending[-1] <= 0:
        return np.searchsorted(ascending, values, side="right")
    return _first_above(ascending, values.reshape(-1)).reshape(values.shape)


WALK_STEPS = 8
"""Steps `_first_above` walks forward from a bucket's guide before it searches by halves
(a bucket holding many entries, as after a run of tiny weights, stays O(log n))."""


@njit(cache=True)
def _search_right(ascending, value, lo, hi):  # pragma: no cover - compiled
    """The first index in [lo, hi) whose entry is above `value` (hi if none)."""
    while lo < hi:
        middle = (lo + hi) // 2
        if ascending[middle] <= value:
            lo = middle + 1
        else:
            hi = middle
    return lo


@njit(cache=True)
def _first_above(ascending, values):  # pragma: no cover - compiled
    m = ascending.size
    top = ascending[m - 1]
    guide = np.empty(m + 1, dtype=np.int64)
    at = 0
    for bucket in range(m + 1):  # the first entry above each bucket's floor
        floor = bucket * top / m
        while at < m and ascending[at] <= floor:
            at += 1
        guide[bucket] = at
    found = np.empty(values.size, dtype=np.int64)
    for k in range(values.size):
        value = values[k]
        if value != value:  # NaN sorts after everything
            found[k] = m
            continue
        if value < 0.0:
            bucket = 0
        elif value >= top:
            bucket = m
        else:
            bucket = min(int(value / top * m), m)
        at = guide[bucket]
        if at > 0 and ascending[at - 1] > value:  # the answer lies before `at`
            at = _search_right(ascending, value, 0, at)
        else:  # the answer is `at` or after it: a few steps, then a binary search
            for _ in range(WALK_STEPS):
                if at == m or ascending[at] > value:
                    break
                at += 1
            else:
                at = _search_right(ascending, value, at, m)
        found[k] = at
    return found


def arriving_families(
    scenario: Scenario,
    geo: Geography,
    uids: np.ndarray,
    district: int,
    cell_premium_share: np.ndarray | Settling,
    log_price: tuple[float, float],
    streams: Streams,
) -> dict[str, np.ndarray]:
    """Address, income and taste of families `uids` settling in `district`, at the cells'
    premium shares (or their `Settling`, computed once for all districts).

    Income sorts by price within the district: log income correlates (`income_sorting`)
    with the family's cell's log price relative to its district's mean (standardised by
    the city's year-0 spread), so dear catchments house richer families; the district's
    median is `median_income_cny x income_level`.
    """
    params = scenario.families
    settled = (
        cell_premium_share
        if isinstance(cell_premium_share, Settling)
        else settling(geo, cell_premium_share)
    )
    in_district = settled.cells_of(district)
    draws = streams.uniform("families.address", None, uids)
    cells = sample_cells(geo, district, draws, in_district)
    # sorting by price within the district: the district's level is `income_level`, so
    # the gap between districts' prices must not lower or raise their incomes again
    log_price_of_cell = settled.log_price_of_cell
    district_mean = np.average(log_price_of_cell[in_district], weights=geo.cell_weight[in_district])
    price_z = (log_price_of_cell[cells] - district_mean) / log_price[1]
    price_z = np.clip(price_z, -MAX_PRICE_Z, MAX_PRICE_Z)
    rho = params.income_sorting
    income_z = rho * price_z + np.sqrt(1.0 - rho**2) * streams.normal("families.income", None, uids)
    median = params.median_income_cny * geo.district_income_level[district]
    income = median * np.exp(params.income_log_sd * income_z)
    return {"cell": cells, "income_cny": income}


def family_taste(
    ses_z: np.ndarray, uids: np.ndarray, scenario: Scenario, streams: Streams
) -> np.ndarray:
    """Willingness to pay for reputation (income-years per SD), higher for richer families."""
    params = scenario.families
    noise = streams.normal("families.taste", None, uids)
    taste = (
        params.quality_taste_mean
        + params.taste_income_slope * ses_z
        + params.quality_taste_sd * noise
    )
    return np.maximum(0.0, taste)


def household_status(
    uids: np.ndarray, scenario: Scenario, streams: Streams
) -> dict[str, np.ndarray]:
    """Registration and tenure of arriving families (keyed by id, like every family draw)."""
    params = scenario.families
    local = streams.uniform("families.hukou", None, uids) >= params.migrant_share
    owner_share = np.where(local, params.owner_share_local, params.owner_share_migrant)
    owner = streams.uniform("families.tenure", None, uids) < owner_share
    return {"local_hukou": local, "owner": owner}


def older_sibling_school(
    entrant_cell: np.ndarray,
    has_sibling: np.ndarray,
    pupil_cell: np.ndarray,
    pupil_school: np.ndarray,
    n_cells: int,
) -> np.ndarray:
    """The school of each entrant's older sibling (-1: none).

    Families are one row per child and siblings are not linked, so an entrant flagged
    `has_sibling` takes as its sibling the most recently arrived pupil of the stage living
    in the same cell (the last of `pupil_cell` in array order); an entrant whose cell has
    no such pupil has none.
    """
    school_of_cell = np.full(n_cells, -1, dtype=np.int64)
    school_of_cell[pupil_cell] = pupil_school  # the last pupil of each cell wins
    return np.where(has_sibling, school_of_cell[entrant_cell], -1)
