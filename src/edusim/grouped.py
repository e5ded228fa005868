"""Operations on rows that belong to groups (schools, catchments, districts), vectorised.

One sort replaces a Python loop over groups: rows are ordered by group and, within a
group, by a key, and each row's position in its group follows from where its group starts.
"""

from __future__ import annotations

import numpy as np


def rank_within(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank of each row within its group by `key`, highest first (0 = best); ties keep the
    rows' order (a stable sort)."""
    order = np.lexsort((-key, group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    first = np.repeat(starts, np.diff(np.r_[starts, order.size]))
    ranks = np.empty(order.size, dtype=np.int64)
    ranks[order] = np.arange(order.size) - first
    return ranks
