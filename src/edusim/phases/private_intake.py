"""The enrollment phase's private intake (公民同招 or, before 2020, admission by test)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from edusim.phases.travel import km_to_schools
from edusim.policy.enrollment import ladder_class, members_table, ranked_lists
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
    length = params.enrollment.choice_list_length
    position, lists = private_options(model, stage, entrants).lists(model.private_amenity, length)
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
class PrivateOptions:
    """What the entrants who weigh private schools see: for each (`position` in the
    entrants), its district's private schools of the stage (`candidates`, -1 padded),
    their value in yuan without the amenity, the yuan one SD of amenity is worth to it
    (`per_sd`: taste x income), its public prospect's value and which fees it can afford."""

    position: np.ndarray
    candidates: np.ndarray
    value: np.ndarray
    per_sd: np.ndarray
    public_value: np.ndarray
    affordable: np.ndarray

    def lists(self, amenity: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
        """The applicants (positions) and their ranked lists: the affordable schools worth
        more than the public prospect once each school's `amenity` counts."""
        safe = np.maximum(self.candidates, 0)
        value = self.value + self.per_sd[:, None] * amenity[safe]
        wanted = self.affordable & (value > self.public_value[:, None])
        lists = ranked_lists(self.candidates, np.where(wanted, value, -np.inf), length)
        applies = lists[:, 0] >= 0
        return self.position[applies], lists[applies]


def private_options(model: EduModel, stage: int, entrants: np.ndarray) -> PrivateOptions:
    """The private options of the entrants with the option, or without the documents for
    a public place, who can afford the cheapest fee of the stage."""
    families, table, params = model.families, model.school_table, model.params
    private = table.private & (table.stage == stage)
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
    candidates = members_table(np.where(private, table.district, -1), n_districts)[
        families.district[considering]
    ]
    income = families.income_cny[considering]
    taste = families.quality_taste[considering]
    cells = families.cell[considering]
    home = model.catchments.catchment_of(cells, stage)
    value = school_values(
        candidates,
        table.reputation,
        km_to_schools(model, cells, candidates),
        income,
        taste,
        families.sibling_school[considering],
        params.families,
        params.enrollment.distance_cost_income_share_per_km,
        fee_cny=table.fee_cny_per_year * GRADES_PER_STAGE[stage],
    )
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
    affordable = (
        table.fee_cny_per_year[np.maximum(candidates, 0)]
        <= (params.private.fee_income_share_max * income)[:, None]
    )
    return PrivateOptions(position, candidates, value, taste * income, public_value, affordable)


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
    options = private_options(model, stage, cohort)
    length = model.params.enrollment.choice_list_length
    for _ in range(rounds):
        _, lists = options.lists(amenity, length)
        demand = np.bincount(lists[:, 0], minlength=len(table))[schools]
        step = AMENITY_STEP * np.log((target[schools] + 0.5) / (demand + 0.5))
        amenity[schools] = np.clip(amenity[schools] + step, 0.0, AMENITY_BOUND)
    return amenity
