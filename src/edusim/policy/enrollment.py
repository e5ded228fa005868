"""Where enrollment is decided: placing entering pupils in schools under hard capacities.

Rules: catchment (划片就近), multi-school zones (多校划片), group-wide enrollment
(集团统一招生) and choice with priorities. Under catchment each entrant applies to the
catchment school of its address, and places go to residents by priority (years of
residence, then a seeded lottery number that belongs to the family); entrants a full
school turns away are placed, by the same priority, in the nearest school of their
district with places left (the district's 统筹安排). Residents rank by the priority ladder
(local registration and ownership first, then owners, renters, and migrant families by
points) before years of residence and the lottery. The other three rules build
preference lists and priorities here and run deferred acceptance (policy/matching.py);
whoever it leaves unplaced is placed like a turned-away catchment entrant.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.grouped import stable_argsort
from edusim.scenario.schema import EnrollmentParams

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
    preference_lists: np.ndarray,
    priority: np.ndarray,
    free_places: np.ndarray,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Place entrants by rounds: in round r every unplaced entrant applies to the r-th school
    of its list, and schools admit by priority into their remaining places (ties: the
    earlier entrant first).

    `preference_lists` is (lists x K) school indices, -1 padded: entrant i's list is row
    `rows[i]` (default: row i), so entrants who share a list (the same cell) share a row
    and no entrants x K table is built. `free_places` (integers) is decremented in place.
    Returns each entrant's school, or -1 if its list ran out.

    One stable sort by priority, then compiled rounds: walking the waiting entrants in
    priority order and admitting each where its school still has a place admits, in every
    school, exactly the highest priorities up to its places, as `admit_by_priority` does
    round by round (`place_entrants_reference`, compared in tests/policy/test_enrollment.py).
    """
    priority = np.asarray(priority, dtype=float)
    if rows is None:
        rows = np.arange(priority.size)
    order = stable_argsort(-priority)  # the stable sort's order, faster without ties
    return _placement_rounds(preference_lists, np.asarray(rows, dtype=np.int64), order, free_places)


@njit(cache=True)
def _placement_rounds(lists, rows, order, free):  # pragma: no cover - compiled
    """Round r: each waiting entrant, in `order`, takes a place at the r-th school of its
    list if one is free; the others wait, in the same order, for the next round."""
    placed = np.full(order.size, UNPLACED, dtype=np.int32)
    waiting = order.copy()
    n_waiting = waiting.size
    for column in range(lists.shape[1]):
        if n_waiting == 0:
            break
        kept = 0
        for j in range(n_waiting):
            entrant = waiting[j]
            school = lists[rows[entrant], column]
            if school >= 0 and free[school] > 0:
                placed[entrant] = school
                free[school] -= 1
            else:
                waiting[kept] = entrant
                kept += 1
        n_waiting = kept
    return placed


def place_entrants_reference(
    preference_lists: np.ndarray, priority: np.ndarray, free_places: np.ndarray
) -> np.ndarray:
    """`place_entrants` as whole-array rounds of `admit_by_priority` (the rule as first
    written; kept as the reference the compiled rounds are tested against)."""
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


STANDING_CLASS_WIDTH = 100.0
"""Room for years of residence (or points) inside one class of the priority ladder."""


def resident_classes(
    local_hukou: np.ndarray, owner: np.ndarray, residence_years: np.ndarray, renter_min_years: float
) -> dict[str, np.ndarray]:
    """Mask of each class: local_owner, owner (non-local), renter (local, resident long
    enough) and migrant (everyone else, admitted by points to the places left)."""
    local_owner = local_hukou & owner
    other_owner = ~local_hukou & owner
    renter = local_hukou & ~owner & (residence_years >= renter_min_years)
    return {
        "local_owner": local_owner,
        "owner": other_owner,
        "renter": renter,
        "migrant": ~(local_owner | other_owner | renter),
    }


RESIDENT_CLASSES: tuple[str, ...] = ("local_owner", "owner", "renter", "migrant")
"""The classes of catchment residents, in the default order of the priority ladder."""


