"""Reputation: the public's lagged, within-stage reading of schools' observed results."""

from __future__ import annotations

import numpy as np


def standardise_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """z-scores of `values` within each group (0 where a group has no spread)."""
    result = np.zeros(values.size)
    for group in np.unique(groups):
        members = groups == group
        spread = values[members].std()
        if spread > 1e-9 * max(1.0, float(np.abs(values[members]).max())):
            result[members] = (values[members] - values[members].mean()) / spread
    return result


def updated_reputation(
    reputation: np.ndarray, observed_z: np.ndarray, update_rate: float
) -> np.ndarray:
    """Exponential smoothing: reputation moves a share `update_rate` toward what the public
    reads this year (`observed_z`: the results' z-score plus the school's brand, so a
    famous name keeps its lead over its results while the brand lasts)."""
    return (1.0 - update_rate) * reputation + update_rate * observed_z
