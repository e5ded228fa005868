"""Which school offers which specialty, by hand (phases/specialties.py): a public school's
own specialty from its own two draws, none at a private school, a group's one specialty
lent to members without their own, and nothing at all when specialties are off.

Written after the phases' fresh mutation sample of seed 27 (docs/testing.md)."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.phases.specialties import offered_specialties, specialties_on

SEED = 3


def _draws(model: EduModel) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(len(model.school_table))
    return (
        model.streams.uniform("schools.specialty", None, rows),
        model.streams.uniform("schools.specialty_kind", None, rows),
    )


def test_a_public_school_offers_its_own_kind_when_its_draw_is_under_the_share(small_city):
    """`school_share` 0.5, 3 kinds: school r offers floor(3 x its `schools.specialty_kind`
    draw) when its `schools.specialty` draw is under 0.5, else none (-1); a school made
    private offers none whatever its draws."""
    overrides = {"specialties.school_share": 0.5, "specialties.kinds": 3}
    model = EduModel(small_city, seed=SEED, years=1, overrides=overrides)
    has, kind = _draws(model)
    expected = np.where(has < 0.5, np.floor(3 * kind), -1)
    np.testing.assert_array_equal(offered_specialties(model), expected)
    assert set(expected.tolist()) == {-1, 0, 1, 2}  # none and every kind occur
    # a school that would offer one, made private, offers none
    would = int(np.flatnonzero(has < 0.5)[0])
    model.school_table.private[would] = True
    expected[would] = -1
    np.testing.assert_array_equal(offered_specialties(model), expected)


def test_with_no_share_and_no_sharing_kind_specialties_are_off(small_city):
    """`school_share` 0 and no kind with `shared_specialty`: off (None); either one on
    turns them on."""
    model = EduModel(small_city, seed=SEED, years=1, overrides={"specialties.school_share": 0})
    assert not specialties_on(model) and offered_specialties(model) is None
    shared = EduModel(
        small_city,
        seed=SEED,
        years=1,
        overrides={
            "specialties.school_share": 0,
            "groups.kinds.alliance.shared_specialty": True,
        },
    )
    assert specialties_on(shared)
    tiny = EduModel(small_city, seed=SEED, years=1, overrides={"specialties.school_share": 0.01})
    assert specialties_on(tiny)


def test_without_own_specialties_a_sharing_groups_campuses_all_offer_the_cores_latent_kind(
    small_scenario,
):
    """`school_share` 0 (no school has a specialty as built), 3 kinds, named alliance G
    (core Core-P04, members Core-P01 and Isles-P03) whose kind shares one specialty: the
    core develops its latent kind floor(3 x its kind draw) = 2 and both members offer
    it, not their own latent kind (1 for both); every other school offers none."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "alliance", "core": "Core-P04",
             "members": ["Core-P01", "Isles-P03"], "formed": "2018-09-01"}
        ]
    }  # fmt: skip
    overrides = {
        "specialties.school_share": 0,
        "specialties.kinds": 3,
        "groups.kinds.alliance.shared_specialty": True,
    }
    model = EduModel(small_scenario, seed=SEED, years=2, overrides=overrides)
    model.step()
    _, kind = _draws(model)
    assert np.floor(3 * kind[[3, 0, 8]]).tolist() == [2, 1, 1]
    expected = np.full(len(model.school_table), -1)
    expected[[3, 0, 8]] = 2
    np.testing.assert_array_equal(offered_specialties(model), expected)
