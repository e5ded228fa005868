"""Who would gain by misreporting: a sampled check of strategy-proofness in practice.

For each sampled applicant, every list that moves one of its listed schools to the top
(the others keeping their order, each school keeping its priority) is tried while
everyone else reports as before; the applicant gains when one of them places it at a
school it ranks higher on its true list. This is the manipulation the Boston mechanism
invites (ranking a school one can get first; Abdulkadiroğlu and Sönmez 2003, §III) and
costs one run of the mechanism per try, so only a sample is checked: an exact count
would take (list length - 1) runs per applicant. Under a strategy-proof mechanism no
applicant gains; the share is a lower bound of those who could gain by any lie.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edusim.policy.mechanisms.stability import listed_position

Run = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def promoted(row: np.ndarray, position: int) -> np.ndarray:
    """A list (or its priorities) with the entry at `position` moved to the front."""
    return np.concatenate([row[position : position + 1], row[:position], row[position + 1 :]])


def misreport_gainers(
    run: Run,
    preferences: np.ndarray,
    priority: np.ndarray,
    capacity: np.ndarray,
    sampled: np.ndarray,
    assigned: np.ndarray | None = None,
) -> np.ndarray:
    """Mask over `sampled` (applicant indices): who gains by promoting a listed school."""
    if assigned is None:
        assigned = run(preferences, priority, capacity)
    truthful = listed_position(preferences, assigned)
    gains = np.zeros(sampled.size, dtype=bool)
    for index, applicant in enumerate(sampled):
        length = int((preferences[applicant] >= 0).sum())
        for position in range(1, min(length, int(truthful[applicant]))):  # only above its school
            lists, ranks = preferences.copy(), priority.copy()
            lists[applicant] = promoted(preferences[applicant], position)
            ranks[applicant] = promoted(priority[applicant], position)
            got = run(lists, ranks, capacity)[applicant]
            true_rank = np.flatnonzero(preferences[applicant] == got)
            if got >= 0 and true_rank.size and true_rank[0] < truthful[applicant]:
                gains[index] = True
                break
    return gains
