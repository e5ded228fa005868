"""The synthetic layout: districts as rings and sectors around a centre, islands as discs.

Urban districts form the inner disc, suburban districts the next ring and rural counties
the outer ring; each district takes an angular sector proportional to its area. Island
districts lie east of the mainland, each island a disc across water. This is the layout
of every district that names no administrative code (or of all of them without the
`maps` extra, see `world/real_map.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edusim.scenario.schema import City, District
from edusim.world.grid import district_cells

_CELLS_PER_SCHOOL = 4  # cells per school site at least, so catchments can partition cells
_ISLAND_AREA_RATIO = 0.35  # each further island is this fraction of the previous (assumption)
_WATER_GAP_KM = 4.0


def _sector(r_in: float, r_out: float, theta0: float, theta1: float):
    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.hypot(x, y)
        theta = np.mod(np.arctan2(y, x) - theta0, 2 * math.pi)
        return (r >= r_in) & (r < r_out) & (theta < theta1 - theta0)

    angles = np.linspace(theta0, theta1, 65)
    xs = np.concatenate([r_in * np.cos(angles), r_out * np.cos(angles)])
    ys = np.concatenate([r_in * np.sin(angles), r_out * np.sin(angles)])
    return inside, (xs.min(), xs.max(), ys.min(), ys.max())


def _disc(cx: float, cy: float, radius: float):
    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.hypot(x - cx, y - cy) < radius

    return inside, (cx - radius, cx + radius, cy - radius, cy + radius)


def _district_needed_cells(district: District) -> int:
    return (
        _CELLS_PER_SCHOOL * max(district.schools.primary, district.schools.junior, 1)
        + district.towns
    )


def _island_areas(district: District) -> list[float]:
    weights = [_ISLAND_AREA_RATIO**k for k in range(district.islands)]
    return [district.area_km2 * w / sum(weights) for w in weights]


@dataclass(frozen=True)
class _Sector:
    """A mainland district's place in its ring: radii (km) and angular span (radians)."""

    district: int
    r_in: float
    r_out: float
    span: float


def _sectors(districts: tuple[District, ...]) -> tuple[list[_Sector], float]:
    """Mainland districts as sectors of rings (urban inside, then suburban, then rural),
    each taking an angle proportional to its area, and the mainland's outer radius."""
    sectors: list[_Sector] = []
    r_in = 0.0
    for kind in ("urban", "suburban", "rural"):
        members = [i for i, d in enumerate(districts) if d.kind == kind and d.islands == 0]
        ring_area = sum(districts[i].area_km2 for i in members)
        if not members:
            continue
        r_out = math.sqrt(r_in**2 + ring_area / math.pi)
        for i in members:
            span = 2 * math.pi * districts[i].area_km2 / ring_area
            sectors.append(_Sector(i, r_in, r_out, span))
        r_in = r_out
    return sectors, r_in


def _island_needed_cells(district: District, area: float) -> int:
    return max(3, int(_district_needed_cells(district) * area / district.area_km2) + 1)


Piece = tuple[int, int, np.ndarray, np.ndarray, np.ndarray]
"""Cells of one region: (district index, island id or MAINLAND, x, y, cell area)."""


def synthetic_pieces(
    city: City, rng: np.random.Generator, members: list[int] | None = None
) -> tuple[list[Piece], int]:
    """Lay out districts `members` (default: all) as rings, sectors and island discs.

    Draws the map's rotation first (one uniform), so a city without administrative codes
    is laid out exactly as before real maps existed; a city with a school list is not
    rotated (the draw is made and unused), so the list's x_km and y_km hold for any seed. Returns the pieces and the number of
    island ids used (ids from 0). The other districts are left out of the rings.
    """
    members = list(range(len(city.districts))) if members is None else members
    districts = tuple(city.districts[i] for i in members)
    pieces: list[Piece] = []

    rotation = rng.uniform(0, 2 * math.pi)
    if city.schools_file is not None:
        rotation = 0.0
    sectors, outer_radius = _sectors(districts)
    theta = rotation
    for position, sector in enumerate(sectors):
        if position and sector.r_in != sectors[position - 1].r_in:
            theta = rotation  # each ring starts at the same angle
        i = members[sector.district]
        inside, bbox = _sector(sector.r_in, sector.r_out, theta, theta + sector.span)
        x, y, area = district_cells(
            city,
            i,
            inside,
            bbox,
            city.districts[i].area_km2,
            _district_needed_cells(city.districts[i]),
        )
        pieces.append((i, -1, x, y, area))
        theta += sector.span

    island_id = 0
    cursor_x = outer_radius + _WATER_GAP_KM
    for i in members:
        district = city.districts[i]
        if district.islands == 0:
            continue
        areas = _island_areas(district)
        for k, area in enumerate(areas):
            radius = math.sqrt(area / math.pi)
            inside, bbox = _disc(cursor_x + radius, 0.0, radius)
            needed = _island_needed_cells(district, area)
            x, y, cell_area = district_cells(city, i, inside, bbox, area, needed)
            pieces.append((i, island_id + k, x, y, cell_area))
            cursor_x += 2 * radius + _WATER_GAP_KM
        island_id += len(areas)
    return pieces, island_id
