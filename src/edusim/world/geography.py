"""The map of the city: districts, islands, residential cells, towns and travel cost.

The residential map is a grid of cells; each cell belongs to one district, one town and
(if any) one island. Districts that name an administrative code are laid out on their
real boundaries when the `maps` extra is installed (`world/real_map.py`); the others,
and all of them without the extra, on the synthetic rings and sectors
(`world/synthetic_layout.py`). Residential density follows one rule on either map: town
centres drawn among a district's cells, density decaying with distance to the nearest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from edusim.log import LOGGER
from edusim.scenario.schema import City
from edusim.world.synthetic_layout import Piece, synthetic_pieces

KIND_CODES: dict[str, int] = {"urban": 0, "suburban": 1, "rural": 2}
MAINLAND = -1

# Residential density around town centres, by district kind (assumption): a floor plus an
# exponential decay with distance, so urban districts are dense everywhere and rural
# counties cluster around their towns.
_DENSITY_FLOOR = (1.0, 0.3, 0.05)
_DENSITY_SCALE_KM = (3.0, 2.0, 1.5)


@dataclass
class Geography:
    """Cells, towns and districts of the city (all distances in km)."""

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
    district_area_km2: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Land area per district: its polygon's on a real map, else the scenario's area."""
    outlines: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    """Real boundaries: (district, x, y) per ring of a district's polygons (km); empty on
    the synthetic map."""

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


def build_geography(city: City, rng: np.random.Generator) -> Geography:
    """Lay out districts, islands, cells and towns for `city`: on the real map for the
    districts that name an administrative code (with the `maps` extra), else synthetic."""
    from edusim.world import real_map

    coded = [i for i, d in enumerate(city.districts) if d.admin_code is not None]
    outlines: list[tuple[int, np.ndarray, np.ndarray]] = []
    areas = np.array([d.area_km2 for d in city.districts], dtype=float)
    if coded and real_map.maps_available():
        pieces, outlines, real_areas = real_map.real_pieces(city, rng, coded)
        areas[coded] = real_areas
    else:
        if coded:
            LOGGER.warning(
                "the scenario names administrative codes but the maps extra is not "
                'installed (pip install "edusim[maps]"): laying the city out as rings of '
                "synthetic districts"
            )
        pieces, _ = synthetic_pieces(city, rng)
    return _geography(city, pieces, rng, areas, outlines)


def _geography(
    city: City,
    pieces: list[Piece],
    rng: np.random.Generator,
    areas: np.ndarray,
    outlines: list[tuple[int, np.ndarray, np.ndarray]],
) -> Geography:
    """The Geography of laid-out pieces: cells concatenated in piece order, then towns."""
    districts = city.districts
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
        district_area_km2=areas,
        outlines=outlines,
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
