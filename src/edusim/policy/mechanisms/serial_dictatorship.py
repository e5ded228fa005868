"""Serial dictatorship: applicants choose one after another in the order of one score.

The applicant with the highest score takes the first school of its list with a place
left, then the next, and so on. With one order for every school (a test score, or a
single lottery number) it gives the same matching as deferred acceptance with that
order as every school's priority, and it is strategy-proof and Pareto-efficient
(Abdulkadiroğlu and Sönmez 1998, Econometrica 66(3)); the order is the policy: by score
for admission by achievement (中考 / 小升初 by examination), by lottery for a random
serial dictatorship (电脑派位 with one draw for the whole city).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.policy.mechanisms.inputs import checked


def serial_dictatorship(
    preferences: np.ndarray, score: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """School of each applicant (-1: unplaced); higher `score` (one per applicant) chooses
    first, equal scores in the order applicants are given."""
    score = np.asarray(score, dtype=np.float64)
    if score.shape != (preferences.shape[0],):
        raise ValueError("score must have one value per applicant")
    preferences, _, capacity = checked(
        preferences, np.broadcast_to(score[:, None], preferences.shape), capacity
    )
    order = np.argsort(-score, kind="stable")
    return _serial_dictatorship(preferences, capacity, order)


@njit(cache=True)
def _serial_dictatorship(preferences, capacity, order):
    remaining = capacity.copy()
    assigned = np.full(preferences.shape[0], -1, dtype=np.int64)
    for applicant in order:
        for position in range(preferences.shape[1]):
            school = preferences[applicant, position]
            if school < 0:
                break
            if remaining[school] > 0:
                remaining[school] -= 1
                assigned[applicant] = school
                break
    return assigned
