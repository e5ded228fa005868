"""Facilities (libraries, labs, venues, language-test rooms) and their sharing within groups
and zones (Chongming 三5 and 五3: 图书馆、创新实验室 shared by the zone's schools).

Each school has a facility stock in [0, 1]: 1 for an urban school of normal size, less
by `facilities_rural_gap` for a rural school and by `facilities_small_gap` for one built
for fewer than `small_school_pupils` pupils (an assumption: the 2017 balance standard
measures equipment and teaching space per pupil, where rural and small schools fall
short). A school's own stock is part of its teaching quality as built, so only the use
sharing adds counts: with a kind's `shared_facilities` share `phi`, every campus of a
group gets the use of `phi` of the gap to the best stock among its campuses,

    gain = facility_effect * phi * (best_in_group - own)

(the best of its groups' gains when it is in several). Pure functions over arrays,
linear in schools and membership rows.
"""

from __future__ import annotations

import numpy as np

from edusim.policy.group_effects import strongest_per_school


def facility_stock(
    rural: np.ndarray,
    places: np.ndarray,
    rural_gap: float,
    small_gap: float,
    small_pupils: int,
) -> np.ndarray:
    """Each school's facility stock: `1 - rural_gap * rural - small_gap * small`, at least 0."""
    small = places < small_pupils
    return np.maximum(0.0, 1.0 - rural_gap * rural.astype(float) - small_gap * small)


def shared_facility_gain(
    stock: np.ndarray,
    row_school: np.ndarray,
    row_group: np.ndarray,
    row_share: np.ndarray,
    n_groups: int,
    effect: float,
) -> np.ndarray:
    """Teaching quality each school gains from the facilities its groups share: pass the
    rows of every campus (cores included); per row `effect * share * (best stock among the
    group's campuses - own stock)`, best row per school."""
    best = np.zeros(n_groups)
    if row_school.size:
        np.maximum.at(best, row_group, stock[row_school])
    gain = effect * row_share * (best[row_group] - stock[row_school])
    return strongest_per_school(gain, row_school, stock.size)
