"""The enrollment phase's private intake (公民同招 or, before 2020, admission by test)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from edusim.phases.travel import km_to_schools
from edusim.policy.enrollment import ladder_class, members_table
from edusim.policy.mechanisms import assign
from edusim.processes.family_choice import school_values
from edusim.world.private_schools import has_private_option, lacks_public_access
from edusim.world.schools import GRADES_PER_STAGE

if TYPE_CHECKING:
    from edusim.model import EduModel

AMENITY_STEP = 0.25
"""SD of reputation per unit of log(target / demand) in one step of `fit_private_amenity`."""
AMENITY_BOUND = 3.0
"""Largest amenity, in SD of reputation."""


def private_intake(
    model: EduModel, year: int, stage: int, entrants: np.ndarray
) -> tuple[np.ndarray, int]:
    """Families with the option apply to private schools worth more to them than their
    public prospect, migrant families without the documents for a public place to any
    private school they can afford (a district seats them if none admits them); oversubscribed private schools admit by lottery (公民同招) or by
    test, through `enrollment.private_mechanism`. Returns the entrants left for public enrollment and the number of applicants.

    Private places are filled first, but a family that loses the lottery keeps every
    public right, so this equals one simultaneous matching in which applicants rank
    their private schools above their public one (digest, 公民同招)."""
    families, table, params = model.families, model.school_table, model.params
    private = table.private & (table.stage == stage)
    if not private.any() or entrants.size == 0:
        return entrants, 0
    weighing = considering_families(model, stage, entrants)
    lists = weighing.lists(model, table.reputation + model.private_amenity)
    position = weighing.position
    position, lists = position[lists[:, 0] >= 0], lists[lists[:, 0] >= 0]
    applying = entrants[position]
    score = model.streams.uniform("enrollment.private_lottery", year, families.uid[applying])
    if params.enrollment.private_admission == "test":  # achievement so far decides
        score = families.achievement[applying]
    free = np.where(private, table.entry_capacity, 0).astype(np.int64)
    matched = assign(
        params.enrollment.private_mechanism,
        lists,
        np.repeat(score[:, None], lists.shape[1], axis=1),
        free,
        band_size=params.enrollment.parallel_band_size,
        order=score,
    )
    families.school[applying[matched >= 0]] = matched[matched >= 0]
    return np.delete(entrants, position[matched >= 0]), int(applying.size)


@dataclass(frozen=True)
class Weighing:
    """The entrants who weigh private schools (`position` in the entrants) and what their
    lists need: their district's private schools of the stage (`members`, one row per
    district), where they live, what they earn and care, their older sibling's school,
    their public prospect's value and the stage's fees."""

    position: np.ndarray
    members: np.ndarray
    district: np.ndarray
    cells: np.ndarray
    income: np.ndarray
    taste: np.ndarray
    sibling_school: np.ndarray
    public_value: np.ndarray
    stage_fee_cny: np.ndarray

    def lists(self, model: EduModel, appeal: np.ndarray) -> np.ndarray:
        """Their ranked lists when schools' reputations look like `appeal` to families."""
        return private_lists(
            model,
            self.members,
            self.district,
            self.cells,
            self.income,
            self.taste,
            self.sibling_school,
            self.public_value,
            self.stage_fee_cny,
            appeal=appeal,
        )


def considering_families(model: EduModel, stage: int, entrants: np.ndarray) -> Weighing:
    """Families with the option, and migrant families without the documents for a public
    place, who can afford the cheapest private fee of the stage; with their public
    prospect valued as in 7.3 (the catchment school with its reputation replaced by what
    the family expects its address to give)."""
    families, table, params = model.families, model.school_table, model.params
    private = table.private & (table.stage == stage)
    # families with the option, and migrant families without the documents for a public
    # place, weigh private schools if they can afford the cheapest fee
    income = families.income_cny[entrants]
    cheapest = table.fee_cny_per_year[private].min()
    uids = families.uid[entrants]
    no_access = lacks_public_access(
        uids, families.local_hukou[entrants], params.private, model.streams
    )
    position = np.flatnonzero(
        (has_private_option(uids, params.private, model.streams) | no_access)
        & (params.private.fee_income_share_max * income >= cheapest)
    )
    considering = entrants[position]
    n_districts = len(model.geography.district_names)
    members = members_table(np.where(private, table.district, -1), n_districts)
    income = families.income_cny[considering]
    taste = families.quality_taste[considering]
    cells = families.cell[considering]
    home = model.catchments.catchment_of(cells, stage)
    now = ladder_class(
        families.local_hukou[considering],
        families.owner[considering],
        families.residence_years[considering],
        params.enrollment.renter_min_years,
    )
    public_value = school_values(
        home[:, None],
        table.reputation,
        km_to_schools(model, cells, home[:, None]),
        income,
        taste,
        families.sibling_school[considering],
        params.families,
        params.enrollment.distance_cost_income_share_per_km,
    )[:, 0] + taste * income * (model.access_reputation[stage][now, home] - table.reputation[home])
    # without the documents, the public school is only a last resort
    public_value = np.where(no_access[position], -np.inf, public_value)
    return Weighing(
        position,
        members,
        families.district[considering],
        cells,
        income,
        taste,
        families.sibling_school[considering],
        public_value,
        table.fee_cny_per_year * GRADES_PER_STAGE[stage],
    )


