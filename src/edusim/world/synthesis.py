"""Building the year-0 city from a scenario: map, schools, catchments, families, teachers.

The state built here stands for the end of the school year before `start_year`: a pupil
in grade g has completed g years of school. Everything is drawn from streams named
"world.*", "families.*", "teachers.*" and (pupils' achievement so far) "learning.entry"
and "learning.history", so two scenarios with the same city and seed build the same city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edusim.agents.families import Families
from edusim.agents.leaders import Leaders
from edusim.agents.school import SchoolTable
from edusim.agents.teachers import Teachers
from edusim.policy.leadership import school_leadership
from edusim.processes.aggregate import school_counts, school_mean
from edusim.processes.learning import initial_achievement, scarce_subject_loss, teaching_quality
from edusim.processes.reputation import standardise_within
from edusim.randomness import Streams
from edusim.scenario.schema import STAGES, Scenario
from edusim.world.catchments import Catchments, build_catchments
from edusim.world.geography import Geography, build_geography
from edusim.world.households import (
    IncomeReference,
    arriving_families,
    family_taste,
    household_status,
    price_reference,
    settling,
)
from edusim.world.leaders import initial_leaders
from edusim.world.lifecycle import (
    NO_CAMPUSES,
    add_planned_schools,
    feeder_links,
    feeder_pairs,
    redrawn_catchments,
)
from edusim.world.listed_schools import enrolment_weights, listed_sites
from edusim.world.private_schools import (
    initial_private_pupils,
    lacks_public_access,
    low_fee_sites,
    private_fees,
)
from edusim.world.schools import (
    FIRST_GRADE,
    GRADES_PER_STAGE,
    OWNER_CITY,
    OWNER_COUNTY,
    OWNER_DISTRICT,
    classes_needed,
    initial_prestige,
    place_school_sites,
    private_sites,
    school_name,
    school_owner_and_rural,
    seat_towns,
)
from edusim.world.staff import RURAL, initial_teachers, staff_needed


@dataclass
class World:
    """Everything a run starts from."""

    geography: Geography
    catchments: Catchments
    schools: SchoolTable
    families: Families
    teachers: Teachers
    income_reference: IncomeReference
    quality_reference: float  # pupil-weighted mean teaching quality in year 0
    leaders: Leaders  # principals and deputies (world/leaders.py)


def stage_of_grade(grade: np.ndarray) -> np.ndarray:
    """0 for primary grades 1-6, 1 for junior grades 7-9."""
    return (grade >= FIRST_GRADE[1]).astype(np.int8)


def cell_premium_share(catchments: Catchments, premium_share: np.ndarray) -> np.ndarray:
    """Total school premium of every cell: its primary plus its junior catchment premium."""
    total = np.zeros(catchments.cell_school.shape[1])
    for stage in (0, 1):
        schools = catchments.cell_school[stage]
        has = schools >= 0
        total[has] += premium_share[schools[has]]
    return total


def pupils_per_grade(total: int, grades: int) -> list[int]:
    """Split a stage's pupils evenly over its grades (remainder to the lowest grades)."""
    base, remainder = divmod(total, grades)
    return [base + (1 if g < remainder else 0) for g in range(grades)]


