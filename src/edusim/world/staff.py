"""Teachers at the start and new hires later: effectiveness, age, experience, tier."""

from __future__ import annotations

import numpy as np

from edusim.processes.teacher_growth import promoted_tiers
from edusim.randomness import Streams
from edusim.scenario.schema import TeacherParams

RURAL = 2


def retirement_age(female: np.ndarray, params: TeacherParams) -> np.ndarray:
    """Statutory retirement age of each teacher (years)."""
    return np.where(female, params.retirement_age_female, params.retirement_age_male).astype(float)


def staff_needed(
    enrollment: np.ndarray, pupil_teacher_ratio: np.ndarray, open_: np.ndarray | None = None
) -> np.ndarray:
    """Teachers each school needs under the staffing standard (at least one; none at a
    school not open, where `open_` is given)."""
    needed = np.maximum(1, np.rint(enrollment / pupil_teacher_ratio)).astype(np.int64)
    return needed if open_ is None else np.where(open_, needed, 0)


def _rural_of(school_rural: np.ndarray | None, school: np.ndarray) -> np.ndarray:
    return np.zeros(school.size, bool) if school_rural is None else school_rural[school]


def specialists(
    uids: np.ndarray, rural: np.ndarray, params: TeacherParams, streams: Streams
) -> np.ndarray:
    """Which teachers are trained in a scarce subject: `scarce_subject_share` of them, times
    `scarce_specialists_rural` at rural schools (`rural` per teacher), by each teacher's own
    draw, so a small school may have none by chance (Chongming 一1)."""
    share = params.scarce_subject_share * np.where(rural, params.scarce_specialists_rural, 1.0)
    return streams.uniform("teachers.specialist", None, uids) < share


def initial_teachers(
    school_of_teacher: np.ndarray,
    school_prestige: np.ndarray,
    school_kind: np.ndarray,
    params: TeacherParams,
    qualified_share: float,
    streams: Streams,
    school_rural: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Columns of the year-0 teaching force (teacher ids are 0..n-1).

    Prestigious schools hold stronger teachers; rural teachers are older (digest, Chongming);
    rural schools (`school_rural`, the schools' own status) hold fewer specialists.
    """
    uids = np.arange(school_of_teacher.size)
    female = streams.uniform("teachers.female", None, uids) < params.female_share
    retire = retirement_age(female, params)
    rural = school_kind[school_of_teacher] == RURAL
    span = retire - params.hire_age_mean
    age = params.hire_age_mean + span * streams.uniform("teachers.age", None, uids)
    age = np.minimum(age + params.rural_age_shift_years * rural, retire - 0.5)
    experience = np.maximum(0.0, age - params.hire_age_mean)
    innate = params.prestige_effect_slope * school_prestige[
        school_of_teacher
    ] + params.effect_sd * streams.normal("teachers.innate", None, uids)
    years_at_school = experience * streams.uniform("teachers.tenure", None, uids)
    learned = np.zeros(uids.size)
    experience_return = params.experience_gain * (
        1 - np.exp(-experience / params.experience_scale_years)
    )
    tier = promoted_tiers(
        innate + experience_return, experience, np.zeros(uids.size, np.int8), params
    )
    return {
        "school": school_of_teacher.astype(np.int32),
        "innate": innate,
        "learned": learned,
        "experience": experience,
        "age": age,
        "female": female,
        "tier": tier,
        "years_at_school": years_at_school,
        "home_school": school_of_teacher.astype(np.int32),
        "posting_end": np.full(uids.size, -1, dtype=np.int32),
        "employer": np.zeros(uids.size, dtype=np.int8),
        "posting_kind": np.zeros(uids.size, dtype=np.int8),
        "rotated_years": np.zeros(uids.size),
        "pool_end": np.full(uids.size, -1, dtype=np.int32),
        "title": np.zeros(uids.size, dtype=np.int8),  # set to the quotas by the staffing phase
        "second_school": np.full(uids.size, -1, dtype=np.int32),
        "second_share": np.zeros(uids.size),
        "specialist": specialists(
            uids, _rural_of(school_rural, school_of_teacher), params, streams
        ),
        "rehire_end": np.full(uids.size, -1, dtype=np.int32),
        "qualified": streams.uniform("teachers.qualified", None, uids)
        < np.clip(qualified_share + 0.1 * school_prestige[school_of_teacher], 0.05, 0.98),
    }


def hired_teachers(
    uids: np.ndarray,
    school_of_hire: np.ndarray,
    school_reputation: np.ndarray,
    params: TeacherParams,
    qualified_share: float,
    streams: Streams,
    school_rural: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Columns of new graduates hired this year; reputable schools attract stronger ones,
    rural schools (`school_rural`) fewer specialists."""
    female = streams.uniform("teachers.female", None, uids) < params.female_share
    innate = params.hire_reputation_slope * school_reputation[
        school_of_hire
    ] + params.effect_sd * streams.normal("teachers.innate", None, uids)
    age = params.hire_age_mean + 1.5 * streams.normal("teachers.age", None, uids)
    zeros = np.zeros(uids.size)
    return {
        "school": school_of_hire.astype(np.int32),
        "innate": innate,
        "learned": zeros,
        "experience": zeros,
        "age": np.clip(age, 20.0, 35.0),
        "female": female,
        "tier": np.zeros(uids.size, dtype=np.int8),
        "years_at_school": zeros,
        "home_school": school_of_hire.astype(np.int32),
        "posting_end": np.full(uids.size, -1, dtype=np.int32),
        "employer": np.zeros(uids.size, dtype=np.int8),
        "posting_kind": np.zeros(uids.size, dtype=np.int8),
        "rotated_years": np.zeros(uids.size),
        "pool_end": np.full(uids.size, -1, dtype=np.int32),
        "title": np.zeros(uids.size, dtype=np.int8),
        "second_school": np.full(uids.size, -1, dtype=np.int32),
        "second_share": np.zeros(uids.size),
        "specialist": specialists(uids, _rural_of(school_rural, school_of_hire), params, streams),
        "rehire_end": np.full(uids.size, -1, dtype=np.int32),
        "qualified": streams.uniform("teachers.qualified", None, uids) < qualified_share,
    }
