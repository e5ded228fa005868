"""Unit tests of school scores, group scores and results-based funds."""

from __future__ import annotations

import numpy as np

from edusim.policy.evaluation import group_scores, results_grants, school_scores, standardised


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
