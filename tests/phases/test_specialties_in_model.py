"""School specialties in the model: with them on, entrants end up more often at schools
offering the kind their family cares for (they buy or rent into those catchments and
rank those schools higher), beyond the schools' reputation; off (the default), the
housing market and placement are those of a model without them."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.policy.specialties import family_specialty

ON = {
    "specialties.school_share": 0.5,
    "specialties.kinds": 2,
    "specialties.family_interest_share": 1.0,
    "specialties.match_value_sd": 1.0,
}


def _matched_share(model: EduModel, offered: np.ndarray) -> float:
    """Share of this year's entrants (grades 1 and 7) at a school offering their kind."""
    families = model.families
    entrants = np.flatnonzero(
        ((families.grade == 1) | (families.grade == 7)) & (families.school >= 0)
    )
    streams = model.streams
    uid = families.uid[entrants]
    liked = family_specialty(
        streams.uniform("families.specialty", None, uid),
        streams.uniform("families.specialty_kind", None, uid),
        1.0,
        2,
    )
    return float(np.mean(offered[families.school[entrants]] == liked))


def test_families_seek_schools_offering_the_specialty_they_care_for(small_scenario):
    from edusim.phases.specialties import offered_specialties

    on = EduModel(small_scenario, seed=3, years=1, overrides=ON)
    on.step()
    offered = offered_specialties(on)
    assert (offered >= 0).any() and (offered < 0).any()
    off = EduModel(small_scenario, seed=3, years=1)
    off.step()
    # the same families and schools; only the specialties' value differs
    assert _matched_share(on, offered) > _matched_share(off, offered) + 0.02
