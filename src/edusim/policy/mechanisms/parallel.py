"""The Chinese parallel mechanism (平行志愿): deferred acceptance within choice bands.

A family's list is cut into bands of `band_size` schools. In band b every applicant not
yet placed proposes, in deferred-acceptance fashion, to the schools of its band b only;
at the end of the band the held applicants are admitted for good, the schools keep
what places are left, and whoever is still unplaced moves to band b + 1. Chen and
Kesten (2017, "Chinese college admissions and school choice reforms: a theoretical
analysis", Journal of Political Economy 125(1)) show that this family runs from the
Boston mechanism (bands of one school) to deferred acceptance (one band holding the
whole list), and that stability and strategy-proofness weaken as bands shrink. Used for
senior-secondary and university entrance in most provinces, where "parallel choices"
are listed in a few bands.

The kernel is the heap-per-school proposal loop of `deferred_acceptance`, run once per
band on the capacities left by the bands before it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.policy.mechanisms.deferred_acceptance import propose_chain
from edusim.policy.mechanisms.inputs import checked


def parallel_mechanism(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray, band_size: int
) -> np.ndarray:
    """School of each applicant (-1: unplaced) under the parallel mechanism with choice
    bands of `band_size` schools (>= 1)."""
    if band_size < 1:
        raise ValueError("band_size must be at least 1")
    return _banded_acceptance(*checked(preferences, priority, capacity), band_size)


@njit(cache=True)
def _banded_acceptance(preferences, priority, capacity, band_size):
    n_applicants, width = preferences.shape
    n_schools = capacity.size
    remaining = capacity.copy()
    assigned = np.full(n_applicants, -1, dtype=np.int64)
    final = np.zeros(n_applicants, dtype=np.bool_)
    offset = np.zeros(n_schools + 1, dtype=np.int64)
    held = np.zeros(n_schools, dtype=np.int64)
    next_choice = np.zeros(n_applicants, dtype=np.int64)
    for band_start in range(0, width, band_size):
        band_end = min(band_start + band_size, width)
        for school in range(n_schools):
            offset[school + 1] = offset[school] + remaining[school]
            held[school] = 0
        held_students = np.full(offset[n_schools], -1, dtype=np.int64)
        held_scores = np.empty(offset[n_schools], dtype=np.float64)
        for start in range(n_applicants):
            if final[start]:
                continue
            next_choice[start] = band_start
            propose_chain(
                start, band_end, preferences, priority, remaining, offset, held,
                held_students, held_scores, next_choice, assigned,
            )  # fmt: skip
        for applicant in range(n_applicants):
            if assigned[applicant] >= 0 and not final[applicant]:
                final[applicant] = True
        for school in range(n_schools):
            remaining[school] -= held[school]
    return assigned