def fit_private_amenity(
    model: EduModel, stage: int, cohort: np.ndarray, target: np.ndarray, rounds: int = 40
) -> np.ndarray:
    """Each private school's amenity (SD of reputation, at least 0) at which the first
    choices of the city's last entrants as built (`cohort`, public and private) reach the
    entrants it has as built (`target`, per school): what families value in a private
    school beyond its results (boarding, languages, facilities, hours) is not observed,
    so it is inverted from the observed enrolment, as mean utilities are inverted from
    market shares in demand estimation (Berry 1994, RAND Journal of Economics 25(2)). A
    school already chosen more often than it enrols is oversubscribed, which is
    consistent with its enrolment (it selects or draws lots), and keeps 0. Ascends by
    `rounds` steps on log(target / demand), within [0, AMENITY_BOUND]."""
    table = model.school_table
    schools = np.flatnonzero(table.private & (table.stage == stage))
    amenity = model.private_amenity.copy()
    if schools.size == 0 or cohort.size == 0:
        return amenity
    weighing = considering_families(model, stage, cohort)
    km = KmToMembers.of(model, weighing)  # the rounds change appeal, not distances
    for _ in range(rounds):
        first = first_private_choices(model, weighing, km, table.reputation + amenity)
        first = first[first >= 0]
        demand = np.bincount(first, minlength=len(table))[schools]
        step = AMENITY_STEP * np.log((target[schools] + 0.5) / (demand + 0.5))
        amenity[schools] = np.clip(amenity[schools] + step, 0.0, AMENITY_BOUND)
    return amenity


@dataclass(frozen=True)
class KmToMembers:
    """Distances from each distinct (cell, district) of the considering families to its
    district's private schools (`km`, pairs x members' width, in the order of `members`),
    and each family's pair (`pair`): computed once, read by every round of a fit."""

    pair: np.ndarray
    km: np.ndarray

    @staticmethod
    def of(model: EduModel, weighing: Weighing) -> KmToMembers:
        n_districts = weighing.members.shape[0]
        key = weighing.cells.astype(np.int64) * n_districts + weighing.district
        keys, pair = np.unique(key, return_inverse=True)
        table, geo = model.school_table, model.geography
        km = _km_to_members(
            weighing.members, keys % n_districts, keys // n_districts, geo.cell_x, geo.cell_y,
            table.x_km, table.y_km,
        )  # fmt: skip
        return KmToMembers(pair.reshape(-1).astype(np.int64), km)


@njit(cache=True)
def _km_to_members(
    members, district, cells, cell_x, cell_y, school_x, school_y
):  # pragma: no cover - compiled  # fmt: skip
    km = np.zeros((district.size, members.shape[1]))
    for p in range(district.size):
        x, y = cell_x[cells[p]], cell_y[cells[p]]
        for k in range(members.shape[1]):
            school = members[district[p], k]
            if school >= 0:
                km[p, k] = math.hypot(x - school_x[school], y - school_y[school])
    return km


def first_private_choices(
    model: EduModel, weighing: Weighing, km: KmToMembers, appeal: np.ndarray
) -> np.ndarray:
    """Each considering family's first choice (-1: none), the head of its
    `private_lists` list: the private school of highest value it can afford and values
    above its public prospect, the earlier school of `members` on equal values. One
    compiled pass, no list kept and the distances read from `km`
    (`first_private_choices_reference` is the head of `private_lists`)."""
    params = model.params
    return _first_choices(
        weighing.members, weighing.district.astype(np.int64), km.pair, km.km, appeal,
        model.school_table.fee_cny_per_year, weighing.stage_fee_cny, weighing.income,
        weighing.taste, weighing.sibling_school.astype(np.int64), weighing.public_value,
        float(params.enrollment.distance_cost_income_share_per_km),
        float(params.families.sibling_value_income_share),
        float(params.private.fee_income_share_max),
    )  # fmt: skip


@njit(cache=True)
def _first_choices(
    members, district, pair, km, reputation, fee_per_year, stage_fee, income, taste,
    sibling_school, public_value, km_cost, sibling_share, fee_share_max,
):  # pragma: no cover - compiled  # fmt: skip
    n, width = district.size, members.shape[1]
    first = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        worth = taste[i] * income[i]
        budget = fee_share_max * income[i]
        best = -np.inf
        for k in range(width):
            school = members[district[i], k]
            if school < 0:
                continue
            # school_values, term by term (as _private_lists)
            value = worth * reputation[school]
            value -= km_cost * income[i] * km[pair[i], k]
            value += sibling_share * income[i] * (1.0 if school == sibling_school[i] else 0.0)
            value -= stage_fee[school]
            wanted = fee_per_year[school] <= budget and value > public_value[i]
            if wanted and (first[i] < 0 or value > best):  # equal values: earlier school
                first[i], best = school, value
    return first


