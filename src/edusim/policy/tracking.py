"""Experimental classes (实验班, Sanming 四(一)5: "探索在初中阶段建立1—2个实验班"): a core's
junior grades each put their best pupils into `classes` classes, whose peers are then one
another; the rest of the grade learns beside the rest of the school. Pure rules.

A pupil's peer mean is normally its school's mean prior achievement (processes/
learning.py). With experimental classes the school's pupils are in two peer groups, the
tracked and the rest, each with its own mean. Pupils are ranked within their school and
grade by achievement each year, so the classes are re-formed by results (动态管理, an
assumption; the document does not say), and drawn from the core's own intake (selection
across catchments into the programme is not modelled). Dual mentors and the integrated
junior-senior curriculum have no channel: only who learns beside whom changes.
"""

from __future__ import annotations

import numpy as np

from edusim.grouped import rank_within
from edusim.processes.aggregate import school_mean

FIRST_JUNIOR_GRADE = 7


def tracked_pupils(
    school: np.ndarray,
    grade: np.ndarray,
    achievement: np.ndarray,
    seats_per_grade: np.ndarray,
) -> np.ndarray:
    """Whether each pupil sits in its school's experimental classes: a junior pupil (grade
    7-9) whose rank by achievement within its school and grade (0 = best, ties in row
    order) is below the school's `seats_per_grade` (classes x class size; 0 where none)."""
    junior = (grade >= FIRST_JUNIOR_GRADE) & (school >= 0)
    seats = np.where(junior, seats_per_grade[np.maximum(school, 0)], 0)
    tracked = np.zeros(school.size, dtype=bool)
    rows = np.flatnonzero(seats > 0)
    if rows.size:
        rank = rank_within(school[rows].astype(np.int64) * 16 + grade[rows], achievement[rows])
        tracked[rows] = rank < seats[rows]
    return tracked


def peer_groups(
    school: np.ndarray, tracked: np.ndarray, achievement: np.ndarray, n_schools: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each pupil's peer group (`2 * school + tracked`) and every group's mean prior
    achievement (2 x schools entries; 0 where empty)."""
    group = 2 * school.astype(np.int64) + tracked
    return group, school_mean(achievement, group, 2 * n_schools)
