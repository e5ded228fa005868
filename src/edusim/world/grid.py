"""Residential cells on a grid inside a region, shared by the synthetic and the real layout.

A region is given by a vectorised test `inside(x, y)` and its bounding box (km); the grid
starts at `cell_km` and is refined until the region holds the cells its schools and towns
need, so catchments can partition a district however small it is.
"""

from __future__ import annotations

import math

import numpy as np

from edusim.scenario.schema import City

_REFINE = 0.7  # the cell spacing shrinks by this factor while a region holds too few cells
_REFINE_TRIES = 8

MAX_GRID_POINTS = 4_000_000
"""Most candidate cell centres the layout may test for one district or island. The test
holds several arrays of that length (about 64 bytes a point, 256 MB at the limit); the
cities shipped in scenarios/ need at most a few thousand."""


def _grid_in_region(
    inside, bbox: tuple[float, float, float, float], spacing: float, aligned: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Grid points inside a region; `aligned` puts them on one grid for the whole plane
    (multiples of the spacing), so neighbouring regions at one spacing tile without gaps."""
    x0, x1, y0, y1 = bbox
    if aligned:
        x0, y0 = math.floor(x0 / spacing) * spacing, math.floor(y0 / spacing) * spacing
    xs = np.arange(x0 + spacing / 2, x1, spacing)
    ys = np.arange(y0 + spacing / 2, y1, spacing)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    keep = inside(gx, gy)
    return gx[keep], gy[keep]


def _first_spacing(area_km2: float, needed: int, cell_km: float) -> float:
    return min(cell_km, math.sqrt(area_km2 / max(needed, 1)))


def _grid_size(bbox: tuple[float, float, float, float], spacing: float) -> int:
    x0, x1, y0, y1 = bbox
    columns = len(np.arange(x0 + spacing / 2, x1, spacing)) if x1 > x0 else 0
    rows = len(np.arange(y0 + spacing / 2, y1, spacing)) if y1 > y0 else 0
    return columns * rows


class _TooFewCells(ValueError):
    """A region held too few grid points at every spacing tried."""


def district_cells(
    city: City,
    index: int,
    inside,
    bbox,
    area_km2: float,
    needed: int,
    aligned: bool = False,
    why: str = "is too thin a part of its ring",
    shown_area_km2: float | None = None,
):
    """`_cells_for` for one of a district's regions; if it cannot fit the district's cells
    (which `layout_problems` makes improbable), the scenario is refused at the area's path
    before anything else is built. `why` says what is too small (a ring's sector, a
    polygon of the real map), `shown_area_km2` the area the message names (default: the
    district's own)."""
    from edusim.scenario.loader import Problem, ScenarioError

    try:
        return _cells_for(inside, bbox, area_km2, needed, city.cell_km, aligned)
    except _TooFewCells:
        district = city.districts[index]
        shown = district.area_km2 if shown_area_km2 is None else shown_area_km2
        message = (
            f"district '{district.name}' ({shown:g} km²) {why} to hold the {needed} "
            "cells its schools and towns need; give it a larger area or fewer schools"
        )
        raise ScenarioError(
            "city layout", [Problem(f"city.districts[{index}].area_km2", message)]
        ) from None


def _cells_for(inside, bbox, area_km2: float, needed: int, cell_km: float, aligned: bool = False):
    """Grid cells filling a region: spacing `cell_km`, refined until `needed` cells exist.

    `layout_problems` refuses, at validation, a city whose regions might need more than
    MAX_GRID_POINTS candidates; the check here only keeps that promise if it is broken.
    """
    spacing = _first_spacing(area_km2, needed, cell_km)
    for _ in range(_REFINE_TRIES):
        if _grid_size(bbox, spacing) > MAX_GRID_POINTS:
            raise ValueError(
                f"laying out a region of {area_km2:g} km² at {spacing:g} km would test more "
                f"than {MAX_GRID_POINTS} points (layout_problems should have refused it)"
            )
        x, y = _grid_in_region(inside, bbox, spacing, aligned)
        if x.size >= needed:
            return x, y, np.full(x.size, spacing * spacing)
        spacing *= _REFINE
    raise _TooFewCells("could not lay out enough cells for the district's schools")
