"""The synthetic map: districts laid out as rings around a centre, towns, islands, cells.

Urban districts form the inner disc, suburban districts the next ring and rural counties
the outer ring; each district takes an angular sector proportional to its area. Island
districts lie east of the mainland, each island a disc across water. The residential map
is a grid of cells; each cell belongs to one district, one town and (if any) one island.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from edusim.scenario.schema import City, District

KIND_CODES: dict[str, int] = {"urban": 0, "suburban": 1, "rural": 2}
MAINLAND = -1

# Residential density around town centres, by district kind (assumption): a floor plus an
# exponential decay with distance, so urban districts are dense everywhere and rural
# counties cluster around their towns.
_DENSITY_FLOOR = (1.0, 0.3, 0.05)
_DENSITY_SCALE_KM = (3.0, 2.0, 1.5)
_CELLS_PER_SCHOOL = 4  # cells per school site at least, so catchments can partition cells
_ISLAND_AREA_RATIO = 0.35  # each further island is this fraction of the previous (assumption)
_WATER_GAP_KM = 4.0
_REFINE = 0.7  # the cell spacing shrinks by this factor while a region holds too few cells
_REFINE_TRIES = 8

MAX_GRID_POINTS = 4_000_000
"""Most candidate cell centres the layout may test for one district or island. The test
holds several arrays of that length (about 64 bytes a point, 256 MB at the limit); the
cities shipped in scenarios/ need at most a few thousand."""

MAX_CITY_CELLS = 1_000_000
"""Most residential cells a city may have (the cities in scenarios/ have up to 25,000):
every per-cell table (catchments, nearest schools, prices) scales with it."""

MAX_CATCHMENT_PAIRS = 25_000_000
"""Most (cell, school) pairs in one district and stage: finding catchments holds a travel
matrix of that size (about 400 MB at the limit; Sanming, the largest shipped, needs 0.5 M)."""


@dataclass
class Geography:
    """Cells, towns and districts of the synthetic city (all distances in km)."""

    district_names: list[str]
    district_kind: np.ndarray  # KIND_CODES per district
    district_price_cny_per_m2: np.ndarray
    district_income_level: np.ndarray
    cell_x: np.ndarray
    cell_y: np.ndarray
    cell_area_km2: np.ndarray
    cell_district: np.ndarray
    cell_town: np.ndarray
    cell_island: np.ndarray  # MAINLAND or a global island id
    cell_weight: np.ndarray  # relative residential density x area
    town_district: np.ndarray
    island_crossing_km: float

    @property
    def n_cells(self) -> int:
        return int(self.cell_x.size)

    def travel_km(
        self, from_cells: np.ndarray, to_x: np.ndarray, to_y: np.ndarray, to_island: np.ndarray
    ) -> np.ndarray:
        """Travel cost from cells to places: distance plus a penalty for crossing water.

        Broadcasts like numpy: pass column vectors for a cells x places matrix.
        """
        dx = self.cell_x[from_cells] - to_x
        dy = self.cell_y[from_cells] - to_y
        crossing = self.cell_island[from_cells] != to_island
        return np.hypot(dx, dy) + self.island_crossing_km * crossing


def _grid_in_region(
    inside, bbox: tuple[float, float, float, float], spacing: float
) -> tuple[np.ndarray, np.ndarray]:
    x0, x1, y0, y1 = bbox
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


def _district_cells(city: City, index: int, inside, bbox, area_km2: float, needed: int):
    """`_cells_for` for one of a district's regions; if it cannot fit the district's cells
    (which `layout_problems` makes improbable), the scenario is refused at the area's path
    before anything else is built."""
    from edusim.scenario.loader import Problem, ScenarioError

    try:
        return _cells_for(inside, bbox, area_km2, needed, city.cell_km)
    except _TooFewCells:
        district = city.districts[index]
        message = (
            f"district '{district.name}' ({district.area_km2:g} km²) is too thin a part of "
            f"its ring to hold the {needed} cells its schools and towns need; give it a "
            "larger area"
        )
        raise ScenarioError(
            "city layout", [Problem(f"city.districts[{index}].area_km2", message)]
        ) from None


def _cells_for(inside, bbox, area_km2: float, needed: int, cell_km: float):
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
        x, y = _grid_in_region(inside, bbox, spacing)
        if x.size >= needed:
            return x, y, np.full(x.size, spacing * spacing)
        spacing *= _REFINE
    raise _TooFewCells("could not lay out enough cells for the district's schools")


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
    """Every region the layout fills, without rotating the map: (district, area, cells
    needed, a bound on the sides of its bounding box, grid points surely inside it)."""
    districts = city.districts
    regions = []
    for sector in _sectors(districts)[0]:
        district = districts[sector.district]
        half = min(sector.span, math.pi) / 2  # two of its points differ by at most this angle
        side = min(2 * sector.r_out, sector.r_out - sector.r_in + 2 * half * sector.r_out)
        sure = _sector_cells(sector.r_in, sector.r_out, sector.span)
        needed = _district_needed_cells(district)
        regions.append((sector.district, district.area_km2, needed, side, sure))
    for i, district in enumerate(districts):
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
    MAX_CATCHMENT_PAIRS; a city of more than MAX_CITY_CELLS cells. The bounds hold for any
    rotation of the map, so they do not depend on the seed.
    """
    districts = city.districts
    problems: list[tuple[str, str]] = []
    cells = [0.0] * len(districts)
    failed: set[int] = set()
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


