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


@njit(cache=True)
def _grade_moments(
    grade, area, kind_of_area, x, y, first, n_grades, n_kinds
):  # pragma: no cover - compiled
    by_kind = np.zeros((n_grades, n_kinds, 3))
    by_grade = np.zeros((n_grades, 6))
    for i in range(grade.size):
        g = grade[i] - first
        if g < 0 or g >= n_grades:
            continue
        k = kind_of_area[area[i]]
        xi, yi = x[i], y[i]
        by_kind[g, k, 0] += 1.0
        by_kind[g, k, 1] += yi
        by_kind[g, k, 2] += yi * yi
        by_grade[g, 0] += 1.0
        by_grade[g, 1] += xi
        by_grade[g, 2] += xi * xi
        by_grade[g, 3] += yi
        by_grade[g, 4] += yi * yi
        by_grade[g, 5] += xi * yi
    return by_kind, by_grade


def grade_moments(
    grade: np.ndarray,
    area: np.ndarray,
    kind_of_area: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    grades: range,
) -> tuple[np.ndarray, np.ndarray]:
    """In one pass over the rows whose `grade` is in `grades`: per grade and kind of area
    (`kind_of_area[area]`, 0..max), the count, sum and sum of squares of `y`
    (grades x kinds x 3); per grade the count and the sums of x, x^2, y, y^2 and x y
    (grades x 6). Sums run in row order."""
    kind_of_area = np.asarray(kind_of_area, dtype=np.int64)
    return _grade_moments(
        np.asarray(grade),
        np.asarray(area),
        kind_of_area,
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        grades.start,
        len(grades),
        int(kind_of_area.max(initial=0)) + 1,
    )


def grade_moments_reference(
    grade: np.ndarray,
    area: np.ndarray,
    kind_of_area: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    grades: range,
) -> tuple[np.ndarray, np.ndarray]:
    """`grade_moments` as a selection and `bincount`s of the grade (and grade x kind) of
    each row (`bincount` adds its weights in row order, as the kernel does)."""
    kind_of_area = np.asarray(kind_of_area, dtype=np.int64)
    n_grades, n_kinds = len(grades), int(kind_of_area.max(initial=0)) + 1
    rows = (grade >= grades.start) & (grade < grades.stop)
    g = (grade[rows] - grades.start).astype(np.int64)
    cell = g * n_kinds + kind_of_area[area[rows]]
    x = np.asarray(x, dtype=np.float64)[rows]
    y = np.asarray(y, dtype=np.float64)[rows]
    by_kind = np.stack(
        [np.bincount(cell, w, n_grades * n_kinds) for w in (np.ones(y.size), y, y * y)], axis=-1
    ).reshape(n_grades, n_kinds, 3)
    by_grade = np.stack(
        [np.bincount(g, w, n_grades) for w in (np.ones(y.size), x, x * x, y, y * y, x * y)],
        axis=-1,
    )
    return by_kind, by_grade


REFERENCES = {
    "split_by_cuts": split_by_cuts_reference,
    "split_by_kind": split_by_kind_reference,
    "counts_below_cut": counts_below_cut_reference,
    "grade_moments": grade_moments_reference,
}
"""Each compiled pass and its reference definition, by name."""
