"""School specialties in the model: which school offers which kind this year and which kind
each family cares for (policy/specialties.py), read by placement (families' rankings of
schools) and the housing market (what an address is worth). None when specialties are off
(`specialties.school_share` 0 and no kind with `shared_specialty`): callers then leave
every value as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.phases.sharing import kind_column
from edusim.policy.specialties import family_specialty, group_specialty, own_specialty

if TYPE_CHECKING:
    from edusim.model import EduModel


def specialties_on(model: EduModel) -> bool:
    """Whether any school can offer a specialty in the parameters in force."""
    params = model.params
    return params.specialties.school_share > 0 or any(
        kind.shared_specialty for kind in params.groups.kinds.values()
    )


def offered_specialties(model: EduModel) -> np.ndarray | None:
    """Kind each school offers (-1 none) given its own and its groups', or None when off.
    Per-school draws (purposes `schools.specialty`, `schools.specialty_kind`, keyed by
    school row, no year): a school's specialty is the same in every year and run arm."""
    if not specialties_on(model):
        return None
    table, params = model.school_table, model.params.specialties
    rows = np.arange(len(table), dtype=np.int64)
    own, latent = own_specialty(
        model.streams.uniform("schools.specialty", None, rows),
        model.streams.uniform("schools.specialty_kind", None, rows),
        np.asarray(table.private, dtype=bool),
        params.school_share,
        params.kinds,
    )
    groups = model.groups
    members = groups.role == MEMBER
    shared = kind_column(model.params.groups.kinds, groups.kind_of_rows(), "shared_specialty")
    return group_specialty(
        own,
        latent,
        groups.school[members],
        groups.core_of_rows()[members],
        shared[members] > 0,
    )


def liked_specialties(model: EduModel, families: np.ndarray) -> np.ndarray:
    """Kind each of the given families (rows of the population) cares for (-1 none), from
    its own draws (purposes `families.specialty`, `families.specialty_kind`, no year)."""
    params = model.params.specialties
    uid = model.families.uid[families]
    return family_specialty(
        model.streams.uniform("families.specialty", None, uid),
        model.streams.uniform("families.specialty_kind", None, uid),
        params.family_interest_share,
        params.kinds,
    )