def build_world(scenario: Scenario, streams: Streams) -> World:
    """Synthesise the city of `scenario` with the run's random streams."""
    geo = build_geography(scenario.city, streams.generator("world.geography"))
    sites = listed_sites(scenario, geo) if scenario.city.schools_file is not None else None
    if sites is None:
        stage, district, cell = place_school_sites(scenario, geo, streams.generator("world.sites"))
        private = private_sites(scenario, stage, district, streams.generator("world.private"))
    else:
        stage, district, cell, private = sites.stage, sites.district, sites.cell, sites.private
    catchments = build_catchments(geo, stage, district, cell, public=~private)
    if sites is not None:  # residents where the listed pupils are, then their catchments
        geo.cell_weight = enrolment_weights(geo, sites, catchments.cell_school[0])
        catchments = build_catchments(geo, stage, district, cell, public=~private)
    n_schools = stage.size

    expected_cohort = _expected_cohort(scenario, geo, catchments, stage, district, private)
    prestige_rng = streams.generator("world.prestige")
    prestige, famous = initial_prestige(
        scenario,
        geo,
        stage,
        district,
        expected_cohort,
        private,
        prestige_rng,
        None if sites is None else sites.key_school,
    )
    famous_prestige = prestige[famous].mean() if famous.any() else max(prestige.max(), 1.0)
    premium_share = (
        scenario.housing.famous_premium_share
        * np.clip(prestige / famous_prestige, 0.0, 1.5)
        * prestige_rng.uniform(0.75, 1.25, n_schools)
        * ~private
    )
    management = (
        scenario.schools.management_sd * prestige_rng.standard_normal(n_schools)
        + scenario.schools.management_prestige_slope * prestige
    )

    families, income_reference = _initial_families(
        scenario, geo, catchments, premium_share, streams
    )
    pupil_stage = stage_of_grade(families.grade)
    families.school[:] = catchments.cell_school[pupil_stage, families.cell]
    low_fee = low_fee_sites(prestige, private, district, stage, scenario.private)
    in_private = initial_private_pupils(
        families.uid,
        families.district,
        families.grade,
        families.quality_taste * families.income_cny,
        families.cell,
        lacks_public_access(families.uid, families.local_hukou, scenario.private, streams),
        geo,
        cell,
        district,
        stage,
        private,
        low_fee,
        FIRST_GRADE,
        GRADES_PER_STAGE,
        scenario.private,
        streams,
    )
    families.school[:] = np.where(in_private >= 0, in_private, families.school)

    class_size = np.where(
        stage == 0, scenario.schools.class_size_primary, scenario.schools.class_size_junior
    )
    largest_grade = np.zeros(n_schools)
    for grade in range(1, 10):
        in_grade = families.grade == grade
        counts = school_counts(families.school[in_grade], n_schools)
        largest_grade = np.maximum(largest_grade, counts)
    names = _school_names(geo, stage, district, private) if sites is None else sites.names
    owner, rural = school_owner_and_rural(
        scenario,
        geo.district_kind,
        district,
        geo.cell_town[cell],
        seat_towns(geo.cell_town, geo.cell_weight, geo.town_district),
        famous,
        prestige,
        private,
        names,
    )
    if sites is not None:
        levels = {"city": OWNER_CITY, "district": OWNER_DISTRICT, "county": OWNER_COUNTY}
        for name, level in sites.owners.items():
            owner[names == name] = levels[level]
    classes = classes_needed(largest_grade, class_size, scenario.schools.capacity_slack)
    if sites is not None:  # the listed capacity, in whole classes of every grade
        grades = np.array(GRADES_PER_STAGE)[stage]
        classes = np.maximum(1, np.ceil(sites.capacity / (grades * class_size))).astype(np.int64)
    table = SchoolTable(
        name=names,
        stage=stage,
        district=district,
        town=geo.cell_town[cell],
        cell=cell,
        x_km=geo.cell_x[cell],
        y_km=geo.cell_y[cell],
        famous=famous,
        prestige=prestige,
        management=management,
        classes_per_grade=classes,
        class_size=class_size,
        grades=np.array(GRADES_PER_STAGE)[stage],
        reputation=np.zeros(n_schools),
        premium_share=premium_share,
        base_spending=scenario.funding.base_spending_cny_per_pupil
        * np.maximum(0.2, 1.0 + scenario.funding.spending_prestige_slope * prestige),
        private=private,
        fee_cny_per_year=private_fees(prestige, private, low_fee, scenario.private),
        owner=owner,
        rural=rural,
    )
    table.enrollment = school_counts(families.school, n_schools)

    ratio = np.where(
        stage == 0,
        scenario.schools.pupil_teacher_ratio_primary,
        scenario.schools.pupil_teacher_ratio_junior,
    )
    staff = staff_needed(table.enrollment, ratio)
    surplus_at = (geo.district_kind[district] == RURAL) & ~private & table.active
    staff = staff + np.where(
        surplus_at,
        np.rint(scenario.teachers.initial_surplus_share_rural * staff).astype(np.int64),
        0,
    )
    teachers = Teachers()
    columns = initial_teachers(
        np.repeat(np.arange(n_schools), staff),
        prestige,
        geo.district_kind[district],
        scenario.teachers,
        scenario.balance.qualified_share_initial,
        streams,
        school_rural=rural & ~private,
    )
    teachers.add(int(staff.sum()), **columns)
    effectiveness = teachers.effectiveness(
        scenario.teachers.experience_gain, scenario.teachers.experience_scale_years
    )
    table.teaching_quality = teaching_quality(
        effectiveness, teachers.school, management
    ) - scarce_subject_loss(teachers.specialist, teachers.school, n_schools, scenario.teachers)
    quality_reference = float(
        np.average(table.teaching_quality, weights=np.maximum(table.enrollment, 0) + 1e-12)
    )

    _initial_achievement(scenario, families, table.teaching_quality, quality_reference, streams)
    table.mean_achievement = school_mean(families.achievement, families.school, n_schools)
    table.brand = scenario.reputation.famous_brand_sd * famous.astype(float)
    table.reputation = standardise_within(table.mean_achievement, stage) + table.brand
    if add_planned_schools(scenario, geo, table):  # every school's list has a row
        catchments = redrawn_catchments(geo, table, NO_CAMPUSES)
    table.feeds = feeder_links(table, geo, scenario.feeders.rule, feeder_pairs(scenario, table))
    leaders = _initial_leaders(scenario, table, streams)
    return World(
        geo, catchments, table, families, teachers, income_reference, quality_reference, leaders
    )