def ladder_class(
    local_hukou: np.ndarray, owner: np.ndarray, residence_years: np.ndarray, renter_min_years: float
) -> np.ndarray:
    """Index into RESIDENT_CLASSES of each family's class (the classes of
    `resident_classes`, in three whole-array passes instead of a mask per class): owners
    0 if local, else 1; others 2 if local and resident at least `renter_min_years`, else 3."""
    local_hukou = np.asarray(local_hukou)
    as_owner = (~local_hukou).astype(np.int64)
    as_tenant = 3 - (local_hukou & (np.asarray(residence_years) >= renter_min_years))
    return np.where(owner, as_owner, as_tenant)


def resident_standing(
    local_hukou: np.ndarray,
    owner: np.ndarray,
    residence_years: np.ndarray,
    params: EnrollmentParams,
) -> np.ndarray:
    """Priority of catchment residents (higher first): the ladder class, then whole years of
    residence (a migrant family's points), before the lottery adds a fraction. Classes left
    off the ladder rank last."""
    ladder = list(params.priority_ladder)
    rank = np.zeros(local_hukou.size)
    classes = resident_classes(local_hukou, owner, residence_years, params.renter_min_years)
    for name, members in classes.items():
        if name in ladder:
            rank[members] = len(ladder) - ladder.index(name)
    years = np.minimum(np.floor(residence_years), STANDING_CLASS_WIDTH - 1)
    return rank * STANDING_CLASS_WIDTH + years


RULE_CODES: dict[str, int] = {"catchment": 0, "zones": 1, "group": 2, "choice": 3, "achievement": 4}
STAGE_NAMES: tuple[str, str] = ("primary", "junior")


def rules_in_force(params: EnrollmentParams, district_names: list[str]) -> np.ndarray:
    """Rule code for every (district, stage): the default, then `by_area` entries in order."""
    codes = np.full((len(district_names), 2), RULE_CODES[params.rule], dtype=np.int8)
    for scope in params.by_area:
        districts = [district_names.index(d) for d in scope.districts] or range(len(district_names))
        for district in districts:
            for stage in scope.stages:
                codes[district, STAGE_NAMES.index(stage)] = RULE_CODES[scope.rule]
    return codes


def zone_of_schools(
    x_km: np.ndarray, y_km: np.ndarray, district: np.ndarray, stage: np.ndarray, size: int
) -> np.ndarray:
    """Multi-school zones: each district's schools of a stage, taken in order of angle around
    their centre, are cut into runs of `size` neighbours (a last lone school joins the run
    before it). Schools with district -1 (private) get no zone. Returns a zone id per school
    (-1: none)."""
    zone = np.full(x_km.size, -1, dtype=np.int64)
    next_zone = 0
    for d in np.unique(district[district >= 0]):
        for s in (0, 1):
            members = np.flatnonzero((district == d) & (stage == s))
            if members.size == 0:
                continue
            angle = np.arctan2(
                y_km[members] - y_km[members].mean(), x_km[members] - x_km[members].mean()
            )
            ordered = members[np.argsort(angle, kind="stable")]
            runs = np.arange(ordered.size) // size
            if ordered.size > 1 and np.count_nonzero(runs == runs[-1]) == 1:
                runs[-1] -= 1
            zone[ordered] = next_zone + runs
            next_zone += int(runs.max()) + 1
    return zone


def members_table(owner: np.ndarray, n_owners: int) -> np.ndarray:
    """(owners x width) table of the schools belonging to each owner id (zone, group...), -1 padded."""
    counts = np.bincount(owner[owner >= 0], minlength=n_owners)
    table = np.full((n_owners, max(int(counts.max(initial=1)), 1)), UNPLACED, dtype=np.int64)
    schools = np.flatnonzero(owner >= 0)
    # schools in index order within each owner: one stable sort, no loop over schools
    schools = schools[np.argsort(owner[schools], kind="stable")]
    owners = owner[schools]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    table[owners, np.arange(schools.size) - starts[owners]] = schools
    return table


