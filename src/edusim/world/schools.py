"""School sites and their initial standing: prestige, famous schools, management, capacity."""

from __future__ import annotations

import numpy as np

from edusim.scenario.private import private_school_count
from edusim.scenario.schema import STAGES, Scenario
from edusim.world.geography import Geography

GRADES_PER_STAGE: tuple[int, int] = (6, 3)
FIRST_GRADE: tuple[int, int] = (1, 7)


STAGE_LETTERS: tuple[str, str] = ("P", "J")
PRIVATE_LETTER = "M"  # 民办


def school_name(district_name: str, stage: int, number: int, private: bool = False) -> str:
    """The stable name of a synthesised school site, e.g. 'Xihu-P07', or 'Xihu-MJ02' for a
    private school (public and private schools are numbered separately, from 1)."""
    prefix = PRIVATE_LETTER if private else ""
    return f"{district_name}-{prefix}{STAGE_LETTERS[stage]}{number:02d}"


def is_private_name(name: str) -> bool:
    """Whether a synthesised school name is a private school's ('Xihu-MJ01')."""
    return name.rsplit("-", 1)[-1].startswith(PRIVATE_LETTER)


def private_counts(scenario: Scenario, district: int) -> tuple[int, int]:
    """Private sites of a district per stage (see scenario/private.py)."""
    spec = scenario.city.districts[district]
    shares = (scenario.private.school_share_primary, scenario.private.school_share_junior)
    return tuple(
        private_school_count(
            getattr(spec.schools, name),
            getattr(spec.private_schools, name) if spec.private_schools else None,
            shares[stage],
        )
        for stage, name in enumerate(STAGES)
    )


def _listed(scenario: Scenario):
    from edusim.world.listed_schools import school_list

    return school_list(scenario.city)[0]


def scenario_school_names(scenario: Scenario) -> dict[str, tuple[int, int]]:
    """Every school name a scenario's city will have, with its (district, stage) indices
    (a school list's names, if the city has one)."""
    listed = _listed(scenario)
    if listed is not None:
        return {school.name: (school.district, school.stage) for school in listed.schools}
    names = {}
    for d, district in enumerate(scenario.city.districts):
        private = private_counts(scenario, d)
        for stage, stage_name in enumerate(STAGES):
            public = getattr(district.schools, stage_name) - private[stage]
            for number in range(1, public + 1):
                names[school_name(district.name, stage, number)] = (d, stage)
            for number in range(1, private[stage] + 1):
                names[school_name(district.name, stage, number, private=True)] = (d, stage)
    return names


def scenario_private_names(scenario: Scenario) -> set[str]:
    """The names of the city's private schools (by the list's sector column, if any)."""
    listed = _listed(scenario)
    if listed is not None:
        return {school.name for school in listed.schools if school.private}
    return {name for name in scenario_school_names(scenario) if is_private_name(name)}


