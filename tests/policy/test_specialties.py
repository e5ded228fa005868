"""School specialties by hand: what schools have as built, what groups give members, what
families care for, and the bonus a matching school carries."""

from __future__ import annotations

import numpy as np

from edusim.policy.specialties import (
    NONE,
    family_specialty,
    group_specialty,
    match_bonus,
    own_specialty,
)


def test_own_specialty_public_schools_under_the_share_with_their_latent_kind():
    u_has = np.array([0.1, 0.5, 0.2, 0.05])
    u_kind = np.array([0.0, 0.3, 0.99, 0.6])
    private = np.array([False, False, False, True])
    own, latent = own_specialty(u_has, u_kind, private, 0.3, 4)
    np.testing.assert_array_equal(latent, [0, 1, 3, 2])
    np.testing.assert_array_equal(own, [0, NONE, 3, NONE])


def test_one_specialty_per_group_core_develops_one_members_without_their_own_take_it():
    own = np.array([NONE, NONE, 2, NONE, 1, NONE])
    latent = np.array([3, 0, 2, 1, 1, 0])
    # group A: core 0 (no own, latent 3) with members 1 and 2 (2 keeps its own);
    # group B: core 4 (own 1) with member 5, not a one-specialty kind
    member = np.array([1, 2, 5])
    core = np.array([0, 0, 4])
    shared = np.array([True, True, False])
    offered = group_specialty(own, latent, member, core, shared)
    np.testing.assert_array_equal(offered, [3, 3, 2, NONE, 1, NONE])


def test_a_member_of_two_one_specialty_groups_takes_its_first_group_s():
    own = np.array([0, 1, NONE])
    offered = group_specialty(own, own, np.array([2, 2]), np.array([0, 1]), np.array([True, True]))
    np.testing.assert_array_equal(offered, [0, 1, 0])


def test_families_care_for_one_kind_under_the_share():
    liked = family_specialty(np.array([0.2, 0.7, 0.4]), np.array([0.5, 0.5, 0.99]), 0.5, 4)
    np.testing.assert_array_equal(liked, [2, NONE, 3])


def test_match_bonus_per_family_and_candidate():
    offered = np.array([1, NONE, 2])
    liked = np.array([1, NONE, 2])
    candidates = np.array([[0, 1, 2], [0, 2, -1], [2, -1, -1]])
    np.testing.assert_allclose(
        match_bonus(liked, offered, candidates, 0.2),
        [[0.2, 0.0, 0.0], [0.0, 0.0, 0.0], [0.2, 0.0, 0.0]],
    )
    np.testing.assert_allclose(match_bonus(liked, offered, np.array([0, 0, 2]), 0.2), [0.2, 0, 0.2])
