"""Unit tests of school scores, group scores and results-based funds."""

from __future__ import annotations

import numpy as np

from edusim.policy.evaluation import (
    group_scores,
    results_grants,
    school_scores,
    standardised,
    with_stage_mean,
)


def test_components_are_standardised_within_stage_over_included_schools():
    values = np.array([1.0, 3.0, 10.0, 30.0, 99.0])
    stage = np.array([0, 0, 1, 1, 1])
    included = np.array([True, True, True, True, False])
    z = standardised(values, stage, included)
    assert z.tolist() == [-1.0, 1.0, -1.0, 1.0, 0.0]


def test_weights_decide_what_the_score_rewards():
    progress = np.array([0.0, 1.0])
    narrowing = np.array([1.0, 0.0])
    growth = np.zeros(2)
    stage, included = np.zeros(2, int), np.ones(2, bool)
    progress_only = school_scores(progress, narrowing, growth, stage, included, (1, 0, 0))
    gap_only = school_scores(progress, narrowing, growth, stage, included, (0, 1, 0))
    assert progress_only[1] > progress_only[0]
    assert gap_only[0] > gap_only[1]


def test_groups_above_the_median_earn_the_fund_shared_by_their_members():
    score = np.array([0.0, 2.0, 1.0, -1.0, -2.0, 0.5])
    member_school = np.array([1, 2, 4, 5])
    member_group = np.array([0, 0, 1, 2])
    per_group = group_scores(score, member_school, member_group, 3)
    assert per_group.tolist() == [1.5, -2.0, 0.5]
    grants = results_grants(per_group, member_school, member_group, 6, 100_000.0)
    assert grants.tolist() == [0.0, 50_000.0, 50_000.0, 0.0, 0.0, 0.0]
    assert results_grants(per_group, member_school, member_group, 6, 0.0).sum() == 0.0


def test_satisfaction_counts_only_when_weighted_and_a_school_without_entrants_is_average():
    """Four primary schools, no other component varying; satisfaction 80, 60, NaN (no
    entrant), 70 and a private school excluded. The NaN becomes the stage mean 70, so the
    z-scores are (80, 60, 70, 70) standardised: sqrt(2) x (1, -1, 0, 0); weight 2 doubles
    them; weight 0 leaves the score as without satisfaction."""
    zeros = np.zeros(5)
    stage = np.zeros(5, int)
    included = np.array([True, True, True, True, False])
    satisfaction = np.array([80.0, 60.0, np.nan, 70.0, 99.0])
    assert with_stage_mean(satisfaction, stage, included).tolist() == [80, 60, 70, 70, 99]
    weights = (1.0, 1.0, 1.0)
    plain = school_scores(zeros, zeros, zeros, stage, included, weights)
    unweighted = school_scores(zeros, zeros, zeros, stage, included, weights, satisfaction, 0.0)
    assert unweighted.tolist() == plain.tolist() == [0.0] * 5
    scored = school_scores(zeros, zeros, zeros, stage, included, weights, satisfaction, 2.0)
    assert np.allclose(scored, 2 * np.sqrt(2) * np.array([1.0, -1.0, 0.0, 0.0, 0.0]))
