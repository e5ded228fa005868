"""The synthetic map: districts laid out as rings around a centre, towns, islands, cells.

Urban districts form the inner disc, suburban districts the next ring and rural counties
the outer ring; each district takes an angular sector proportional to its area. Island
districts lie east of the mainland, each island a disc across water. The residential map
is a grid of cells; each cell belongs to one district, one town and (if any) one island.
"""

from __future__ import annotations

import math
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


def _cells_for(inside, bbox, area_km2: float, needed: int, cell_km: float):
    """Grid cells filling a region: spacing `cell_km`, refined until `needed` cells exist."""
    spacing = min(cell_km, math.sqrt(area_km2 / max(needed, 1)))
    for _ in range(8):
        x, y = _grid_in_region(inside, bbox, spacing)
        if x.size >= needed:
            return x, y, np.full(x.size, spacing * spacing)
        spacing *= 0.7
    raise ValueError("could not lay out enough cells for the district's schools")


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


def build_geography(city: City, rng: np.random.Generator) -> Geography:
    """Lay out districts, islands, cells and towns for `city`."""
    districts = city.districts
    pieces: list[
        tuple[int, int, np.ndarray, np.ndarray, np.ndarray]
    ] = []  # district, island, x, y, area

    rotation = rng.uniform(0, 2 * math.pi)
    r_in = 0.0
    outer_radius = 0.0
    for kind in ("urban", "suburban", "rural"):
        members = [i for i, d in enumerate(districts) if d.kind == kind and d.islands == 0]
        ring_area = sum(districts[i].area_km2 for i in members)
        if not members:
            continue
        r_out = math.sqrt(r_in**2 + ring_area / math.pi)
        theta = rotation
        for i in members:
            span = 2 * math.pi * districts[i].area_km2 / ring_area
            inside, bbox = _sector(r_in, r_out, theta, theta + span)
            x, y, area = _cells_for(
                inside,
                bbox,
                districts[i].area_km2,
                _district_needed_cells(districts[i]),
                city.cell_km,
            )
            pieces.append((i, MAINLAND, x, y, area))
            theta += span
        r_in = outer_radius = r_out

    island_id = 0
    cursor_x = outer_radius + _WATER_GAP_KM
    for i, district in enumerate(districts):
        if district.islands == 0:
            continue
        areas = _island_areas(district)
        for k, area in enumerate(areas):
            radius = math.sqrt(area / math.pi)
            inside, bbox = _disc(cursor_x + radius, 0.0, radius)
            needed = max(3, int(_district_needed_cells(district) * area / district.area_km2) + 1)
            x, y, cell_area = _cells_for(inside, bbox, area, needed, city.cell_km)
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
