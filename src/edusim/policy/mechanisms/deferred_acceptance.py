"""Student-proposing deferred acceptance, vectorised over all applicants.

The default mechanism of every enrollment rule beyond single-school catchments:
multi-school zones (多校划片) with a lottery, group-wide enrollment (集团统一招生), choice
with priorities, admission by achievement and private schools' intake. The inputs are
those of every mechanism in this package:

* `preferences` (applicants x K): school indices in the applicant's order, -1 padded;
* `priority` (applicants x K): the applicant's priority at each listed school, higher
  first (e.g. catchment class + a lottery number in [0, 1) that belongs to the family);
* `capacity` (schools): hard places.

An applicant not held proposes to the next school on its list; a school keeps the best
`capacity` of its held and new proposers and rejects the rest, until no rejected
applicant has a school left to try. The result is the applicant-optimal stable matching
(Gale and Shapley 1962; Abdulkadiroğlu and Sönmez 2003). The loop is compiled with numba:
a Python loop over a city's applicants would be far too slow, and a round-by-round numpy
version re-sorts every school's held applicants each round (seconds at city scale).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.policy.mechanisms.inputs import checked


def deferred_acceptance(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """School of each applicant (-1 when its list is exhausted)."""
    return _deferred_acceptance(*checked(preferences, priority, capacity))


@njit(cache=True)
def _sift_down(students, scores, base, size, position):
    """Restore the min-heap (by score) of one school's held applicants from `position`."""
    while True:
        smallest = position
        left, right = 2 * position + 1, 2 * position + 2
        if left < size and scores[base + left] < scores[base + smallest]:
            smallest = left
        if right < size and scores[base + right] < scores[base + smallest]:
            smallest = right
        if smallest == position:
            return
        i, j = base + position, base + smallest
        scores[i], scores[j] = scores[j], scores[i]
        students[i], students[j] = students[j], students[i]
        position = smallest


@njit(cache=True)
def _sift_up(students, scores, base, position):
    while position > 0:
        parent = (position - 1) // 2
        i, j = base + position, base + parent
        if scores[i] >= scores[j]:
            return
        scores[i], scores[j] = scores[j], scores[i]
        students[i], students[j] = students[j], students[i]
        position = parent


@njit(cache=True)
def propose_chain(
    start,
    end,
    preferences,
    priority,
    capacity,
    offset,
    held,
    held_students,
    held_scores,
    next_choice,
    assigned,
):  # pragma: no cover - compiled
    """Let applicant `start` propose down its list (up to column `end`), and every
    applicant it bumps after it, until someone is held or runs out of schools: one chain
    of deferred acceptance. Each school holds at most `capacity` applicants in a min-heap
    by priority (`held_students` / `held_scores` from `offset[school]`)."""
    applicant = start
    while applicant >= 0 and next_choice[applicant] < end:
        school = preferences[applicant, next_choice[applicant]]
        if school < 0:
            next_choice[applicant] = end
            break
        score = priority[applicant, next_choice[applicant]]
        next_choice[applicant] += 1
        if capacity[school] == 0:
            continue
        base = offset[school]
        if held[school] < capacity[school]:
            held_students[base + held[school]] = applicant
            held_scores[base + held[school]] = score
            _sift_up(held_students, held_scores, base, held[school])
            held[school] += 1
            assigned[applicant] = school
            applicant = -1
        elif score > held_scores[base]:
            bumped = held_students[base]
            held_students[base] = applicant
            held_scores[base] = score
            _sift_down(held_students, held_scores, base, held[school], 0)
            assigned[applicant] = school
            assigned[bumped] = -1
            applicant = bumped


@njit(cache=True)
def _deferred_acceptance(preferences, priority, capacity):
    """Applicant-proposing DA, one proposal at a time (McVitie and Wilson 1971): the
    outcome equals the round-by-round algorithm's. Each school holds its applicants in a
    min-heap by priority, so a proposal costs O(log capacity)."""
    n_applicants, width = preferences.shape
    n_schools = capacity.size
    offset = np.zeros(n_schools + 1, dtype=np.int64)
    for school in range(n_schools):
        offset[school + 1] = offset[school] + capacity[school]
    held_students = np.full(offset[n_schools], -1, dtype=np.int64)
    held_scores = np.empty(offset[n_schools], dtype=np.float64)
    held = np.zeros(n_schools, dtype=np.int64)
    next_choice = np.zeros(n_applicants, dtype=np.int64)
    assigned = np.full(n_applicants, -1, dtype=np.int64)
    for start in range(n_applicants):
        propose_chain(
            start, width, preferences, priority, capacity, offset, held,
            held_students, held_scores, next_choice, assigned,
        )  # fmt: skip
    return assigned