def _initial_leaders(scenario: Scenario, table: SchoolTable, streams: Streams) -> Leaders:
    """Leaders of the open schools, and each school's institution: its drawn management
    less what its leaders bring, so that year-0 management is unchanged; a school not yet
    open keeps the expected share 1 - leaders.principal_share of its management
    (policy/leadership.py)."""
    leaders = Leaders()
    columns = initial_leaders(scenario, table.management, table.prestige, table.active, streams)
    leaders.add(columns["school"].size, **columns)
    params = scenario.leaders
    brought = school_leadership(
        len(table),
        leaders.school,
        leaders.role,
        leaders.quality,
        params.deputy_weight,
        params.deputies_per_school,
    )
    table.institution = np.where(
        table.active, table.management - brought, (1.0 - params.principal_share) * table.management
    )
    return leaders


def _expected_cohort(scenario, geo, catchments, stage, district, private) -> np.ndarray:
    """Expected pupils per grade of each school: for a public school those living in its
    catchment, from residential weights; for a private school its even share of the
    district's private pupils."""
    expected = np.zeros(stage.size)
    pupil_shares = (scenario.private.pupil_share_primary, scenario.private.pupil_share_junior)
    for school in range(stage.size):
        d = district[school]
        cohort = (
            getattr(scenario.city.districts[d].pupils, STAGES[stage[school]])
            / GRADES_PER_STAGE[stage[school]]
        )
        if private[school]:
            peers = np.count_nonzero(private & (district == d) & (stage == stage[school]))
            expected[school] = cohort * pupil_shares[stage[school]] / peers
            continue
        share = (
            geo.cell_weight[catchments.catchment_cells[school]].sum()
            / geo.cell_weight[geo.cell_district == d].sum()
        )
        expected[school] = cohort * share
    return expected


FAMILY_CHUNK_ROWS = 1 << 20
"""Rows per block of the year-0 passes over every family (incomes standardised, tastes,
tenure, initial achievement): each is elementwise and keyed by family id, so blocks give
the same numbers as one pass, while the temporaries are a block's, not the city's (an
8x Hangzhou has 8.3 M families; each whole-city float temporary is 67 MB)."""


def _blocks(size: int) -> list[slice]:
    return [
        slice(start, min(start + FAMILY_CHUNK_ROWS, size))
        for start in range(0, size, FAMILY_CHUNK_ROWS)
    ]


