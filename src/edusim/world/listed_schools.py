"""A researcher's own schools on the map: where each listed school stands, and checks.

Each school of `city.schools_file` (scenario/school_list.py) stands on the residential
cell of its district nearest its coordinates that no other school of its stage holds
(sites of one stage never share a cell, so every catchment holds its school's cell).
Catchments are then drawn around the listed sites as around generated ones: the Voronoi
partition of each district's cells by travel cost (world/catchments.py).

Coordinates are longitude and latitude on the real map (projected like the boundaries,
world/real_map.py) or x_km and y_km on the map's own plane. A synthetic map is not
rotated when a list is given, so x_km and y_km mean the same for every seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from edusim.scenario.schema import City, Scenario
from edusim.scenario.school_list import KEY, SchoolList, read_school_list
from edusim.world.geography import Geography


@cache
def _cached_list(path: str, mtime: float, districts: tuple[str, ...]):
    del mtime  # part of the key: an edited file is read again
    return read_school_list(Path(path), list(districts))


def school_list(city: City) -> tuple[SchoolList | None, list[tuple[str, str]]]:
    """The city's checked school list (None without one) and its problems."""
    if city.schools_file is None:
        return None, []
    path = Path(city.schools_file)
    mtime = path.stat().st_mtime if path.is_file() else -1.0
    return _cached_list(str(path), mtime, tuple(d.name for d in city.districts))


@dataclass(frozen=True)
class ListedSites:
    """The listed schools in the order of the school table: by district, then stage,
    then their order in the file."""

    order: np.ndarray  # index into SchoolList.schools
    stage: np.ndarray
    district: np.ndarray
    cell: np.ndarray
    private: np.ndarray
    names: np.ndarray
    capacity: np.ndarray
    enrolment: np.ndarray
    key_school: np.ndarray  # 1 yes, 0 no, -1 by the rule
    owners: dict[str, str]


def _positions(city: City, listed: SchoolList) -> tuple[np.ndarray, np.ndarray] | None:
    x = np.array([s.x for s in listed.schools])
    y = np.array([s.y for s in listed.schools])
    if not listed.lonlat:
        return x, y
    from edusim.world.real_map import projection_of

    projection = projection_of(city)
    if projection is None:
        return None
    return projection.to_km(x, y)


def placement_problems(scenario: Scenario, geo: Geography) -> list[tuple[str, str]]:
    """Rows whose point is off the map or outside their district, and counts of schools
    that disagree with the districts' `schools` and `private_schools`."""
    listed, problems = school_list(scenario.city)
    if listed is None:
        return problems
    problems = list(_count_problems(scenario, listed))
    positions = _positions(scenario.city, listed)
    if positions is None:
        return [
            (
                f"{KEY}.lon",
                "longitude and latitude need the real map (districts with admin_code and "
                'the maps extra, pip install "edusim[maps]"); give x_km and y_km instead',
            )
        ]
    x, y = positions
    side = np.sqrt(geo.cell_area_km2)
    tree = cKDTree(np.column_stack([geo.cell_x, geo.cell_y]))
    distance, nearest = tree.query(np.column_stack([x, y]))
    for k, school in enumerate(listed.schools):
        column = "lon" if listed.lonlat else "x_km"
        where = f"{KEY}[row {school.row}].{column}"
        name = scenario.city.districts[school.district].name
        if distance[k] > side[nearest[k]]:
            problems.append(
                (
                    where,
                    f"school '{school.name}' at ({x[k]:.1f}, {y[k]:.1f}) km lies "
                    f"{distance[k]:.1f} km from the nearest land of the city: expected a "
                    f"point inside district '{name}'",
                )
            )
        elif geo.cell_district[nearest[k]] != school.district:
            other = geo.district_names[geo.cell_district[nearest[k]]]
            problems.append(
                (
                    where,
                    f"school '{school.name}' lies in district '{other}', not in '{name}' "
                    "as its district column says",
                )
            )
    return problems


def _count_problems(scenario: Scenario, listed: SchoolList):
    for d, district in enumerate(scenario.city.districts):
        for stage, stage_name in enumerate(("primary", "junior")):
            rows = [s for s in listed.schools if s.district == d and s.stage == stage]
            if len(rows) != getattr(district.schools, stage_name):
                yield (
                    f"city.districts[{d}].schools.{stage_name}",
                    f"the schools file lists {len(rows)} {stage_name} schools in "
                    f"'{district.name}': expected {getattr(district.schools, stage_name)} "
                    "as here (or change this count to match the file)",
                )
            private = sum(s.private for s in rows)
            if district.private_schools and getattr(district.private_schools, stage_name) != (
                private
            ):
                yield (
                    f"city.districts[{d}].private_schools.{stage_name}",
                    f"the schools file lists {private} private {stage_name} schools in "
                    f"'{district.name}': expected the same here, or leave private_schools out",
                )


def listed_sites(scenario: Scenario, geo: Geography) -> ListedSites:
    """Sites of the listed schools (checked by `placement_problems` at validation)."""
    listed, _ = school_list(scenario.city)
    assert listed is not None
    x, y = _positions(scenario.city, listed)
    schools = listed.schools
    order = np.array(
        sorted(range(len(schools)), key=lambda k: (schools[k].district, schools[k].stage, k))
    )
    cell = np.empty(order.size, dtype=np.int32)
    taken: set[tuple[int, int]] = set()
    for position, k in enumerate(order):
        school = schools[k]
        cells = np.flatnonzero(geo.cell_district == school.district)
        travel = np.hypot(geo.cell_x[cells] - x[k], geo.cell_y[cells] - y[k])
        for candidate in cells[np.argsort(travel, kind="stable")]:
            if (school.stage, int(candidate)) not in taken:
                taken.add((school.stage, int(candidate)))
                cell[position] = candidate
                break
    pick = [schools[k] for k in order]
    return ListedSites(
        order=order,
        stage=np.array([s.stage for s in pick], dtype=np.int8),
        district=np.array([s.district for s in pick], dtype=np.int16),
        cell=cell,
        private=np.array([s.private for s in pick], dtype=bool),
        names=np.array([s.name for s in pick]).astype(str),
        capacity=np.array([s.capacity for s in pick], dtype=np.int64),
        enrolment=np.array([s.enrolment for s in pick], dtype=np.int64),
        key_school=np.array(
            [-1 if s.key_school is None else int(s.key_school) for s in pick], dtype=np.int8
        ),
        owners={s.name: s.owner for s in pick if s.owner},
    )


def enrolment_weights(geo: Geography, sites: ListedSites, cell_school: np.ndarray) -> np.ndarray:
    """Residential weights rescaled so that each public primary school's catchment holds
    its district's residents in proportion to the school's listed enrolment (families
    live where the pupils come from); cells outside a primary catchment keep theirs."""
    weight = geo.cell_weight.copy()
    public = np.flatnonzero((sites.stage == 0) & ~sites.private)
    for d in np.unique(sites.district[public]):
        schools = public[sites.district[public] == d]
        cells = np.flatnonzero(geo.cell_district == d)
        total_enrolment = sites.enrolment[schools].sum()
        if total_enrolment <= 0:
            continue
        total_weight = weight[cells].sum()
        for school in schools:
            mine = cells[cell_school[cells] == school]
            held = weight[mine].sum()
            if held > 0:
                share = max(sites.enrolment[school], 1) / total_enrolment
                weight[mine] *= share * total_weight / held
    return weight
