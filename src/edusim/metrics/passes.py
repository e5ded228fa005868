"""Compiled one-pass selections over the pupils for the metrics (a million rows in
Hangzhou, every recording): each replaces a few whole-array numpy passes (masks, fancy
indexing, `bincount` of a derived index) by one numba loop with no temporaries, and
keeps its numpy definition (`*_reference`) next to it.

The selections return the chosen values in their original order, contiguous, so the
metric takes numpy's `.mean()` of them: the same floats as numpy's mean of the boolean
selection (the summation sees the same array), not a re-ordered sum. Counts are
integers, equal whatever the order.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _split_by_cuts(values, key, low, high):  # pragma: no cover - compiled
    n = key.size
    below = np.empty(n, dtype=np.float64)
    above = np.empty(n, dtype=np.float64)
    n_below, n_above = 0, 0
    for i in range(n):  # branch-free: write always, keep by advancing (a sort of random keys)
        below[n_below] = values[i]
        above[n_above] = values[i]
        n_below += key[i] <= low
        n_above += key[i] >= high
    return below[:n_below], above[:n_above]


def split_by_cuts(
    values: np.ndarray, key: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """`values[key <= low]` and `values[key >= high]` (as floats), in one pass."""
    return _split_by_cuts(
        np.asarray(values, dtype=np.float64), np.asarray(key), float(low), float(high)
    )


def split_by_cuts_reference(
    values: np.ndarray, key: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """`split_by_cuts` as boolean selections."""
    values = np.asarray(values, dtype=np.float64)
    return values[key <= low], values[key >= high]


@njit(cache=True)
def _split_by_kind(values, area, kind_of_area, first, second):  # pragma: no cover - compiled
    n = area.size
    one = np.empty(n, dtype=np.float64)
    other = np.empty(n, dtype=np.float64)
    n_one, n_other = 0, 0
    for i in range(n):  # branch-free, as `_split_by_cuts`
        kind = kind_of_area[area[i]]
        one[n_one] = values[i]
        other[n_other] = values[i]
        n_one += kind == first
        n_other += (kind == second) & (kind != first)
    return one[:n_one], other[:n_other]


def split_by_kind(
    values: np.ndarray, area: np.ndarray, kind_of_area: np.ndarray, first: int, second: int
) -> tuple[np.ndarray, np.ndarray]:
    """The `values` of rows whose area (`kind_of_area[area]`) is of kind `first`, and of
    kind `second` (as floats; none if the kinds are the same), in one pass: the urban and
    the rural pupils, say."""
    return _split_by_kind(
        np.asarray(values, dtype=np.float64),
        np.asarray(area),
        np.asarray(kind_of_area),
        int(first),
        int(second),
    )


def split_by_kind_reference(
    values: np.ndarray, area: np.ndarray, kind_of_area: np.ndarray, first: int, second: int
) -> tuple[np.ndarray, np.ndarray]:
    """`split_by_kind` as a gather and two boolean selections."""
    values = np.asarray(values, dtype=np.float64)
    kind = kind_of_area[area]
    return values[kind == first], values[(kind == second) & (kind != first)]


@njit(cache=True)
def _counts_below_cut(school, key, cut, n_schools):  # pragma: no cover - compiled
    counts = np.zeros(2 * n_schools, dtype=np.int64)
    for i in range(school.size):
        s = school[i]
        if s >= 0:
            counts[2 * s + (1 if key[i] <= cut else 0)] += 1
    return counts


def counts_below_cut(school: np.ndarray, key: np.ndarray, cut: float, n_schools: int) -> np.ndarray:
    """Per school s, its rows with `key` above `cut` at 2 s and at or below it at 2 s + 1
    (rows with school -1 ignored), in one pass."""
    return _counts_below_cut(np.asarray(school), np.asarray(key), float(cut), int(n_schools))


def counts_below_cut_reference(
    school: np.ndarray, key: np.ndarray, cut: float, n_schools: int
) -> np.ndarray:
    """`counts_below_cut` as one `bincount` of 2 x school + (key <= cut)."""
    placed = school >= 0
    low = key <= cut
    return np.bincount(2 * school[placed] + low[placed], minlength=2 * n_schools)


REFERENCES = {
    "split_by_cuts": split_by_cuts_reference,
    "split_by_kind": split_by_kind_reference,
    "counts_below_cut": counts_below_cut_reference,
}
"""Each compiled pass and its reference definition, by name."""