def first_private_choices_reference(
    model: EduModel, weighing: Weighing, km: KmToMembers, appeal: np.ndarray
) -> np.ndarray:
    """`first_private_choices` as the first column of `private_lists`."""
    return weighing.lists(model, appeal)[:, 0]


def private_lists(
    model: EduModel,
    members: np.ndarray,
    district: np.ndarray,
    cells: np.ndarray,
    income: np.ndarray,
    taste: np.ndarray,
    sibling_school: np.ndarray,
    public_value: np.ndarray,
    stage_fee_cny: np.ndarray,
    appeal: np.ndarray | None = None,
) -> np.ndarray:
    """Each considering family's list: the private schools of its district (`members`, a
    district's row) it can afford and values above its public prospect, best first, cut to
    `choice_list_length` (-1 padded).

    One compiled pass per family over its district's private schools, computing the value
    of `school_values` term by term in the same order (the same numbers), instead of
    families x schools tables of values, distances and fees: the work is linear in the
    families and in each district's private schools, and the memory is families x list
    length. Equal values rank the earlier school of `members` first (`ranked_lists`'
    partition leaves such ties in no defined order; `private_lists_reference` is the
    array form, compared in tests/phases/test_private_lists.py)."""
    table, geo, params = model.school_table, model.geography, model.params
    length = min(params.enrollment.choice_list_length, members.shape[1])
    return _private_lists(
        members,
        district.astype(np.int64),
        cells.astype(np.int64),
        geo.cell_x,
        geo.cell_y,
        table.x_km,
        table.y_km,
        table.reputation if appeal is None else appeal,
        table.fee_cny_per_year,
        stage_fee_cny,
        income,
        taste,
        sibling_school.astype(np.int64),
        public_value,
        float(params.enrollment.distance_cost_income_share_per_km),
        float(params.families.sibling_value_income_share),
        float(params.private.fee_income_share_max),
        length,
    )


@njit(cache=True)
def _private_lists(
    members, district, cells, cell_x, cell_y, school_x, school_y, reputation, fee_per_year,
    stage_fee, income, taste, sibling_school, public_value, km_cost, sibling_share,
    fee_share_max, length,
):  # pragma: no cover - compiled  # fmt: skip
    n, width = district.size, members.shape[1]
    lists = np.full((n, length), -1, dtype=np.int64)
    values = np.empty(width)
    chosen = np.empty(width, dtype=np.int64)
    for i in range(n):
        x, y = cell_x[cells[i]], cell_y[cells[i]]
        worth = taste[i] * income[i]
        budget = fee_share_max * income[i]
        found = 0
        for k in range(width):
            school = members[district[i], k]
            if school < 0:
                continue
            # school_values, term by term
            value = worth * reputation[school]
            value -= km_cost * income[i] * math.hypot(x - school_x[school], y - school_y[school])
            value += sibling_share * income[i] * (1.0 if school == sibling_school[i] else 0.0)
            value -= stage_fee[school]
            if fee_per_year[school] <= budget and value > public_value[i]:
                # insert by value, best first; an equal value goes after (earlier k first)
                at = found
                while at > 0 and values[at - 1] < value:
                    values[at] = values[at - 1]
                    chosen[at] = chosen[at - 1]
                    at -= 1
                values[at] = value
                chosen[at] = school
                found += 1
        for j in range(min(found, length)):
            lists[i, j] = chosen[j]
    return lists


def private_lists_reference(
    model: EduModel,
    members: np.ndarray,
    district: np.ndarray,
    cells: np.ndarray,
    income: np.ndarray,
    taste: np.ndarray,
    sibling_school: np.ndarray,
    public_value: np.ndarray,
    stage_fee_cny: np.ndarray,
    appeal: np.ndarray | None = None,
) -> np.ndarray:
    """`private_lists` as families x schools arrays: `school_values`, affordability and
    a stable sort of the values (the form it replaced, `ranked_lists` with ties ranked
    by position)."""
    table, params = model.school_table, model.params
    candidates = members[district]
    value = school_values(
        candidates,
        table.reputation if appeal is None else appeal,
        km_to_schools(model, cells, candidates),
        income,
        taste,
        sibling_school,
        params.families,
        params.enrollment.distance_cost_income_share_per_km,
        fee_cny=stage_fee_cny,
    )
    affordable = (
        table.fee_cny_per_year[np.maximum(candidates, 0)]
        <= (params.private.fee_income_share_max * income)[:, None]
    )
    wanted = affordable & (value > public_value[:, None])
    # ranked_lists, but stable, so equal values keep the earlier member first (its
    # partition leaves ties in no defined order)
    utility = np.where(wanted & (candidates >= 0), value, -np.inf)
    length = min(params.enrollment.choice_list_length, candidates.shape[1])
    order = np.argsort(-utility, axis=1, kind="stable")[:, :length]
    ranked = np.take_along_axis(candidates, order, axis=1)
    return np.where(np.take_along_axis(utility, order, axis=1) > -np.inf, ranked, -1)
