"""School leaders: principals and deputies (vice-principals, middle managers), an
array-backed population with a school, a quality, an age and a tenure."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from edusim.agents.population import Population

ROLES: tuple[str, ...] = ("principal", "deputy")
"""Leader roles, by code (`role`)."""

PRINCIPAL, DEPUTY = 0, 1

LEADER_POSTINGS: tuple[str, ...] = ("home", "group", "executive")
"""What a leader's current place is, by code (`posting_kind`): at the home school, a
deputy posted by a group's core to a member, or an executive principal appointed to a
member by the group."""

HOME, GROUP_POSTING, EXECUTIVE = 0, 1, 2


class Leaders(Population):
    """One row per leader in post. A principal leads exactly the school it serves
    (`school == home_school`); a posted deputy serves at `school` and holds its post at
    `home_school`, one of the school's own `deputies_per_school` posts or, with
    `extra_post`, one added for postings to members (`leaders.extra_leader_posts`)."""

    fields: ClassVar[dict[str, type]] = {
        "school": np.int32,  # index of the school the leader serves
        "home_school": np.int32,  # school that holds the leader's post
        "role": np.int8,  # index into ROLES
        "quality": np.float64,  # effect as principal, pupil SD per year (0 = average)
        "age": np.float64,  # years
        "female": np.bool_,
        "years_at_school": np.float64,  # consecutive years at the current school
        "posting_end": np.int32,  # last school year of a deputy's posting, -1 otherwise
        "posting_kind": np.int8,  # index into LEADER_POSTINGS
        "judged": np.float64,  # mean evaluation score at the current school (principals)
        "judged_years": np.float64,  # years that mean covers
        "extra_post": np.bool_,  # holds an extra leader post for group postings (S37)
    }
