"""Private schools in the year-0 city: their fees and the pupils they hold at the start."""

from __future__ import annotations

import numpy as np

from edusim.policy.enrollment import place_entrants
from edusim.randomness import Streams
from edusim.scenario.private import PrivateParams
from edusim.world.geography import Geography


def private_fees(prestige: np.ndarray, private: np.ndarray, params: PrivateParams) -> np.ndarray:
    """Yearly tuition per school: higher for better-known private schools, 0 in public ones."""
    return np.where(
        private, params.fee_cny_per_year * np.exp(params.fee_prestige_slope * prestige), 0.0
    )


def has_private_option(uids: np.ndarray, params: PrivateParams, streams: Streams) -> np.ndarray:
    """Whether each family would consider a private school at all (fixed per family)."""
    return streams.uniform("families.private_option", None, uids) < params.option_share


def initial_private_pupils(
    pupil_uid: np.ndarray,
    pupil_district: np.ndarray,
    pupil_grade: np.ndarray,
    pupil_willingness: np.ndarray,
    pupil_cell: np.ndarray,
    geo: Geography,
    school_cell: np.ndarray,
    school_district: np.ndarray,
    school_stage: np.ndarray,
    private: np.ndarray,
    first_grade: tuple[int, int],
    grades: tuple[int, int],
    params: PrivateParams,
    streams: Streams,
) -> np.ndarray:
    """The private school of every pupil of the year-0 city (-1: stays public).

    In each district with private schools of a stage, the `pupil_share` of every grade with
    the highest willingness to pay (among families with the option) attends them, each at
    its nearest private school with places; places are split evenly between the district's
    private schools.
    """
    shares = (params.pupil_share_primary, params.pupil_share_junior)
    option = has_private_option(pupil_uid, params, streams)
    result = np.full(pupil_uid.size, -1, dtype=np.int64)
    for district in np.unique(school_district):
        for stage in (0, 1):
            schools = np.flatnonzero(
                private & (school_district == district) & (school_stage == stage)
            )
            if schools.size == 0:
                continue
            for grade in range(first_grade[stage], first_grade[stage] + grades[stage]):
                pupils = np.flatnonzero(
                    (pupil_district == district) & (pupil_grade == grade) & option
                )
                cohort = int(
                    np.count_nonzero((pupil_district == district) & (pupil_grade == grade))
                )
                wanted = min(round(shares[stage] * cohort), pupils.size)
                if wanted == 0:
                    continue
                chosen = pupils[np.argsort(-pupil_willingness[pupils], kind="stable")[:wanted]]
                travel = geo.travel_km(
                    pupil_cell[chosen][:, None],
                    geo.cell_x[school_cell[schools]],
                    geo.cell_y[school_cell[schools]],
                    geo.cell_island[school_cell[schools]],
                )
                lists = schools[np.argsort(travel, axis=1, kind="stable")]
                free = np.zeros(school_stage.size, dtype=np.int64)
                free[schools] = -(-wanted // schools.size)
                result[chosen] = place_entrants(lists, pupil_willingness[chosen], free)
    return result
