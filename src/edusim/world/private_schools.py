"""Private schools in the year-0 city: their segment and fees, and the pupils they hold at
the start; which families lack the documents for a public place."""

from __future__ import annotations

import numpy as np

from edusim.grouped import stable_argsort
from edusim.policy.enrollment import place_entrants
from edusim.randomness import Streams
from edusim.scenario.private import PrivateParams
from edusim.world.geography import Geography


def low_fee_sites(
    prestige: np.ndarray,
    private: np.ndarray,
    district: np.ndarray,
    stage: np.ndarray,
    params: PrivateParams,
) -> np.ndarray:
    """Which private sites are low-fee schools: in each district and stage, the
    `low_fee_site_share` of its private sites (rounded half down, so a lone private
    site is an elite school) with the least prestige."""
    low_fee = np.zeros(private.size, dtype=bool)
    for d in np.unique(district[private]):
        for s in (0, 1):
            members = np.flatnonzero(private & (district == d) & (stage == s))
            count = int(np.ceil(params.low_fee_site_share * members.size - 0.5))
            low_fee[members[np.argsort(prestige[members], kind="stable")[:count]]] = True
    return low_fee


def private_fees(
    prestige: np.ndarray, private: np.ndarray, low_fee: np.ndarray, params: PrivateParams
) -> np.ndarray:
    """Yearly tuition per school: the low-fee schools' fee, elite schools' rising with
    their prestige, 0 in public ones."""
    elite = params.fee_cny_per_year * np.exp(params.fee_prestige_slope * prestige)
    return np.where(private, np.where(low_fee, params.low_fee_cny_per_year, elite), 0.0)


def lacks_public_access(
    uids: np.ndarray, local_hukou: np.ndarray, params: PrivateParams, streams: Streams
) -> np.ndarray:
    """Whether each family is a migrant family without the documents for a public place
    (fixed per family)."""
    draw = streams.uniform("families.public_access", None, uids)
    return ~local_hukou & (draw < params.migrant_no_public_share)


def has_private_option(uids: np.ndarray, params: PrivateParams, streams: Streams) -> np.ndarray:
    """Whether each family would consider a private school at all (fixed per family)."""
    return streams.uniform("families.private_option", None, uids) < params.option_share


def initial_private_pupils(
    pupil_uid: np.ndarray,
    pupil_district: np.ndarray,
    pupil_grade: np.ndarray,
    pupil_willingness: np.ndarray,
    pupil_cell: np.ndarray,
    pupil_no_access: np.ndarray,
    geo: Geography,
    school_cell: np.ndarray,
    school_district: np.ndarray,
    school_stage: np.ndarray,
    private: np.ndarray,
    low_fee: np.ndarray,
    first_grade: tuple[int, int],
    grades: tuple[int, int],
    params: PrivateParams,
    streams: Streams,
) -> np.ndarray:
    """The private school of every pupil of the year-0 city (-1: stays public).

    In each district with private schools of a stage, `pupil_share` of every grade attends
    them: first the families without public access (`pupil_no_access`), at the district's
    low-fee schools, then, up to the share, the families with the option and the highest
    willingness to pay, at its elite schools (at the low-fee ones if it has none). Each
    pupil goes to the nearest school of its segment with places; places are split evenly
    between the segment's schools.
    """
    shares = (params.pupil_share_primary, params.pupil_share_junior)
    option = has_private_option(pupil_uid, params, streams)
    result = np.full(pupil_uid.size, -1, dtype=np.int64)

    def place(chosen: np.ndarray, schools: np.ndarray) -> None:
        travel = geo.travel_km(
            pupil_cell[chosen][:, None],
            geo.cell_x[school_cell[schools]],
            geo.cell_y[school_cell[schools]],
            geo.cell_island[school_cell[schools]],
        )
        lists = schools[np.argsort(travel, axis=1, kind="stable")]
        free = np.zeros(school_stage.size, dtype=np.int64)
        free[schools] = -(-chosen.size // schools.size)
        result[chosen] = place_entrants(lists, pupil_willingness[chosen], free)

    for district in np.unique(school_district):
        in_district = None  # the district's pupils (row order), found once for its grades
        for stage in (0, 1):
            here = private & (school_district == district) & (school_stage == stage)
            if not here.any():
                continue
            cheap, elite = np.flatnonzero(here & low_fee), np.flatnonzero(here & ~low_fee)
            if in_district is None:
                in_district = np.flatnonzero(pupil_district == district)
                grade_of = pupil_grade[in_district]
            for grade in range(first_grade[stage], first_grade[stage] + grades[stage]):
                cohort = in_district[grade_of == grade]  # ascending rows, as flatnonzero
                wanted = round(shares[stage] * cohort.size)
                placed = 0
                if cheap.size:
                    needing = cohort[pupil_no_access[cohort]][:wanted]
                    if needing.size:
                        place(needing, cheap)
                        placed = needing.size
                pupils = cohort[option[cohort] & (result[cohort] < 0)]
                rest = min(wanted - placed, pupils.size)
                if rest <= 0:
                    continue
                chosen = pupils[stable_argsort(-pupil_willingness[pupils])[:rest]]
                place(chosen, elite if elite.size else cheap)
    return result
