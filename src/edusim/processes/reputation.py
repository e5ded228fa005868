"""Reputation: the public's lagged, within-stage reading of schools' observed results."""

from __future__ import annotations

import numpy as np


def _has_spread(spread: float, values: np.ndarray) -> bool:
    """Whether `spread` is a spread at all next to the size of `values` (not rounding)."""
    return spread > 1e-9 * max(1.0, float(np.abs(values).max()))


def standardise_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """z-scores of `values` within each group (0 where a group has no spread)."""
    result = np.zeros(values.size)
    for group in np.unique(groups):
        members = groups == group
        spread = values[members].std()
        if _has_spread(spread, values[members]):
            result[members] = (values[members] - values[members].mean()) / spread
    return result


def results_yardstick(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """The spread of `values` within each group 0..n_groups-1 (0 for a group with no
    school or no spread): the unit in which the public reads results from then on."""
    spread = np.zeros(n_groups)
    for group in np.unique(groups):
        members = values[groups == group]
        if group < n_groups and _has_spread(members.std(), members):
            spread[group] = members.std()
    return spread


def results_reading(values: np.ndarray, groups: np.ndarray, yardstick: np.ndarray) -> np.ndarray:
    """What the public reads of each school's results: its distance from this year's mean of
    its group (stage), in the group's fixed `yardstick` (results_yardstick at the start; 0
    where the yardstick is 0).

    The unit is fixed because results are published in marks, whose scale does not move
    with the spread of other schools: with this year's spread as the unit (a z-score), a
    few private schools drawing away from the rest stretch the unit and shrink every
    public school's lead over another in reputation, though neither school's results
    changed (Hangzhou's junior stage, catchment arm, seed 1: the spread over all schools
    rose from 0.33 to 0.39 pupil SD in 13 years while the public schools' stayed near
    0.27, and their reputations' spread fell from 0.92 to 0.71). At the start the reading
    equals the z-score."""
    result = np.zeros(values.size)
    for group in np.unique(groups):
        members = groups == group
        unit = yardstick[group] if group < yardstick.size else 0.0
        if unit > 0:
            result[members] = (values[members] - values[members].mean()) / unit
    return result


def updated_reputation(
    reputation: np.ndarray, observed_z: np.ndarray, update_rate: float
) -> np.ndarray:
    """Exponential smoothing: reputation moves a share `update_rate` toward what the public
    reads this year (`observed_z`: the results' reading plus the school's brand, so a
    famous name keeps its lead over its results while the brand lasts)."""
    return (1.0 - update_rate) * reputation + update_rate * observed_z
