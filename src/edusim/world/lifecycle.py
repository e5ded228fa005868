"""Schools that exist only part of the run: their rows, sites, feeder links and the
redrawn catchments.

Design: the school table has a fixed number of rows for the whole run. A school that an
event opens (scenario/lifecycle.py) has a row from the start, appended after the city's
schools in the order the openings take effect, with no places (`classes_per_grade` 0)
and `active` False until it opens; a school that closes or is merged keeps its row, with
`active` False and no places, from then on. No per-school array ever changes size, so
groups, teachers' school indices, premiums, expectations and result tables need no
re-indexing, and the city as built (every random draw included) is the same with or
without the events: planned rows draw nothing.

Redraw rule: whenever a school opens, closes or is merged, every catchment is recomputed
as the nearest-site partition of each district over the open public schools of the
stage, a kept campus counting as a site of its owner (world/catchments.py). What the
old areas carried (the used dwellings of the one-enrollment-per-dwelling rule) moves to
the new catchments in proportion to the residential weight that changes hands
(`moved_with_cells`).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from edusim.agents.school import SchoolTable
from edusim.scenario.lifecycle import NINE_YEAR_SUFFIXES, OpenSchool
from edusim.scenario.loader import Problem, ScenarioError, school_year_of_date
from edusim.scenario.schema import STAGES, Scenario
from edusim.world.catchments import Catchments, build_catchments
from edusim.world.geography import Geography
from edusim.world.schools import GRADES_PER_STAGE, OWNER_COUNTY, OWNER_DISTRICT, seat_towns

NO_CAMPUSES: tuple[np.ndarray, np.ndarray] = (
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype=np.int64),
)
"""(cells, owning schools) of kept campuses when there are none."""


def planned_openings(scenario: Scenario) -> list[tuple[int, OpenSchool]]:
    """(timeline index, spec) of every opening that takes effect in the run, in the order
    the model fires them (school year, then timeline order)."""
    end = scenario.start_year + scenario.years
    found = [
        (index, event.open)
        for index, event in enumerate(scenario.timeline)
        if event.open is not None and scenario.start_year <= school_year_of_date(event.date) < end
    ]
    return sorted(found, key=lambda item: school_year_of_date(scenario.timeline[item[0]].date))


def opening_rows(spec: OpenSchool) -> list[tuple[str, int]]:
    """(name, stage) of the rows an opening adds: one, or two for a nine-year school."""
    if spec.stage == "nine_year":
        return [(spec.name + NINE_YEAR_SUFFIXES[s], s) for s in (0, 1)]
    return [(spec.name, STAGES.index(spec.stage))]


def choose_site(
    geo: Geography,
    district: int,
    stages: list[int],
    taken: np.ndarray,
    served_by: list[np.ndarray],
    spec: OpenSchool,
) -> int:
    """The cell of a new site: a residential cell of the district (and of `spec.town`, if
    given) where no school of the stages stands (`taken`, cells x stages); the one
    nearest (x_km, y_km) if given, else the most underserved one: largest residential
    weight x travel to the nearest public school of the stage (`served_by[stage]`, cells
    of those schools; assumption: a district builds where pupils live far from a school)."""
    free = (geo.cell_district == district) & (geo.cell_weight > 0)
    if spec.town >= 0:
        free &= geo.cell_town == spec.town
    for stage in stages:
        free &= ~taken[:, stage]
    cells = np.flatnonzero(free)
    if cells.size == 0:
        return -1
    if spec.x_km is not None and spec.y_km is not None:
        distance = np.hypot(geo.cell_x[cells] - spec.x_km, geo.cell_y[cells] - spec.y_km)
        return int(cells[np.argmin(distance)])
    need = np.zeros(cells.size)
    for stage in stages:
        sites = served_by[stage]
        if sites.size == 0:
            need += geo.cell_weight[cells]
            continue
        travel = geo.travel_km(
            cells[:, None], geo.cell_x[sites], geo.cell_y[sites], geo.cell_island[sites]
        )
        need += geo.cell_weight[cells] * travel.min(axis=1)
    return int(cells[np.argmax(need)])


def append_rows(table: SchoolTable, columns: dict[str, np.ndarray]) -> None:
    """Extend every per-school array of `table` by the rows in `columns` (in place);
    arrays not given get zeros of their type."""
    count = next(iter(columns.values())).size
    for item in fields(table):
        current = getattr(table, item.name)
        extra = columns.get(item.name, np.zeros(count, dtype=current.dtype))
        if current.dtype.kind == "U":  # names: widen, never truncate
            setattr(table, item.name, np.concatenate([current, np.asarray(extra, str)]))
        else:
            setattr(table, item.name, np.concatenate([current, np.asarray(extra, current.dtype)]))


def add_planned_schools(scenario: Scenario, geo: Geography, table: SchoolTable) -> bool:
    """Append a closed row for every school an event opens during the run (in place);
    whether there were any."""
    planned = planned_openings(scenario)
    if not planned:
        return False
    districts = [d.name for d in scenario.city.districts]
    taken = np.zeros((geo.n_cells, 2), dtype=bool)
    taken[table.cell, table.stage] = True
    served_by = [table.cell[(table.stage == s) & ~table.private] for s in (0, 1)]
    seats = seat_towns(geo.cell_town, geo.cell_weight, geo.town_district)
    status = scenario.school_status
    rows: dict[str, list] = {k: [] for k in ("name", "stage", "district", "cell", "nine")}
    for event, spec in planned:
        d = districts.index(spec.district)
        named = opening_rows(spec)
        stages = [stage for _, stage in named]
        cell = choose_site(geo, d, stages, taken, served_by, spec)
        if cell < 0:
            towns = np.flatnonzero(geo.town_district == d)
            raise ScenarioError(
                scenario.name,
                [
                    Problem(
                        f"timeline[{event}].open.town",
                        f"no residential cell of {spec.district}"
                        + (f" in town {spec.town}" if spec.town >= 0 else "")
                        + f" is free of a {spec.stage} school (the district's towns are "
                        f"{towns.min()}-{towns.max()}, see the schools table's `town` column)",
                    )
                ],
            )
        for name, stage in named:
            taken[cell, stage] = True
            served_by[stage] = np.append(served_by[stage], cell)
            rows["name"].append(name)
            rows["stage"].append(stage)
            rows["district"].append(d)
            rows["cell"].append(cell)
            rows["nine"].append(len(named) == 2)
    stage = np.array(rows["stage"], dtype=table.stage.dtype)
    district = np.array(rows["district"], dtype=table.district.dtype)
    cell = np.array(rows["cell"], dtype=table.cell.dtype)
    kind = geo.district_kind[district]
    in_seat = geo.cell_town[cell] == seats[district]
    rural = ((kind == 2) & ~(in_seat & status.county_seat_urban)) | (
        (kind == 1) & ~in_seat & status.suburban_villages_rural
    )
    class_size = np.where(
        stage == 0, scenario.schools.class_size_primary, scenario.schools.class_size_junior
    )
    append_rows(
        table,
        {
            "name": np.array(rows["name"]),
            "stage": stage,
            "district": district,
            "town": geo.cell_town[cell],
            "cell": cell,
            "x_km": geo.cell_x[cell],
            "y_km": geo.cell_y[cell],
            "class_size": class_size,
            "grades": np.array(GRADES_PER_STAGE)[stage],
            # a new school starts with the city's base spending (prestige 0, no famous
            # brand, no premium): assumption
            "base_spending": np.full(stage.size, scenario.funding.base_spending_cny_per_pupil),
            "owner": np.where(kind == 2, OWNER_COUNTY, OWNER_DISTRICT),
            "rural": rural,
            "active": np.zeros(stage.size, dtype=bool),
            "feeds": np.full(stage.size, -1),
            "nine_year": np.array(rows["nine"], dtype=bool),
        },
    )
    table.name = table.name.astype(str)
    return True


def feeder_links(
    table: SchoolTable, geo: Geography, rule: str, pairs: dict[int, int]
) -> np.ndarray:
    """The junior school each open public primary school feeds (-1: none).

    Explicit pairs (primary row -> junior row) whose junior school is open win; a
    nine-year school's primary section feeds its junior section (same site, both
    flagged); under rule 'nearest' every other primary school feeds the nearest open
    public junior school of its district by travel cost (assumption: 对口 links follow
    the catchment logic of 就近入学)."""
    feeds = np.full(len(table), -1, dtype=np.int64)
    public_open = table.active & ~table.private
    primaries = np.flatnonzero(public_open & (table.stage == 0))
    juniors = public_open & (table.stage == 1)
    if rule == "nearest":
        for district in np.unique(table.district[primaries]):
            feeders = primaries[table.district[primaries] == district]
            targets = np.flatnonzero(juniors & (table.district == district))
            if targets.size == 0:
                continue
            travel = geo.travel_km(
                table.cell[feeders][:, None],
                table.x_km[targets],
                table.y_km[targets],
                geo.cell_island[table.cell[targets]],
            )
            feeds[feeders] = targets[np.argmin(travel, axis=1)]
    nine = np.flatnonzero(table.nine_year & public_open & (table.stage == 0))
    for primary in nine:
        same_site = np.flatnonzero(table.nine_year & juniors & (table.cell == table.cell[primary]))
        if same_site.size:
            feeds[primary] = same_site[0]
    for primary, junior in pairs.items():
        if public_open[primary] and juniors[junior]:
            feeds[primary] = junior
    return feeds


def redrawn_catchments(
    geo: Geography, table: SchoolTable, campuses: tuple[np.ndarray, np.ndarray]
) -> Catchments:
    """Catchments over the open public schools and their kept campuses (the redraw rule)."""
    return build_catchments(
        geo,
        table.stage,
        table.district,
        table.cell,
        public=~table.private & table.active,
        campuses=campuses if campuses[0].size else None,
    )


def moved_with_cells(
    values: np.ndarray, old_school: np.ndarray, new_school: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """Per-school quantities of an area (used dwellings, say) carried to the redrawn
    catchments: each old school's value is shared among the schools that now hold its
    cells in proportion to the cells' residential weight (`old_school`, `new_school` per
    cell, -1: none). A school that keeps its whole area keeps its value."""
    n = values.size
    counted = (old_school >= 0) & (new_school >= 0)
    old_weight = np.bincount(old_school[counted], weights=weight[counted], minlength=n)
    share = weight[counted] / np.maximum(old_weight[old_school[counted]], 1e-300)
    carried = np.bincount(
        new_school[counted], weights=values[old_school[counted]] * share, minlength=n
    )
    stranded = (old_weight == 0) & (values != 0)  # an area without weight keeps its value
    return carried + np.where(stranded, values, 0.0)


def feeder_pairs(scenario: Scenario, table: SchoolTable) -> dict[int, int]:
    """Explicit feeder links as rows: `feeders.pairs`, then the `feeds` of openings."""
    index = {str(name): row for row, name in enumerate(table.name)}
    named = dict(scenario.feeders.pairs)
    named.update({spec.name: spec.feeds for _, spec in planned_openings(scenario) if spec.feeds})
    return {index[p]: index[j] for p, j in named.items() if p in index and j in index}