def private_sites(
    scenario: Scenario, stage: np.ndarray, district: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Which sites are private: the district's count per stage, drawn among its sites."""
    private = np.zeros(stage.size, dtype=bool)
    for d in range(len(scenario.city.districts)):
        counts = private_counts(scenario, d)
        for s in (0, 1):
            members = np.flatnonzero((district == d) & (stage == s))
            if counts[s]:
                private[rng.choice(members, size=counts[s], replace=False)] = True
    return private


def place_school_sites(
    scenario: Scenario, geo: Geography, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose a distinct cell per school of each stage, where people live (by weight).

    Returns (stage, district, cell) per school, schools ordered by district then stage.
    """
    stages, districts, cells = [], [], []
    for d, district in enumerate(scenario.city.districts):
        district_cells = np.flatnonzero(geo.cell_district == d)
        weights = geo.cell_weight[district_cells] / geo.cell_weight[district_cells].sum()
        for stage, stage_name in enumerate(STAGES):
            count = getattr(district.schools, stage_name)
            if count == 0:
                continue
            chosen = rng.choice(district_cells, size=count, replace=False, p=weights)
            stages.append(np.full(count, stage, dtype=np.int8))
            districts.append(np.full(count, d, dtype=np.int16))
            cells.append(np.sort(chosen).astype(np.int32))
    return np.concatenate(stages), np.concatenate(districts), np.concatenate(cells)


def initial_prestige(
    scenario: Scenario,
    geo: Geography,
    school_stage: np.ndarray,
    school_district: np.ndarray,
    expected_size: np.ndarray,
    private: np.ndarray,
    rng: np.random.Generator,
    key_school: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Latent prestige per school and the famous flag.

    Prestige = noise + a shift by district kind (urban up, rural down) + a slope in log
    school size (small schools weaker) + a shift for private schools; the top share of each
    district's public schools of a stage becomes famous and gains a further boost.
    `key_school` (a school list's column: 1 yes, 0 no, -1 by the rule) overrides the rule.
    """
    params = scenario.schools
    kind = geo.district_kind[school_district]
    kind_shift = np.select([kind == 0, kind == 2], [1.0, -1.0], 0.0) * params.prestige_kind_shift_sd
    size_ratio = np.ones_like(expected_size, dtype=float)
    for stage in (0, 1):
        in_stage = school_stage == stage
        if in_stage.any():
            median = np.median(expected_size[in_stage])
            size_ratio[in_stage] = np.maximum(expected_size[in_stage], 1.0) / max(median, 1.0)
    prestige = (
        rng.standard_normal(school_stage.size)
        + kind_shift
        + params.prestige_size_slope * np.log(size_ratio)
        + scenario.private.prestige_shift_sd * private
    )
    famous_share = np.array(
        [params.famous_share_urban, params.famous_share_suburban, params.famous_share_rural]
    )[kind]
    famous = np.zeros(school_stage.size, dtype=bool)
    lottery = rng.random(school_stage.size)
    for district in np.unique(school_district):
        for stage in (0, 1):
            members = np.flatnonzero(
                (school_district == district) & (school_stage == stage) & ~private
            )
            if members.size == 0:
                continue
            expected = famous_share[members[0]] * members.size
            count = int(expected) + int(lottery[members[0]] < expected - int(expected))
            famous[members[np.argsort(-prestige[members], kind="stable")[:count]]] = True
    if key_school is not None:
        famous = np.where(key_school >= 0, key_school == 1, famous)
    prestige = prestige + params.famous_prestige_boost_sd * famous
    return prestige, famous


def classes_needed(cohort: np.ndarray, class_size: np.ndarray, slack: float) -> np.ndarray:
    """Classes per grade that seat a cohort with the planned slack (at least one class)."""
    return np.maximum(1, np.ceil(cohort * (1.0 + slack) / class_size)).astype(np.int64)


OWNER_CITY, OWNER_DISTRICT, OWNER_COUNTY = 0, 1, 2
"""Owner level codes (see scenario/school_status.OWNER_LEVELS)."""


def seat_towns(
    cell_town: np.ndarray, cell_weight: np.ndarray, town_district: np.ndarray
) -> np.ndarray:
    """Per district, its seat: the town with the largest residential weight."""
    weight = np.bincount(cell_town, weights=cell_weight, minlength=town_district.size)
    seats = np.full(int(town_district.max()) + 1, -1, dtype=np.int64)
    for town in np.argsort(weight, kind="stable"):  # heaviest last, so it wins
        seats[town_district[town]] = town
    return seats


def school_owner_and_rural(
    scenario: Scenario,
    district_kind: np.ndarray,
    school_district: np.ndarray,
    school_town: np.ndarray,
    seats: np.ndarray,
    famous: np.ndarray,
    prestige: np.ndarray,
    private: np.ndarray,
    names: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Owner level code and rural flag of every school, by the rules of
    `scenario.school_status` and its per-school overrides (private schools: district owner,
    rural by location like any school)."""
    params = scenario.school_status
    kind = district_kind[school_district]
    owner = np.where(kind == 2, OWNER_COUNTY, OWNER_DISTRICT).astype(np.int8)
    urban_famous = np.flatnonzero(famous & ~private & (kind == 0))
    city_count = int(np.floor(params.city_owned_share_of_famous * urban_famous.size + 0.5))
    city_owned = urban_famous[np.argsort(-prestige[urban_famous], kind="stable")[:city_count]]
    owner[city_owned] = OWNER_CITY
    in_seat = school_town == seats[school_district]
    rural = ((kind == 2) & ~(in_seat & params.county_seat_urban)) | (
        (kind == 1) & ~in_seat & params.suburban_villages_rural
    )
    index = {name: i for i, name in enumerate(names)}
    levels = {"city": OWNER_CITY, "district": OWNER_DISTRICT, "county": OWNER_COUNTY}
    for name, level in params.owners.items():
        owner[index[name]] = levels[level]
    for name, flag in params.rural.items():
        rural[index[name]] = flag
    return owner, rural
