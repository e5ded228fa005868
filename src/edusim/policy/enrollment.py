"""Where enrollment is decided: placing entering pupils in schools under hard capacities.

Rule in force (foundation): catchment (划片就近). Each entrant applies to the catchment
school of the address; places go to residents by priority (years of residence, then a
seeded lottery number that belongs to the family). Entrants a full school turns away are
placed, by the same priority, in the nearest school of their district with places left
(the district's 统筹安排). Later rules (zones, group-wide intake, choice) reuse
`admit_by_priority`, which is a vectorised school-side acceptance step.
"""

from __future__ import annotations

import numpy as np

UNPLACED = -1


def admit_by_priority(
    applied_school: np.ndarray, priority: np.ndarray, free_places: np.ndarray
) -> np.ndarray:
    """Which applicants each school admits: the highest priorities, up to its free places.

    Applicants with school -1 apply nowhere. Returns a boolean mask over applicants.
    """
    admitted = np.zeros(applied_school.size, dtype=bool)
    applying = np.flatnonzero(applied_school >= 0)
    if applying.size == 0:
        return admitted
    schools = applied_school[applying]
    order = np.lexsort((-priority[applying], schools))
    sorted_schools = schools[order]
    first_of_school = np.searchsorted(sorted_schools, sorted_schools, side="left")
    rank = np.arange(sorted_schools.size) - first_of_school
    admitted[applying[order]] = rank < free_places[sorted_schools]
    return admitted


def place_entrants(
    preference_lists: np.ndarray, priority: np.ndarray, free_places: np.ndarray
) -> np.ndarray:
    """Place entrants by rounds: in round r every unplaced entrant applies to the r-th school
    of its list, and schools admit by priority into their remaining places.

    `preference_lists` is (entrants x K) school indices, -1 padded. `free_places` is
    decremented in place. Returns each entrant's school, or -1 if its list ran out.
    """
    placed = np.full(preference_lists.shape[0], UNPLACED, dtype=np.int32)
    for column in range(preference_lists.shape[1]):
        waiting = placed == UNPLACED
        if not waiting.any():
            break
        applied = np.where(waiting, preference_lists[:, column], UNPLACED)
        full = (applied >= 0) & (free_places[np.maximum(applied, 0)] <= 0)
        applied[full] = UNPLACED
        admitted = admit_by_priority(applied, priority, free_places)
        placed[admitted] = applied[admitted]
        free_places -= np.bincount(applied[admitted], minlength=free_places.size)
    return placed


def extra_classes(
    resident_entrants: np.ndarray,
    entry_places: np.ndarray,
    class_size: np.ndarray,
    district_short: np.ndarray,
) -> np.ndarray:
    """Classes a district adds before the intake when its places fall short.

    In a district whose entrants of a stage outnumber its entry places (`district_short`,
    per school), every school whose resident entrants exceed its places gets the classes
    that seat them; the district's places then cover all its entrants, since every other
    school already seats its residents (assumption: districts plan capacity yearly).
    """
    excess = np.maximum(0, resident_entrants - entry_places)
    return np.where(district_short, np.ceil(excess / class_size), 0).astype(np.int64)
