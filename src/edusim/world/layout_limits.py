"""Limits of the layout: a city too thin or too large to lay out, refused at validation.

The bounds hold for any rotation of the synthetic map, so they do not depend on the seed.
Districts laid out on the real map (`world/real_map.py`) are checked there, on their
polygons; the synthetic bounds cover the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from edusim.scenario.schema import City
from edusim.world.grid import _REFINE, _REFINE_TRIES, MAX_GRID_POINTS, _first_spacing
from edusim.world.synthetic_layout import (
    _district_needed_cells,
    _island_areas,
    _island_needed_cells,
    _sectors,
)

MAX_CITY_CELLS = 1_000_000
"""Most residential cells a city may have (the cities in scenarios/ have up to 25,000):
every per-cell table (catchments, nearest schools, prices) scales with it."""

MAX_CATCHMENT_PAIRS = 25_000_000
"""Most (cell, school) pairs in one district and stage: finding catchments holds a travel
matrix of that size (about 400 MB at the limit; Sanming, the largest shipped, needs 0.5 M)."""


def _sector_cells(r_in: float, r_out: float, span: float) -> Callable[[float], tuple[float, float]]:
    """Grid points surely inside a ring sector and its grid box, whatever the grid's
    offset and the map's rotation, and their mean over offsets, as functions of the spacing.

    Every point at least spacing / sqrt(2) inside the sector (its core) lies in the grid
    square of a grid point inside the sector, so those squares cover the core. The core's
    area is bounded below: a point at radius r is that far from a side when its angle to
    the side is at least asin(margin / r), and the integrand grows with r, so the left
    Riemann sum stays below the integral. `_sector` draws the outer arc through 65
    points, so the grid's box may cut off a cap of the arc beyond a chord at each of at
    most four extreme directions; the grid points such caps can hold are subtracted.
    """
    chord = span / 64 / 2  # half the angle between two of the arc's points
    cap_depth, cap_length = r_out * (1 - math.cos(chord)), 2 * r_out * math.sin(chord)

    area = span / 2 * (r_out * r_out - r_in * r_in)

    def cells(spacing: float) -> tuple[float, float]:
        caps = 4 * (cap_depth / spacing + 1) * (cap_length / spacing + 1)
        expected = area / (spacing * spacing) - caps
        margin = spacing / math.sqrt(2) * (1 + 1e-9)
        low, high = r_in + margin, r_out - margin
        if high <= low:
            return 0.0, expected
        if span >= 2 * math.pi:  # a whole ring: no sides
            core = math.pi * (high * high - low * low)
        else:
            step = (high - low) / 256
            radius = low + step * np.arange(256)
            width = span - 2 * np.arcsin(np.minimum(1.0, margin / radius))
            core = float(np.sum(radius * np.maximum(width, 0.0)) * step)
        return core / (spacing * spacing) - caps, expected

    return cells


def _disc_cells(radius: float) -> Callable[[float], tuple[float, float]]:
    """Grid points surely inside a disc (its grid box is exact), and their mean."""

    def cells(spacing: float) -> tuple[float, float]:
        reach = radius - spacing / math.sqrt(2) * (1 + 1e-9)
        sure = math.pi * reach * reach / (spacing * spacing) if reach > 0 else 0.0
        return sure, math.pi * radius * radius / (spacing * spacing)

    return cells


def _layout_bound(
    area: float,
    needed: int,
    cell_km: float,
    side: float,
    cells: Callable[[float], tuple[float, float]],
) -> tuple[int | None, float]:
    """The largest grid `_cells_for` can test for a region, whatever its rotation or offset.

    `side` bounds the sides of the region's bounding box and `cells(spacing)` gives the
    grid points surely inside it and their mean. If a spacing the layout tries surely
    holds `needed` cells, it stops there at the latest; otherwise it may try them all,
    and the region is accepted only if, at the finest, it holds twice `needed` on average
    (a long thin ring: the sure count is too cautious for it). Returns the grid points at
    the finest spacing the layout may reach (None for a region refused) and that spacing.
    """
    spacing = _first_spacing(area, needed, cell_km)
    for _ in range(_REFINE_TRIES):
        if cells(spacing)[0] >= needed:
            return int((side / spacing + 1) ** 2), spacing
        spacing *= _REFINE
    spacing /= _REFINE
    if cells(spacing)[1] >= 2 * needed:
        return int((side / spacing + 1) ** 2), spacing
    return None, spacing


def _regions(
    city: City,
) -> list[tuple[int, float, int, float, Callable[[float], tuple[float, float]]]]:
    """Every region the synthetic layout fills, without rotating the map: (district, area,
    cells needed, a bound on the sides of its bounding box, grid points surely inside it).
    Districts laid out on the real map are left out, as the layout leaves them out."""
    from edusim.world.real_map import real_districts

    real = set(real_districts(city))
    members = [i for i in range(len(city.districts)) if i not in real]
    districts = city.districts
    regions = []
    for sector in _sectors(tuple(districts[i] for i in members))[0]:
        sector = replace(sector, district=members[sector.district])
        district = districts[sector.district]
        half = min(sector.span, math.pi) / 2  # two of its points differ by at most this angle
        side = min(2 * sector.r_out, sector.r_out - sector.r_in + 2 * half * sector.r_out)
        sure = _sector_cells(sector.r_in, sector.r_out, sector.span)
        needed = _district_needed_cells(district)
        regions.append((sector.district, district.area_km2, needed, side, sure))
    for i in members:
        district = districts[i]
        for area in _island_areas(district) if district.islands else ():
            radius = math.sqrt(area / math.pi)
            needed = _island_needed_cells(district, area)
            regions.append((i, area, needed, 2 * radius, _disc_cells(radius)))
    return regions


def _fits(city: City, index: int) -> bool:
    """Whether district `index` surely lays out within MAX_GRID_POINTS per region."""
    for i, area, needed, side, sure in _regions(city):
        if i == index:
            points, _ = _layout_bound(area, needed, city.cell_km, side, sure)
            if points is None or points > MAX_GRID_POINTS:
                return False
    return True


def _smallest_fitting_area(city: City, index: int) -> float | None:
    """The smallest area (to 1%) above its own at which district `index`, which does not
    fit, would fit, the other districts unchanged (None if none up to 1e12 km²)."""

    def with_area(area: float) -> City:
        districts = list(city.districts)
        districts[index] = districts[index].model_copy(update={"area_km2": area})
        return city.model_copy(update={"districts": tuple(districts)})

    low = city.districts[index].area_km2
    high = max(low, 1.0)
    while not _fits(with_area(high), index):
        low, high = high, high * 4
        if high > 1e12:
            return None
    while high > low * 1.01:
        middle = math.sqrt(low * high)
        low, high = (low, middle) if _fits(with_area(middle), index) else (middle, high)
    return high


def layout_problems(city: City) -> list[tuple[str, str]]:
    """What makes a city impossible or too large to lay out, before anything is allocated.

    Each problem is (YAML path, message): a region so thin (a tiny district in a ring of
    large ones) that no grid spacing the layout tries surely fits its cells, or whose grid
    would exceed MAX_GRID_POINTS; a district whose catchment matrix would exceed
    MAX_CATCHMENT_PAIRS; a city of more than MAX_CITY_CELLS cells; on the real map, codes
    and parts that are not on it and districts sharing a polygon without sides
    (`real_map.real_layout_problems`). The bounds hold for any rotation of the map, so
    they do not depend on the seed.
    """
    from edusim.world.real_map import real_layout_problems

    districts = city.districts
    problems, real_cells = real_layout_problems(city)
    failed: set[int] = {int(path.split("[")[1].split("]")[0]) for path, _ in problems}
    cells = [real_cells.get(i, 0.0) for i in range(len(districts))]
    for i, area, needed, side, sure in _regions(city):
        points, spacing = _layout_bound(area, needed, city.cell_km, side, sure)
        cells[i] += area / (spacing * spacing)
        if i in failed or (points is not None and points <= MAX_GRID_POINTS):
            continue
        failed.add(i)
        name, kind, whole = districts[i].name, districts[i].kind, districts[i].area_km2
        if points is not None and spacing >= city.cell_km:
            problems.append(
                (
                    "city.cell_km",
                    f"laying out district '{name}' ({whole:g} km²) in cells of "
                    f"{spacing:g} km may test {points:.3g} candidate cells, more than the "
                    f"limit of {MAX_GRID_POINTS:,}; use larger cells or a smaller district",
                )
            )
            continue
        smallest = _smallest_fitting_area(city, i)
        expected = f"at least about {smallest:.3g} km²" if smallest else "a larger area"
        why = (
            f"is too thin a part of its ring of {kind} districts to hold the {needed} cells "
            "its schools and towns need"
            if points is None
            else f"would need a grid of {points:.3g} candidate cells (limit {MAX_GRID_POINTS:,}) "
            f"to fit the {needed} cells its schools and towns need"
        )
        problems.append(
            (
                f"city.districts[{i}].area_km2",
                f"district '{name}' ({whole:g} km²) {why}; expected {expected} here",
            )
        )
    for i, district in enumerate(districts):
        schools = max(district.schools.primary, district.schools.junior)
        pairs = cells[i] * schools
        if i not in failed and pairs > MAX_CATCHMENT_PAIRS:
            problems.append(
                (
                    f"city.districts[{i}].schools",
                    f"district '{district.name}' would have about {cells[i]:,.0f} cells and "
                    f"{schools} schools of a stage: {pairs:,.0f} cell-school pairs to place "
                    f"in catchments, more than the limit of {MAX_CATCHMENT_PAIRS:,}; use "
                    "larger cells (city.cell_km), a smaller area or fewer schools",
                )
            )
    total = sum(cells)
    if total > MAX_CITY_CELLS and not problems:
        problems.append(
            (
                "city.cell_km",
                f"the city would have about {total:,.0f} residential cells of up to "
                f"{city.cell_km:g} km, more than the limit of {MAX_CITY_CELLS:,}; use larger "
                "cells or smaller districts",
            )
        )
    return problems
