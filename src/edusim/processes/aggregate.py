"""Per-school aggregation of population arrays.

Each aggregate is one compiled pass over the rows (numba, cached), with the whole-array
numpy definition kept beside it as `*_reference`: the pass adds the rows of a school in
row order, as `np.bincount` does, so both give bit-identical results (compared in
tests/processes/test_aggregate.py and, over whole simulated years, in
tests/test_kernels_match_reference.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _counts(school, n_schools):  # pragma: no cover - compiled
    counts = np.zeros(n_schools, dtype=np.int64)
    for i in range(school.size):
        s = school[i]
        if s >= 0:
            counts[s] += 1
    return counts


@njit(cache=True)
def _totals(values, school, n_schools):  # pragma: no cover - compiled
    totals = np.zeros(n_schools)
    counts = np.zeros(n_schools, dtype=np.int64)
    for i in range(school.size):
        s = school[i]
        if s >= 0:
            totals[s] += values[i]
            counts[s] += 1
    return totals, counts


@njit(cache=True)
def _moments(values, school, n_schools):  # pragma: no cover - compiled
    counts = np.zeros(n_schools)
    sums = np.zeros(n_schools)
    squares = np.zeros(n_schools)
    for i in range(school.size):
        s = school[i]
        if s >= 0:
            counts[s] += 1.0
            sums[s] += values[i]
            squares[s] += values[i] * values[i]
    return counts, sums, squares


@njit(cache=True)
def _quantiles(values, school, n_schools, q):  # pragma: no cover - compiled
    counts = np.zeros(n_schools, dtype=np.int64)
    for i in range(school.size):
        s = school[i]
        if 0 <= s < n_schools:
            counts[s] += 1
    starts = np.zeros(n_schools + 1, dtype=np.int64)
    for s in range(n_schools):
        starts[s + 1] = starts[s] + counts[s]
    filled = starts[:-1].copy()
    grouped = np.empty(starts[n_schools])
    for i in range(school.size):
        s = school[i]
        if 0 <= s < n_schools:
            grouped[filled[s]] = values[i]
            filled[s] += 1
    result = np.zeros(n_schools)
    for s in range(n_schools):
        if counts[s] > 0:
            segment = grouped[starts[s] : starts[s + 1]]
            ranked = np.argsort(segment, kind="mergesort")  # stable: as the lexsort
            result[s] = segment[ranked[int(np.floor(q * (counts[s] - 1)))]]
    return result


def school_counts(school: np.ndarray, n_schools: int) -> np.ndarray:
    """Number of rows at each school (rows with school -1 are ignored)."""
    return _counts(np.asarray(school), n_schools)


def school_mean(
    values: np.ndarray, school: np.ndarray, n_schools: int, empty: float = 0.0
) -> np.ndarray:
    """Mean of `values` per school; schools without rows get `empty`."""
    totals, counts = _totals(np.asarray(values), np.asarray(school), n_schools)
    means = np.full(n_schools, empty, dtype=float)
    np.divide(totals, counts, out=means, where=counts > 0)
    return means


def school_moments(
    values: np.ndarray, school: np.ndarray, n_schools: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, sum and sum of squares of `values` per school (floats; rows with school -1
    are ignored), in one pass: no masked copies of the columns and no squared column."""
    return _moments(np.asarray(values, dtype=float), np.asarray(school), n_schools)


def school_quantile(values: np.ndarray, school: np.ndarray, n_schools: int, q: float) -> np.ndarray:
    """The q-quantile of `values` within each school (lower interpolation): the value at
    position floor(q (n - 1)) of the school's n values in ascending order."""
    return _quantiles(np.asarray(values, dtype=float), np.asarray(school), n_schools, float(q))


# -- the whole-array definitions the passes are tested against ------------------------------
def school_counts_reference(school: np.ndarray, n_schools: int) -> np.ndarray:
    """`school_counts` with `np.bincount`."""
    placed = school >= 0
    return np.bincount(school[placed], minlength=n_schools)


def school_mean_reference(
    values: np.ndarray, school: np.ndarray, n_schools: int, empty: float = 0.0
) -> np.ndarray:
    """`school_mean` with `np.bincount`."""
    placed = school >= 0
    totals = np.bincount(school[placed], weights=values[placed], minlength=n_schools)
    counts = np.bincount(school[placed], minlength=n_schools)
    means = np.full(n_schools, empty, dtype=float)
    np.divide(totals, counts, out=means, where=counts > 0)
    return means


def school_moments_reference(
    values: np.ndarray, school: np.ndarray, n_schools: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`school_moments` with `np.bincount`."""
    placed = school >= 0
    at, kept = school[placed], values[placed]
    return (
        np.bincount(at, minlength=n_schools).astype(float),
        np.bincount(at, kept, n_schools).astype(float),  # float also with no rows
        np.bincount(at, kept * kept, n_schools).astype(float),
    )


def school_quantile_reference(
    values: np.ndarray, school: np.ndarray, n_schools: int, q: float
) -> np.ndarray:
    """`school_quantile` with one `np.lexsort` by school and value."""
    order = np.lexsort((values, school))
    sorted_school = school[order]
    sorted_values = values[order]
    starts = np.searchsorted(sorted_school, np.arange(n_schools), side="left")
    ends = np.searchsorted(sorted_school, np.arange(n_schools), side="right")
    counts = ends - starts
    result = np.zeros(n_schools)
    has = counts > 0
    position = starts[has] + np.floor(q * (counts[has] - 1)).astype(np.int64)
    result[has] = sorted_values[position]
    return result


REFERENCES = {
    "school_counts": school_counts_reference,
    "school_mean": school_mean_reference,
    "school_quantile": school_quantile_reference,
    "school_moments": school_moments_reference,
}
"""Each compiled aggregate and its reference definition, by name."""
