"""Admission by achievement, per-school lottery ids, cut-offs and strategic lists."""

from __future__ import annotations

import numpy as np

from edusim.policy.admission import (
    achievement_priority,
    cutoffs,
    exam_scores,
    fed_applicants,
    percentile,
    school_lottery_ids,
    skip_out_of_reach,
)
from edusim.policy.enrollment import PRIORITY_LEVEL, applicant_priority
from edusim.policy.mechanisms import deferred_acceptance


def test_scores_percentiles_and_priority_by_achievement():
    scores = exam_scores(np.array([1.0, 0.0, 2.0]), np.array([0.5, 0.0, -2.0]), 0.5)
    assert scores.tolist() == [1.25, 0.0, 1.0]
    assert percentile(scores).tolist() == [2 / 3, 0.0, 1 / 3]
    assert percentile(np.array([1.0, 1.0, 0.0])).tolist() == [1 / 3, 1 / 3, 0.0]  # ties share
    resident = np.array([[True, False], [False, False]])
    priority = achievement_priority(resident, np.array([0.1, 0.9]))
    assert priority.tolist() == [[PRIORITY_LEVEL + 0.1, 0.1], [0.9, 0.9]]


def test_higher_scores_win_a_contested_school():
    lists = np.array([[0, 1], [0, 1], [0, 1]])
    rank = percentile(np.array([0.2, 1.5, -0.3]))
    resident = np.zeros(lists.shape, dtype=bool)
    placed = deferred_acceptance(lists, achievement_priority(resident, rank), np.array([1, 1]))
    assert placed.tolist() == [1, 0, -1]
    resident[2, 0] = True  # catchment priority lets the resident in first
    placed = deferred_acceptance(lists, achievement_priority(resident, rank), np.array([1, 1]))
    assert placed.tolist() == [-1, 1, 0]


def test_per_school_lottery_ids_are_distinct():
    ids = school_lottery_ids(np.array([0, 1, 2**30]), np.array([[0, 1, -1], [0, 5, 7], [3, 2, 1]]))
    valid = np.array([[0, 1, -1], [0, 5, 7], [3, 2, 1]]) >= 0
    assert np.unique(ids[valid]).size == valid.sum()


def test_cutoffs_are_the_lowest_admitted_priority_at_full_schools():
    lists = np.array([[0, 1], [0, 1], [1, -1], [0, 1]])
    priority = np.array([[0.9, 0.1], [0.5, 0.6], [0.3, 0.0], [0.2, 0.4]])
    capacity = np.array([2, 3])
    matched = deferred_acceptance(lists, priority, capacity)
    assert matched.tolist() == [0, 0, 1, 1]
    found = cutoffs(lists, priority, capacity, matched)
    assert found[0] == 0.5 and found[1] == -np.inf  # school 1 kept a place free


def test_strategic_lists_skip_schools_out_of_reach_but_keep_the_last():
    lists = np.array([[0, 1, 2], [2, 0, -1], [1, -1, -1]])
    priority = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.0], [0.6, 0.0, 0.0]])
    expected = priority.copy()
    cutoff = np.array([0.3, 0.9, 0.35])
    kept, kept_priority = skip_out_of_reach(lists, priority, expected, cutoff)
    # row 0 drops schools 0 (0.1 < 0.3) and 1 (0.2 < 0.9) and keeps its last, 2; row 1
    # reaches both (0.4 >= 0.35, 0.5 >= 0.3); row 2's only school is its last and stays
    assert kept.tolist() == [[2, -1, -1], [2, 0, -1], [1, -1, -1]]
    assert kept_priority[0, 0] == 0.3
    unchanged = skip_out_of_reach(lists, priority, expected, None)
    assert unchanged[0] is lists


def test_feeder_priority_ranks_fed_pupils_between_residents_and_siblings():
    # schools 0-1 primary, 2-3 junior; primary 0 feeds junior 2, primary 1 feeds none
    feeds = np.array([2, -1, -1, -1])
    lists = np.array([[2, 3], [2, 3], [2, 3], [3, 2]])
    primary = np.array([0, 1, -1, 0])  # applicant 2 came from outside; 3 from school 0
    fed = fed_applicants(primary, feeds, lists)
    assert fed.tolist() == [[True, False], [False, False], [False, False], [False, True]]
    resident = np.zeros(lists.shape, dtype=bool)
    resident[1, 0] = True
    sibling = np.zeros(lists.shape, dtype=bool)
    sibling[2, 0] = True
    km = np.zeros(lists.shape)
    lottery = np.array([0.1, 0.2, 0.9, 0.5])
    standing = np.zeros(4)
    priority = applicant_priority(resident, standing, sibling, km, lottery, False, feeder=fed)
    at_school_2 = [priority[0, 0], priority[1, 0], priority[2, 0], priority[3, 1]]
    # resident (1) > fed (0, 3: lottery decides) > sibling (2)
    assert np.argsort(at_school_2)[::-1].tolist() == [1, 3, 0, 2]
    # one place at school 2: the resident; a second: the fed pupil with the better lottery
    placed = deferred_acceptance(lists, priority, np.array([0, 0, 2, 0]))
    assert placed.tolist() == [-1, 2, -1, 2]
    # without feeder the formula is the one every rule used before
    plain = applicant_priority(resident, standing, sibling, km, lottery, False)
    assert (plain == (2.0 * resident + sibling) * PRIORITY_LEVEL + lottery[:, None]).all()
