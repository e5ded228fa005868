"""The enrollment phase's newcomers: each year's grade-1 families settle like the year-0
population, and entrants learn whether an older sibling is in a school of their stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.policy.enrollment import UNPLACED
from edusim.processes.learning import entry_achievement
from edusim.world.households import (
    arriving_families,
    family_taste,
    household_status,
    older_sibling_school,
    settling,
)
from edusim.world.schools import FIRST_GRADE, GRADES_PER_STAGE
from edusim.world.synthesis import cell_premium_share, pupils_per_grade

if TYPE_CHECKING:
    from edusim.model import EduModel


def arrive(model: EduModel, year: int) -> None:
    """New grade-1 families, settled like the year-0 population."""
    scenario, families = model.params, model.families
    growth = (1.0 + scenario.families.cohort_growth) ** (year - scenario.start_year + 1)
    # each cell's price and each district's cells, once for all districts
    settled = settling(
        model.geography, cell_premium_share(model.catchments, model.school_table.premium_share)
    )
    reference = model.income_reference
    log_price = (reference.log_price_mean, reference.log_price_sd)
    counts = [
        round(pupils_per_grade(district.pupils.primary, 6)[0] * growth)
        for district in model.resolved_scenario.city.districts
    ]
    first_uid = families.next_uid
    settled = [
        arriving_families(
            scenario,
            model.geography,
            first_uid + sum(counts[:d]) + np.arange(count),
            d,
            settled,
            log_price,
            model.streams,
        )
        for d, count in enumerate(counts)
    ]
    uids = np.arange(first_uid, first_uid + sum(counts))
    income = np.concatenate([piece["income_cny"] for piece in settled])
    ses_z = (np.log(income) - reference.log_income_mean) / reference.log_income_sd
    families.add(
        uids.size,
        cell=np.concatenate([piece["cell"] for piece in settled]),
        district=np.repeat(np.arange(len(counts)), counts),
        income_cny=income,
        ses_z=ses_z,
        quality_taste=family_taste(ses_z, uids, scenario, model.streams),
        grade=1,
        school=UNPLACED,
        achievement=entry_achievement(
            ses_z, model.streams.normal("learning.entry", None, uids), scenario.learning
        ),
        school_gain=0.0,
        moved_for_school=False,
        sibling_school=-1,
        residence_years=6.0 * model.streams.uniform("families.residence", None, uids),
        **household_status(uids, scenario, model.streams),
    )


def mark_siblings(model: EduModel, year: int, stage: int, entrants: np.ndarray) -> None:
    """Which entrants have an older sibling in the stage, and at which school."""
    families = model.families
    in_stage = (
        (families.grade > FIRST_GRADE[stage])
        & (families.grade < FIRST_GRADE[stage] + GRADES_PER_STAGE[stage])
        & (families.school >= 0)
    )
    uids = families.uid[entrants]
    families.sibling_school[entrants] = older_sibling_school(
        families.cell[entrants],
        model.streams.uniform("families.sibling", year, uids) < model.params.families.sibling_share,
        families.cell[in_stage],
        families.school[in_stage],
        model.geography.n_cells,
    )