def _initial_families(scenario, geo, catchments, premium_share, streams):
    """Families of every grade, settled by district; incomes sorted by cell price.

    Each district's grade is written straight into storage reserved for the whole city
    (no list of pieces concatenated into a second copy), and the columns that depend on
    the city's income distribution are filled afterwards in blocks."""
    cell_premium = cell_premium_share(catchments, premium_share)
    log_price = price_reference(geo, cell_premium)
    settled = settling(geo, cell_premium)  # once for every district and grade
    counts = [
        [
            pupils_per_grade(getattr(district.pupils, stage_name), GRADES_PER_STAGE[stage_index])
            for stage_index, stage_name in enumerate(STAGES)
        ]
        for district in scenario.city.districts
    ]
    families = Families()
    families.reserve(sum(sum(sum(grades) for grades in stages) for stages in counts))
    for d in range(len(scenario.city.districts)):
        for stage_index in range(len(STAGES)):
            for offset, count in enumerate(counts[d][stage_index]):
                if count == 0:
                    continue
                uids = np.arange(families.next_uid, families.next_uid + count)
                columns = arriving_families(scenario, geo, uids, d, settled, log_price, streams)
                families.add(
                    count,
                    cell=columns["cell"],
                    district=np.int16(d),
                    income_cny=columns["income_cny"],
                    ses_z=0.0,  # below, once the city's incomes are known
                    quality_taste=0.0,
                    grade=np.int8(FIRST_GRADE[stage_index] + offset),
                    school=-1,
                    achievement=0.0,
                    school_gain=0.0,
                    moved_for_school=False,
                    sibling_school=-1,
                    residence_years=0.0,
                    local_hukou=False,
                    owner=False,
                )
    log_income = np.log(families.income_cny)
    reference = IncomeReference(
        log_price_mean=log_price[0],
        log_price_sd=log_price[1],
        log_income_mean=float(log_income.mean()),
        log_income_sd=float(max(log_income.std(), 1e-9)),
    )
    del log_income
    ses_z, taste = families.ses_z, families.quality_taste
    residence, local, owner = families.residence_years, families.local_hukou, families.owner
    for block in _blocks(len(families)):
        uids = families.uid[block]
        ses_z[block] = (
            np.log(families.income_cny[block]) - reference.log_income_mean
        ) / reference.log_income_sd
        taste[block] = family_taste(ses_z[block], uids, scenario, streams)
        residence[block] = 10.0 * streams.uniform("families.residence", None, uids)
        status = household_status(uids, scenario, streams)
        local[block], owner[block] = status["local_hukou"], status["owner"]
    return families, reference


def _initial_achievement(
    scenario: Scenario,
    families: Families,
    teaching_quality: np.ndarray,
    quality_reference: float,
    streams: Streams,
) -> None:
    """Year-0 achievement of every pupil and its school-induced part
    (`initial_achievement`), in blocks of families."""
    achievement, school_gain = families.achievement, families.school_gain
    for block in _blocks(len(families)):
        uids = families.uid[block]
        achievement[block], school_gain[block] = initial_achievement(
            families.grade[block].astype(float),
            teaching_quality[families.school[block]] - quality_reference,
            families.ses_z[block],
            streams.normal("learning.entry", None, uids),
            streams.normal("learning.history", None, uids),
            scenario.learning,
        )


def _school_names(
    geo: Geography, stage: np.ndarray, district: np.ndarray, private: np.ndarray
) -> np.ndarray:
    """Readable, stable school names such as 'Xihu-P07', 'Xihu-J03' and 'Xihu-MJ01'."""
    names = np.empty(stage.size, dtype=object)
    for d, district_name in enumerate(geo.district_names):
        for s in (0, 1):
            for is_private in (False, True):
                members = np.flatnonzero((district == d) & (stage == s) & (private == is_private))
                for number, school in enumerate(members, start=1):
                    names[school] = school_name(district_name, s, number, is_private)
    return names.astype(str)
