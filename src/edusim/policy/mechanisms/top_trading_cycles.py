"""Top trading cycles (Abdulkadiroğlu and Sönmez 2003, §IV.B, after Shapley and Scarf 1974).

Every applicant still unplaced points to the first school of its list that has a place
left; every such school points to the applicant with the highest priority there among
those still unplaced who list it. There is always a cycle (applicant -> school ->
applicant ...); each applicant in a cycle gets the school it points to, for good, and
that school loses a place. Repeat until no applicant points anywhere. The outcome is
Pareto-efficient for applicants and strategy-proof, but not stable: priorities are
traded, so an applicant may be placed ahead of one with higher priority there.

A school here ranks only the applicants who list it (an application system: a school
never sees who did not apply), which is the textbook case when lists are complete. With
short lists this costs strategy-proofness: listing a school one does not want gives
priority there to trade with (tests/policy/mechanisms/test_mechanism_menu.py has the
case). Reordering one's listed schools never helps, so `misreport_gain_share` stays 0.

Computed with one pointer walk: a path of nodes is followed from an unplaced applicant
until it closes on itself; the cycle is removed and the walk resumes from the node
before it, whose pointer is recomputed then. Pointers only move forward (places and
applicants only disappear): an applicant's along its list, a school's down a heap of the
applicants who list it, so the run costs O(listed pairs x log applicants per school).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.policy.mechanisms.deferred_acceptance import _sift_down
from edusim.policy.mechanisms.inputs import checked


def top_trading_cycles(
    preferences: np.ndarray, priority: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """School of each applicant (-1: unplaced) under top trading cycles."""
    preferences, priority, capacity = checked(preferences, priority, capacity)
    ranked, scores, starts = _ranked_applicants(preferences, priority, capacity.size)
    return _top_trading_cycles(preferences, capacity, ranked, scores, starts)


@njit(cache=True)
def _ranked_applicants(preferences, priority, n_schools):
    """Each school's applicants as a heap by priority, highest first, in one array cut by
    `starts` (a counting sort by school, then a heap per school: cheaper than sorting,
    since most schools' pointers move only a little)."""
    n_applicants, width = preferences.shape
    starts = np.zeros(n_schools + 1, dtype=np.int64)
    for applicant in range(n_applicants):
        for position in range(width):
            if preferences[applicant, position] >= 0:
                starts[preferences[applicant, position] + 1] += 1
    for school in range(n_schools):
        starts[school + 1] += starts[school]
    fill = starts[:-1].copy()
    ranked = np.empty(starts[n_schools], dtype=np.int64)
    scores = np.empty(starts[n_schools], dtype=np.float64)
    for applicant in range(n_applicants):
        for position in range(width):
            school = preferences[applicant, position]
            if school >= 0:
                ranked[fill[school]] = applicant
                scores[fill[school]] = -priority[applicant, position]
                fill[school] += 1
    for school in range(n_schools):  # heapify: the highest priority on top
        size = starts[school + 1] - starts[school]
        for position in range(size // 2 - 1, -1, -1):
            _sift_down(ranked, scores, starts[school], size, position)
    return ranked, scores, starts


@njit(cache=True)
def _top_trading_cycles(preferences, capacity, ranked, scores, starts):
    n_applicants, width = preferences.shape
    n_schools = capacity.size
    remaining = capacity.copy()
    assigned = np.full(n_applicants, -1, dtype=np.int64)
    done = np.zeros(n_applicants, dtype=np.bool_)
    next_choice = np.zeros(n_applicants, dtype=np.int64)
    heap_size = starts[1:] - starts[:-1]
    path = np.empty(n_applicants + n_schools + 1, dtype=np.int64)
    place = np.full(n_applicants + n_schools, -1, dtype=np.int64)  # position on the path
    for start in range(n_applicants):
        if done[start]:
            continue
        path[0] = start
        place[start] = 0
        depth = 1
        while depth > 0:
            node = path[depth - 1]
            if node < n_applicants:
                choice = next_choice[node]
                while (
                    choice < width
                    and preferences[node, choice] >= 0
                    and remaining[preferences[node, choice]] == 0
                ):
                    choice += 1
                next_choice[node] = choice
                if choice == width or preferences[node, choice] < 0:
                    done[node] = True  # its list is exhausted: unplaced
                    place[node] = -1
                    depth -= 1
                    continue
                target = n_applicants + preferences[node, choice]
            else:
                school = node - n_applicants
                base = starts[school]
                # Pop the placed. The heap cannot run empty: a school is on the path only
                # as the target of the applicant before it, who is not placed, lists it
                # and so is still in its heap (a cycle leaves that applicant where it is,
                # since the cycle starts after the school).
                while done[ranked[base]]:
                    heap_size[school] -= 1
                    last = base + heap_size[school]
                    ranked[base], scores[base] = ranked[last], scores[last]
                    _sift_down(ranked, scores, base, heap_size[school], 0)
                target = ranked[base]
            if place[target] >= 0:  # the path closes: trade along the cycle
                first = place[target]
                for position in range(first, depth):
                    member = path[position]
                    place[member] = -1
                    if member < n_applicants:
                        school = preferences[member, next_choice[member]]
                        assigned[member] = school
                        done[member] = True
                        remaining[school] -= 1
                depth = first
            else:
                path[depth] = target
                place[target] = depth
                depth += 1
    return assigned
