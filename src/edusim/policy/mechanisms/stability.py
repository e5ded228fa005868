"""Blocking pairs (justified envy and wasted places) of a matching.

An applicant and a school block a matching when the applicant lists the school above
the one it got (or got none) and the school either has a free place (waste) or admitted
someone with lower priority there (justified envy; Abdulkadiroğlu and Sönmez 2003,
Definition 1). Deferred acceptance leaves none; Boston, parallel with short bands and
top trading cycles may.
"""

from __future__ import annotations

import numpy as np


def listed_position(preferences: np.ndarray, assigned: np.ndarray) -> np.ndarray:
    """Position of each applicant's school on its list (the list's width when unplaced
    or placed off its list)."""
    on_list = (preferences == assigned[:, None]) & (assigned[:, None] >= 0)
    return np.where(on_list.any(axis=1), on_list.argmax(axis=1), preferences.shape[1])


def blocked_applicants(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray, assigned: np.ndarray
) -> np.ndarray:
    """Mask of applicants in at least one blocking pair (vectorised over the lists)."""
    n_schools = capacity.size
    position = listed_position(preferences, assigned)
    placed = position < preferences.shape[1]
    rows = np.flatnonzero(placed)
    held = priority[rows, position[placed]]
    lowest = np.full(n_schools, np.inf)
    np.minimum.at(lowest, assigned[rows], held)
    used = np.bincount(assigned[rows], minlength=n_schools)
    open_place = used < np.maximum(capacity, 0)
    listed = preferences >= 0
    school = np.maximum(preferences, 0)
    above = np.arange(preferences.shape[1])[None, :] < position[:, None]
    beats = open_place[school] | (priority > lowest[school])
    return (listed & above & beats).any(axis=1)


def blocking_pairs(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray, assigned: np.ndarray
) -> list[tuple[int, int]]:
    """Every (applicant, school) blocking pair, by brute force (for tests)."""
    n_schools = capacity.size
    seats_used = np.bincount(assigned[assigned >= 0], minlength=n_schools)
    lowest = np.full(n_schools, np.inf)
    for applicant, school in enumerate(assigned):
        if school >= 0:
            position = int(np.flatnonzero(preferences[applicant] == school)[0])
            lowest[school] = min(lowest[school], priority[applicant, position])
    pairs = []
    for applicant in range(preferences.shape[0]):
        for position, school in enumerate(preferences[applicant]):
            if school < 0 or school == assigned[applicant]:
                break
            if (
                seats_used[school] < capacity[school]
                or priority[applicant, position] > lowest[school]
            ):
                pairs.append((applicant, int(school)))
    return pairs
