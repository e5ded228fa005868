"""School leaders at the start and new appointments later: one principal per open school
and `leaders.deputies_per_school` deputies, their effect, age and tenure
(policy/leadership.py has the rules)."""

from __future__ import annotations

import numpy as np

from edusim.agents.leaders import DEPUTY, HOME, PRINCIPAL
from edusim.policy.leadership import appointed_quality, initial_principal_quality
from edusim.randomness import Streams
from edusim.scenario.schema import Scenario
from edusim.world.staff import retirement_age


def _columns(
    uids: np.ndarray,
    school: np.ndarray,
    role: np.ndarray,
    quality: np.ndarray,
    age: np.ndarray,
    female: np.ndarray,
    years_at_school: np.ndarray,
) -> dict[str, np.ndarray]:
    return {
        "school": school.astype(np.int32),
        "home_school": school.astype(np.int32),
        "role": role.astype(np.int8),
        "quality": quality,
        "age": age,
        "female": female,
        "years_at_school": years_at_school,
        "posting_end": np.full(uids.size, -1, dtype=np.int32),
        "posting_kind": np.full(uids.size, HOME, dtype=np.int8),
        "judged": np.zeros(uids.size),
        "judged_years": np.zeros(uids.size),
        "extra_post": np.zeros(uids.size, dtype=bool),
    }


def initial_leaders(
    scenario: Scenario,
    management: np.ndarray,
    prestige: np.ndarray,
    open_: np.ndarray,
    streams: Streams,
) -> dict[str, np.ndarray]:
    """Columns of the year-0 leaders (ids 0..n-1): each open school's principal, its
    effect split from the school's drawn management, then its deputies, drawn as
    appointments. Ages run from the appointment age to a year before retirement; years at
    the school are uniform over two terms (assumption)."""
    params = scenario.leaders
    schools = np.flatnonzero(open_)
    deputies = np.repeat(schools, params.deputies_per_school)
    school = np.concatenate([schools, deputies])
    role = np.r_[np.full(schools.size, PRINCIPAL), np.full(deputies.size, DEPUTY)]
    uids = np.arange(school.size)
    z = streams.normal("leaders.quality", None, uids)
    sd = scenario.schools.management_sd
    quality = np.where(
        role == PRINCIPAL,
        initial_principal_quality(management[school], params.principal_share, sd, z),
        appointed_quality(
            prestige[school],
            params.principal_share,
            scenario.schools.management_prestige_slope,
            sd,
            z,
        ),
    )
    female = streams.uniform("leaders.female", None, uids) < scenario.teachers.female_share
    retire = retirement_age(female, scenario.teachers)
    start = np.minimum(params.appointment_age, retire - 1.0)
    age = start + (retire - 1.0 - start) * streams.uniform("leaders.age", None, uids)
    tenure = 2 * params.term_years * streams.uniform("leaders.tenure", None, uids)
    return _columns(uids, school, role, quality, age, female, np.floor(tenure))


def appointed_leaders(
    scenario: Scenario,
    uids: np.ndarray,
    school: np.ndarray,
    role: np.ndarray,
    prestige: np.ndarray,
    streams: Streams,
) -> dict[str, np.ndarray]:
    """Columns of leaders newly appointed to `school` in `role` (policy/leadership)."""
    params = scenario.leaders
    z = streams.normal("leaders.quality", None, uids)
    quality = appointed_quality(
        prestige[school],
        params.principal_share,
        scenario.schools.management_prestige_slope,
        scenario.schools.management_sd,
        z,
    )
    female = streams.uniform("leaders.female", None, uids) < scenario.teachers.female_share
    retire = retirement_age(female, scenario.teachers)
    age = np.minimum(np.full(uids.size, params.appointment_age), retire - 1.0)
    return _columns(uids, school, role, quality, age, female, np.zeros(uids.size))
