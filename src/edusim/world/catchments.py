"""Catchments: which school's catchment each residential cell lies in, per stage.

A catchment is the set of cells whose nearest school of that stage, within the same
district and counting the cost of crossing water, is that school (a Voronoi partition of
each district's cells), so catchments partition the residential map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edusim.world.geography import Geography

NEAREST_LISTED = 16
"""How many nearest schools of the district each cell keeps, for overflow placement."""


@dataclass
class Catchments:
    """Per stage: the catchment school of every cell and the cell's nearest schools."""

    cell_school: np.ndarray  # (stages, cells): school index of the catchment
    cell_nearest: np.ndarray  # (stages, cells, NEAREST_LISTED): nearest schools, -1 padded
    catchment_cells: list[np.ndarray]  # per school: its cells
    catchment_weight_cdf: list[np.ndarray]  # per school: cumulative residential weight

    def catchment_of(self, cells: np.ndarray, stage: int) -> np.ndarray:
        """The catchment school of each cell for `stage` (0 primary, 1 junior)."""
        return self.cell_school[stage, cells]

    def cell_in_catchment(self, schools: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """A residential cell inside each school's catchment, drawn by residential weight."""
        cells = np.empty(schools.size, dtype=np.int32)
        # rows grouped by school in one stable sort (no scan of all rows per school)
        order = np.argsort(schools, kind="stable")
        unique, first = np.unique(schools[order], return_index=True)
        bounds = np.append(first, schools.size)
        for at, school in enumerate(unique):
            rows = order[bounds[at] : bounds[at + 1]]
            cdf = self.catchment_weight_cdf[school]
            picks = np.searchsorted(cdf, uniforms[rows] * cdf[-1], side="right")
            cells[rows] = self.catchment_cells[school][np.minimum(picks, cdf.size - 1)]
        return cells


def build_catchments(
    geo: Geography,
    school_stage: np.ndarray,
    school_district: np.ndarray,
    school_cell: np.ndarray,
    public: np.ndarray | None = None,
    campuses: tuple[np.ndarray, np.ndarray] | None = None,
) -> Catchments:
    """Assign every cell to its nearest same-district school of each stage (only schools
    flagged `public`, if given: private schools and schools not open have no catchment).

    `campuses` (cells, owning schools) are further sites of schools (a merged school's
    campus kept by the absorbing school): a cell's travel to a school is its travel to
    the nearest of the school's sites, so the campus keeps its area in the owner's
    catchment (the redraw rule of scenario/lifecycle.py)."""
    n_cells = geo.n_cells
    cell_school = np.full((2, n_cells), -1, dtype=np.int32)
    cell_nearest = np.full((2, n_cells, NEAREST_LISTED), -1, dtype=np.int32)
    school_x = geo.cell_x[school_cell]
    school_y = geo.cell_y[school_cell]
    school_island = geo.cell_island[school_cell]
    has_catchment = np.ones(school_stage.size, dtype=bool) if public is None else public
    for district in range(len(geo.district_names)):
        cells = np.flatnonzero(geo.cell_district == district)
        for stage in (0, 1):
            schools = np.flatnonzero(
                (school_district == district) & (school_stage == stage) & has_catchment
            )
            if schools.size == 0:
                continue
            travel = geo.travel_km(
                cells[:, None], school_x[schools], school_y[schools], school_island[schools]
            )
            if campuses is not None and np.isin(campuses[1], schools).any():
                travel = _nearest_site(geo, cells, schools, travel, campuses)
            order = np.argsort(travel, axis=1, kind="stable")[:, :NEAREST_LISTED]
            cell_school[stage, cells] = schools[order[:, 0]]
            cell_nearest[stage, cells, : order.shape[1]] = schools[order]
    # sites of one stage never share a cell, so every public school's own cell is in its
    # catchment; a private school's list of cells is empty
    catchment_cells: list[np.ndarray] = []
    weight_cdf: list[np.ndarray] = []
    for school in range(school_stage.size):
        cells = np.flatnonzero(cell_school[school_stage[school]] == school)
        catchment_cells.append(cells)
        weight_cdf.append(np.cumsum(geo.cell_weight[cells]))
    return Catchments(cell_school, cell_nearest, catchment_cells, weight_cdf)


def _nearest_site(
    geo: Geography,
    cells: np.ndarray,
    schools: np.ndarray,
    travel: np.ndarray,
    campuses: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Travel from each cell to each school's nearest site (its own or a kept campus)."""
    campus_cell, campus_school = campuses
    kept = np.isin(campus_school, schools)
    site_cell, owner = campus_cell[kept], campus_school[kept]
    extra = geo.travel_km(
        cells[:, None], geo.cell_x[site_cell], geo.cell_y[site_cell], geo.cell_island[site_cell]
    )
    column = np.searchsorted(schools, owner)  # `schools` ascend (np.flatnonzero)
    result = travel.copy()
    for position in range(site_cell.size):
        result[:, column[position]] = np.minimum(result[:, column[position]], extra[:, position])
    return result