def build_geography(city: City, rng: np.random.Generator) -> Geography:
    """Lay out districts, islands, cells and towns for `city`."""
    districts = city.districts
    pieces: list[
        tuple[int, int, np.ndarray, np.ndarray, np.ndarray]
    ] = []  # district, island, x, y, area

    rotation = rng.uniform(0, 2 * math.pi)
    sectors, outer_radius = _sectors(districts)
    theta = rotation
    for position, sector in enumerate(sectors):
        if position and sector.r_in != sectors[position - 1].r_in:
            theta = rotation  # each ring starts at the same angle
        i = sector.district
        inside, bbox = _sector(sector.r_in, sector.r_out, theta, theta + sector.span)
        x, y, area = _district_cells(
            city, i, inside, bbox, districts[i].area_km2, _district_needed_cells(districts[i])
        )
        pieces.append((i, MAINLAND, x, y, area))
        theta += sector.span

    island_id = 0
    cursor_x = outer_radius + _WATER_GAP_KM
    for i, district in enumerate(districts):
        if district.islands == 0:
            continue
        areas = _island_areas(district)
        for k, area in enumerate(areas):
            radius = math.sqrt(area / math.pi)
            inside, bbox = _disc(cursor_x + radius, 0.0, radius)
            needed = _island_needed_cells(district, area)
            x, y, cell_area = _district_cells(city, i, inside, bbox, area, needed)
            pieces.append((i, island_id + k, x, y, cell_area))
            cursor_x += 2 * radius + _WATER_GAP_KM
        island_id += len(areas)

    cell_district = np.concatenate([np.full(p[2].size, p[0], dtype=np.int32) for p in pieces])
    cell_island = np.concatenate([np.full(p[2].size, p[1], dtype=np.int32) for p in pieces])
    cell_x = np.concatenate([p[2] for p in pieces])
    cell_y = np.concatenate([p[3] for p in pieces])
    cell_area = np.concatenate([p[4] for p in pieces])

    cell_town, town_district, cell_weight = _place_towns(
        districts, cell_district, cell_island, cell_x, cell_y, cell_area, rng
    )
    return Geography(
        district_names=[d.name for d in districts],
        district_kind=np.array([KIND_CODES[d.kind] for d in districts], dtype=np.int8),
        district_price_cny_per_m2=np.array([d.house_price_cny_per_m2 for d in districts]),
        district_income_level=np.array([d.income_level for d in districts]),
        cell_x=cell_x,
        cell_y=cell_y,
        cell_area_km2=cell_area,
        cell_district=cell_district,
        cell_town=cell_town,
        cell_island=cell_island,
        cell_weight=cell_weight,
        town_district=town_district,
        island_crossing_km=city.island_crossing_km,
    )


def _place_towns(districts, cell_district, cell_island, cell_x, cell_y, cell_area, rng):
    """Choose town centres per district (and island), assign cells to the nearest one,
    and give each cell a residential weight that decays with distance to its town."""
    cell_town = np.empty(cell_district.size, dtype=np.int32)
    cell_weight = np.empty(cell_district.size)
    town_district: list[int] = []
    for i, district in enumerate(districts):
        in_district = cell_district == i
        islands = np.unique(cell_island[in_district])
        cells_per_island = [np.flatnonzero(in_district & (cell_island == k)) for k in islands]
        counts = _towns_per_part([c.size for c in cells_per_island], district.towns)
        kind = KIND_CODES[district.kind]
        for cells, n_towns in zip(cells_per_island, counts, strict=True):
            centres = rng.choice(cells, size=min(n_towns, cells.size), replace=False)
            tree = cKDTree(np.column_stack([cell_x[centres], cell_y[centres]]))
            distance, nearest = tree.query(np.column_stack([cell_x[cells], cell_y[cells]]))
            cell_town[cells] = len(town_district) + nearest
            town_district += [i] * centres.size
            density = _DENSITY_FLOOR[kind] + np.exp(-distance / _DENSITY_SCALE_KM[kind])
            cell_weight[cells] = cell_area[cells] * density
    return cell_town, np.array(town_district, dtype=np.int32), cell_weight


def _towns_per_part(part_sizes: list[int], towns: int) -> list[int]:
    """Split `towns` over parts (islands) in proportion to their size, at least one each."""
    total = sum(part_sizes)
    counts = [max(1, round(towns * size / total)) for size in part_sizes]
    while sum(counts) > towns and max(counts) > 1:
        counts[counts.index(max(counts))] -= 1
    while sum(counts) < towns:
        counts[counts.index(max(counts))] += 1
    return counts
