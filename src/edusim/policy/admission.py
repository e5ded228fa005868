"""Admission rules that sit between families' lists and the mechanism: admission by
achievement, tie-breaking, last year's cut-offs and the strategic lists they invite.

* Admission by achievement (按成绩录取): a school ranks its applicants by a test score,
  the pupil's achievement plus test noise, with or without its catchment residents
  first. Scores enter the priority as their percentile among the applicants, in the
  place the lottery number has under the other rules, so the priority ladder keeps
  its levels.
* Tie-breaking: one lottery number per family for every school (single) or one per
  family and school (multiple). Abdulkadiroğlu, Pathak and Roth (2009, "Strategy-
  proofness versus efficiency in matching with indifferences: redesigning the NYC high
  school match", American Economic Review 99(5)) find single tie-breaking leaves fewer
  families worse off under deferred acceptance.
* Cut-offs: the lowest priority a full school admitted; -inf where places were left.
* Feeder priority (划片对口): a junior school may come first for the pupils of the
  primary schools that feed it; `fed_applicants` marks them from a per-school `feeds`
  array (the junior school each primary school feeds, -1: none) and
  `policy.enrollment.applicant_priority(..., feeder=...)` ranks them as a level between
  residents and siblings.
* Strategic lists: under Boston and the parallel mechanism a family that ranks a school
  it cannot get first wastes its best round, so a family may skip every school whose
  last cut-off its expected priority does not reach (keeping the last school of its
  list, the safe choice). Sincere lists are the default.
"""

from __future__ import annotations

import numpy as np

from edusim.policy.enrollment import PRIORITY_LEVEL, UNPLACED


def exam_scores(achievement: np.ndarray, noise: np.ndarray, noise_sd: float) -> np.ndarray:
    """A test score per applicant: achievement (pupil SD) plus noise_sd x a normal draw."""
    return achievement + noise_sd * noise


def percentile(values: np.ndarray) -> np.ndarray:
    """Each value's rank among all of them as a fraction in [0, 1), highest nearest 1;
    ties share the lowest rank of their group."""
    if values.size == 0:
        return np.zeros(0)
    ordered = np.sort(values)
    return np.searchsorted(ordered, values, side="left") / values.size


def achievement_priority(resident: np.ndarray, score_rank: np.ndarray) -> np.ndarray:
    """Priority (applicants x K, higher first) under admission by achievement: residents
    of the school's catchment first when `resident` marks them, then the score's rank."""
    return resident * PRIORITY_LEVEL + score_rank[:, None]


def school_lottery_ids(uids: np.ndarray, schools: np.ndarray) -> np.ndarray:
    """A distinct id per (family, school) for per-school lottery numbers (multiple
    tie-breaking): the family id shifted past any school index (< 2**20)."""
    if schools.size and schools.max() >= 2**20:
        raise ValueError("more than 2**20 schools: per-school lottery ids would collide")
    ids = (np.asarray(uids, dtype=np.uint64)[:, None] << np.uint64(20)) + np.maximum(
        schools, 0
    ).astype(np.uint64)
    return ids


def fed_applicants(
    primary_school: np.ndarray, feeds: np.ndarray, schools: np.ndarray
) -> np.ndarray:
    """Mask (applicants x K): the listed junior school is the one the applicant's primary
    school feeds. `primary_school` is each junior entrant's last primary school (-1: none,
    e.g. arrived from outside the city or from a private school without a link), `feeds`
    the junior school each school feeds (-1: none), `schools` the listed schools (-1
    padded)."""
    fed = np.where(primary_school >= 0, feeds[np.maximum(primary_school, 0)], -1)
    return (schools == fed[:, None]) & (schools >= 0) & (fed[:, None] >= 0)


def cutoffs(
    lists: np.ndarray, priority: np.ndarray, capacity: np.ndarray, matched: np.ndarray
) -> np.ndarray:
    """Lowest priority admitted at each school (or seat) that filled; -inf elsewhere."""
    n = capacity.size
    on_list = (lists == matched[:, None]) & (matched[:, None] >= 0)
    rows, columns = np.nonzero(on_list)
    first = np.unique(rows, return_index=True)[1]
    rows, columns = rows[first], columns[first]
    lowest = np.full(n, np.inf)
    np.minimum.at(lowest, lists[rows, columns], priority[rows, columns])
    full = np.bincount(lists[rows, columns], minlength=n) >= np.maximum(capacity, 1)
    return np.where(full, lowest, -np.inf)


def skip_out_of_reach(
    lists: np.ndarray, priority: np.ndarray, expected: np.ndarray, cutoff: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Lists (and their priorities) without the schools whose last cut-off the family's
    `expected` priority there falls short of; the last listed school always stays.
    Without cut-offs (the first year, or a changed seat layout) lists are unchanged."""
    if cutoff is None or cutoff.size <= max(int(lists.max(initial=-1)), 0):
        return lists, priority
    listed = lists >= 0
    last = listed & ~np.concatenate([listed[:, 1:], np.zeros((lists.shape[0], 1), bool)], axis=1)
    hopeless = listed & ~last & (expected < cutoff[np.maximum(lists, 0)])
    order = np.argsort(hopeless | ~listed, axis=1, kind="stable")
    kept = np.take_along_axis(lists, order, axis=1)
    dropped = np.take_along_axis(hopeless | ~listed, order, axis=1)
    return np.where(dropped, UNPLACED, kept), np.take_along_axis(priority, order, axis=1)
