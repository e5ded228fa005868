"""Teacher growth: learning from strong colleagues and promotion to tiers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.teacher_growth import (
    group_learning_within_gap,
    learned_gain,
    promoted_tiers,
    tier_thresholds,
)
from edusim.randomness import Streams
from edusim.scenario.schema import TeacherParams

PARAMS = TeacherParams(
    peer_learning_rate=0.1,
    strong_colleague_quantile=0.9,
    share_famous_special=0.01,
    share_municipal_backbone=0.04,
    share_backbone=0.15,
    tier_min_experience_years=5,
)


def test_learned_gain_closes_part_of_the_gap_to_strong_colleagues():
    effectiveness = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.0])
    school = np.array([0, 0, 0, 0, 0, 1])
    # school 0: the 0.9 quantile (lower) is the 4th of 5 sorted values, 0.4
    gain = learned_gain(effectiveness, school, 2, PARAMS)
    np.testing.assert_allclose(gain, [0.03, 0.02, 0.01, 0.0, 0.0, 0.0])


def test_tier_thresholds_are_cumulative_upper_tail_shares():
    np.testing.assert_allclose(tier_thresholds(PARAMS), [0.20, 0.05, 0.01])


def test_promotion_reaches_the_declared_shares():
    n = 50_000
    effectiveness = Streams(1).normal("e", None, np.arange(n))
    tier = promoted_tiers(effectiveness, np.full(n, 10.0), np.zeros(n, np.int8), PARAMS)
    assert (tier >= 1).mean() == pytest.approx(0.20, abs=0.005)
    assert (tier >= 2).mean() == pytest.approx(0.05, abs=0.003)
    assert (tier == 3).mean() == pytest.approx(0.01, abs=0.002)
    # tiers follow effectiveness
    assert effectiveness[tier == 3].min() > effectiveness[tier == 2].max()


def test_novices_are_not_promoted_but_keep_titles():
    effectiveness = np.array([5.0, 5.0, -5.0, 0.0])
    experience = np.array([1.0, 10.0, 10.0, 10.0])
    tier = np.array([0, 0, 3, 0], dtype=np.int8)
    promoted = promoted_tiers(effectiveness, experience, tier, PARAMS)
    assert promoted[0] == 0  # too new
    assert promoted[1] == 3  # the best eligible teacher
    assert promoted[2] == 3  # titles are never taken away
    assert promoted_tiers(effectiveness, np.zeros(4), tier, PARAMS).tolist() == tier.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1, 1), st.floats(0, 30), st.integers(0, 3)), min_size=1, max_size=50
    )
)
def test_tiers_never_fall(rows):
    effectiveness = np.array([e for e, _, _ in rows])
    experience = np.array([x for _, x, _ in rows])
    tier = np.array([t for _, _, t in rows], dtype=np.int8)
    promoted = promoted_tiers(effectiveness, experience, tier, PARAMS)
    assert (promoted >= tier).all()
    assert (promoted <= 3).all()
    novice = experience < PARAMS.tier_min_experience_years
    np.testing.assert_array_equal(promoted[novice], tier[novice])


def test_priority_moves_a_teacher_up_the_review_and_another_down():
    params = TeacherParams()
    effectiveness = np.linspace(0.0, 1.0, 100)
    experience = np.full(100, 20.0)
    start = np.zeros(100, np.int8)
    plain = promoted_tiers(effectiveness, experience, start, params)
    priority = np.zeros(100)
    priority[50] = 0.5  # a middling teacher with two-school experience
    credited = promoted_tiers(effectiveness, experience, start, params, priority)
    assert credited[50] > plain[50]
    assert (credited >= 1).sum() == (plain >= 1).sum()  # the shares per tier stay fixed


def test_what_the_group_adds_to_a_members_learning_stops_at_its_gap():
    # school 0 a member with 0.001 of gap left, school 1 a member with plenty, school 2 a
    # member at its core's level, school 3 no member
    school = np.array([0, 0, 1, 1, 2, 3])
    own = np.array([0.001, 0.000, 0.002, 0.001, 0.001, 0.001])
    with_group = np.array([0.004, 0.002, 0.005, 0.001, 0.003, 0.004])
    gap = np.array([0.001, 0.05, 0.0, 0.0])
    member = np.array([True, True, True, False])
    learning = group_learning_within_gap(own, with_group, school, gap, member)
    # school 0 adds 0.003 and 0.002 (mean 0.0025 > 0.001): both scaled by 0.4
    np.testing.assert_allclose(learning[:2], [0.001 + 0.0012, 0.0008])
    np.testing.assert_allclose(learning[2:4], with_group[2:4])  # within its gap
    np.testing.assert_allclose(learning[4], own[4])  # no gap left: its own colleagues only
    np.testing.assert_allclose(learning[5], with_group[5])  # not a member: unchanged


def test_a_school_without_teachers_leaves_the_others_as_they_were_and_warns_nothing():
    """School 1 has no teacher: its mean addition is 0 (no 0 / 0), so no warning, and the
    teachers of schools 0 and 2 learn what they learn without it (a mutation survivor of
    seed 40 divided by the empty school's count of 0)."""
    import warnings

    school = np.array([0, 0, 2])
    own = np.array([0.001, 0.000, 0.001])
    with_group = np.array([0.004, 0.002, 0.003])
    gap = np.array([0.001, 0.0, 0.05])
    member = np.array([True, True, True])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        learning = group_learning_within_gap(own, with_group, school, gap, member)
    np.testing.assert_allclose(learning, [0.001 + 0.0012, 0.0008, 0.003])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.floats(0, 0.01), st.floats(-0.005, 0.01)),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.floats(0, 0.01), min_size=4, max_size=4),
)
def test_a_members_teachers_never_gain_more_than_its_gap_from_the_group(rows, gap):
    school = np.array([r[0] for r in rows])
    own = np.array([r[1] for r in rows])
    with_group = own + np.array([r[2] for r in rows])
    gap = np.array(gap)
    member = np.array([True, True, True, False])
    learning = group_learning_within_gap(own, with_group, school, gap, member)
    over_own = np.bincount(school, weights=learning - np.minimum(own, with_group), minlength=4)
    count = np.bincount(school, minlength=4)
    at_member = member & (count > 0)
    assert (over_own[at_member] <= gap[at_member] * count[at_member] + 1e-12).all()
    assert (learning <= np.maximum(own, with_group) + 1e-15).all()
    outside = ~member[school]
    np.testing.assert_array_equal(learning[outside], with_group[outside])
