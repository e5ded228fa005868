"""The common inputs of every mechanism, checked and laid out for the compiled kernels.

* `preferences` (applicants x K): school indices in the applicant's order, -1 padded
  (a -1 ends the list);
* `priority` (applicants x K): the applicant's priority at each listed school, higher
  first; it travels with the school, so a reordered list keeps each school's priority;
* `capacity` (schools): places (negative counts as 0).

Every mechanism returns the school of each applicant, -1 when it is placed nowhere.
"""

from __future__ import annotations

import numpy as np

UNMATCHED = -1


def checked(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contiguous int64 / float64 copies of the inputs; ValueError when they disagree."""
    preferences = np.ascontiguousarray(preferences, dtype=np.int64)
    priority = np.ascontiguousarray(priority, dtype=np.float64)
    capacity = np.ascontiguousarray(np.maximum(capacity, 0), dtype=np.int64)
    if preferences.ndim != 2 or preferences.shape != priority.shape:
        raise ValueError("preferences and priority must be applicants x K of the same shape")
    if preferences.size and preferences.max() >= capacity.size:
        raise ValueError("a preference names a school beyond the capacity array")
    return preferences, priority, capacity


def truncated(preferences: np.ndarray, length: int) -> np.ndarray:
    """Lists cut to their first `length` schools (a list-length cap), -1 beyond."""
    preferences = np.array(preferences, dtype=np.int64, copy=True)
    preferences[:, length:] = UNMATCHED
    return preferences
