"""Operations on rows that belong to groups (schools, catchments, districts), vectorised.

One sort replaces a Python loop over groups: rows are ordered by group and, within a
group, by a key, and each row's position in its group follows from where its group starts.
"""

from __future__ import annotations

import itertools

import numpy as np
from numba import njit

DENSE_GROUPS_PER_ROW = 4
"""Groups numbered within this many times the rows are bucketed in one compiled pass;
sparser numbering falls back to the sort (memory stays linear in the rows)."""


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of float keys, about five times faster when no two
    keys are equal (as with lottery numbers): numpy's default sort is vectorised but may
    order equal keys either way, and with all keys distinct the sorted order is the only
    one, so it is the stable sort's. When the sorted keys hold two equal neighbours (0.0
    and -0.0 included) or a NaN (sorted last, any number of them), the stable sort is run
    after all. Identical to the stable sort for every input (tests/test_grouped.py)."""
    keys = np.asarray(keys)
    if keys.dtype.kind != "f" or keys.ndim != 1:
        return np.argsort(keys, kind="stable")
    order = np.argsort(keys)
    ordered = keys[order]
    if ordered.size > 1 and (np.isnan(ordered[-1]) or bool((ordered[1:] == ordered[:-1]).any())):
        return np.argsort(keys, kind="stable")
    return order


def rank_within(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank of each row within its group by `key`, highest first (0 = best); ties keep the
    rows' order (a stable sort).

    Compiled: rows bucketed by group in row order, then each group's rows sorted stably by
    `-key`, which is the order of `np.lexsort((-key, group))` (`rank_within_reference`,
    compared in tests/test_grouped.py)."""
    group = np.asarray(group)
    key = np.asarray(key, dtype=float)
    if group.size == 0:
        return np.empty(0, dtype=np.int64)
    low, high = int(group.min()), int(group.max())
    if high - low + 1 > DENSE_GROUPS_PER_ROW * group.size + 64:
        return rank_within_reference(group, key)
    return _ranks_by_bucket(group.astype(np.int64) - low, high - low + 1, key)


@njit(cache=True)
def _ranks_by_bucket(group, n_groups, key):  # pragma: no cover - compiled
    counts = np.zeros(n_groups + 1, dtype=np.int64)
    for i in range(group.size):
        counts[group[i] + 1] += 1
    for g in range(n_groups):
        counts[g + 1] += counts[g]
    filled = counts[:-1].copy()
    rows = np.empty(group.size, dtype=np.int64)
    for i in range(group.size):
        g = group[i]
        rows[filled[g]] = i
        filled[g] += 1
    ranks = np.empty(group.size, dtype=np.int64)
    for g in range(n_groups):
        start, end = counts[g], counts[g + 1]
        if end - start == 1:
            ranks[rows[start]] = 0
        elif end > start:
            members = rows[start:end]
            order = np.argsort(-key[members], kind="mergesort")
            for position in range(order.size):
                ranks[members[order[position]]] = position
    return ranks


def rank_within_reference(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """`rank_within` by one `np.lexsort` (the definition the compiled pass follows)."""
    order = np.lexsort((-key, group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, order.size]))
    ranks = np.empty(order.size, dtype=np.int64)
    ranks[order] = np.arange(order.size) - first
    return ranks


def rows_by_key(keys: np.ndarray, n_keys: int) -> list[np.ndarray]:
    """For each key 0..n_keys-1, the rows holding it in ascending order (empty if none):
    one stable sort, so a loop over groups or schools reads its rows without a pass over
    every row per key (which made such loops quadratic in schools)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_keys + 1))
    return [order[lo:hi] for lo, hi in itertools.pairwise(bounds)]


def members_by_group(group: np.ndarray, school: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(group, its schools in row order) for every group present in `group`, by group id:
    the same as `school[group == g] for g in np.unique(group)`, from one stable sort."""
    if group.size == 0:
        return []
    rows = rows_by_key(group, int(group.max()) + 1)
    return [(g, school[r]) for g, r in enumerate(rows) if r.size]
