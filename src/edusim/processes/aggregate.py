"""Per-school aggregation of population arrays (vectorised with bincount)."""

from __future__ import annotations

import numpy as np


def school_counts(school: np.ndarray, n_schools: int) -> np.ndarray:
    """Number of rows at each school (rows with school -1 are ignored)."""
    placed = school >= 0
    return np.bincount(school[placed], minlength=n_schools)


def school_mean(
    values: np.ndarray, school: np.ndarray, n_schools: int, empty: float = 0.0
) -> np.ndarray:
    """Mean of `values` per school; schools without rows get `empty`."""
    placed = school >= 0
    totals = np.bincount(school[placed], weights=values[placed], minlength=n_schools)
    counts = np.bincount(school[placed], minlength=n_schools)
    means = np.full(n_schools, empty, dtype=float)
    np.divide(totals, counts, out=means, where=counts > 0)
    return means


def school_quantile(values: np.ndarray, school: np.ndarray, n_schools: int, q: float) -> np.ndarray:
    """The q-quantile of `values` within each school (lower interpolation), vectorised."""
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