def consideration_set(nearest: np.ndarray, reputed: np.ndarray) -> np.ndarray:
    """The schools a family weighs under choice: its nearest schools and its district's most
    reputed ones, each once (-1 padded)."""
    candidates = np.sort(np.column_stack([nearest, reputed]), axis=1)
    repeated = np.zeros(candidates.shape, dtype=bool)
    repeated[:, 1:] = candidates[:, 1:] == candidates[:, :-1]
    return np.where(repeated, UNPLACED, candidates)


def ranked_lists(candidates: np.ndarray, utility: np.ndarray, length: int) -> np.ndarray:
    """Each row's candidates sorted by utility, best first, cut to `length` (-1 padded)."""
    utility = np.where(candidates >= 0, utility, -np.inf)
    if length < candidates.shape[1]:
        best = np.argpartition(-utility, length - 1, axis=1)[:, :length]
        candidates = np.take_along_axis(candidates, best, axis=1)
        utility = np.take_along_axis(utility, best, axis=1)
    order = np.argsort(-utility, axis=1, kind="stable")
    ranked = np.take_along_axis(candidates, order, axis=1)
    return np.where(np.take_along_axis(utility, order, axis=1) > -np.inf, ranked, UNPLACED)


def with_fallback(lists: np.ndarray, home: np.ndarray) -> np.ndarray:
    """Append the catchment school to every list that lacks it (the safe choice)."""
    missing = ~(lists == home[:, None]).any(axis=1)
    return np.column_stack([lists, np.where(missing, home, UNPLACED)])


PRIORITY_LEVEL = 1e6
"""Width of a priority level (resident, feeder, sibling); standings (< 500) are scaled by 1e3 below
it, whole-km distance bands (< 1000) below that, and the lottery number in [0, 1) last."""
DISTANCE_BANDS = 1000


def applicant_priority(
    resident: np.ndarray,
    standing: np.ndarray,
    sibling: np.ndarray,
    km: np.ndarray,
    lottery: np.ndarray,
    distance_priority: bool,
    feeder: np.ndarray | None = None,
) -> np.ndarray:
    """Priority of each applicant at each listed school (applicants x K, higher first).

    Lexicographic: residents with priority there (by their ladder standing) first, then
    applicants with an older sibling there, then (if `distance_priority`) the nearer in
    whole km, then the lottery number. `resident` and `sibling` are applicants x K masks,
    `standing` per applicant, `km` applicants x K, `lottery` per applicant (single
    tie-breaking) or applicants x K (multiple). With `feeder` (applicants x K mask of
    the junior school fed by the applicant's primary school, policy/admission.py), fed
    pupils form a level below residents and above siblings.
    """
    level = 2.0 * resident + sibling if feeder is None else 4.0 * resident + 2.0 * feeder + sibling
    priority = level * PRIORITY_LEVEL + resident * np.maximum(standing, 0.0)[:, None] * 1e3
    if distance_priority:
        priority += DISTANCE_BANDS - 1 - np.minimum(np.floor(km), DISTANCE_BANDS - 1)
    return priority + (lottery if lottery.ndim == 2 else lottery[:, None])


def reserved_seats(
    lists: np.ndarray, home: np.ndarray, entitled: np.ndarray, free: np.ndarray, share: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split every school into reserved seats (index s, its own catchment residents first)
    and open seats (index n + s), for deferred acceptance with reserved places.

    A resident lists its catchment school's reserved seats before its open seats; everyone
    else the open seats first, so reserved seats residents leave empty go to others.
    Returns (seat lists, resident-at-seat mask, free places per seat), seat lists twice as
    wide as `lists`.
    """
    n = free.size
    reserved = np.floor(share * np.maximum(free, 0)).astype(np.int64)
    seat_free = np.concatenate([reserved, free - reserved])
    at_home = (lists == home[:, None]) & entitled[:, None] & (lists >= 0)
    first = np.where(at_home, lists, lists + n)
    second = np.where(at_home, lists + n, lists)
    seats = np.stack([first, second], axis=2).reshape(lists.shape[0], -1)
    seats[np.repeat(lists < 0, 2, axis=1)] = UNPLACED
    resident = np.repeat(at_home, 2, axis=1) & (seats < n)
    return seats, resident, seat_free
