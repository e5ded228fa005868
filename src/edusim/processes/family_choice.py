"""Families' decisions at school entry: what they expect an address to give, how they rank
schools, and whether to go private. Where they live is decided in the housing market
(processes/housing.py), from the values these expectations put on each address.

Expectations (adaptive). A family judges a catchment address by what it got families like
itself: `access[c, k]`, the mean reputation of the schools that entrants of ladder class k
resident in c's catchment ended up in (see `access_reputation`), blended over intakes with
weight `outcome_memory` on the earlier expectation. Reputation, not true quality, is what
families see; the rule in force (catchment, zones, group-wide or choice) changes what an
address is worth through the outcomes it produces. A family values the access an address
gives over its present one at

    V = taste * income * (access[c, class] - access[home, class_now])

yuan over the stage (taste is in income-years per SD of reputation).

Ranking schools (zones, group-wide enrollment, choice, private schools): in yuan,

    V_s = taste * income * reputation_s - distance_cost_income_share_per_km * income * km_s
          + sibling_value_income_share * income * [s is an older sibling's school]
          - fee_s * years_of_stage

Travel costs parents' time, so they scale with income like the value of quality: the
ranking of schools depends on income only through taste (`taste_income_slope`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from edusim.grouped import rank_within
from edusim.scenario.schema import FamilyParams


def access_reputation(
    home_school: np.ndarray,
    ladder_class: np.ndarray,
    placed_school: np.ndarray,
    reputation: np.ndarray,
    n_classes: int,
) -> np.ndarray:
    """(classes x schools) mean reputation of the schools that entrants of each ladder class
    living in each catchment were placed in. A class with no such entrant gets the value of
    the class above it (a family assumes it does no better than a stronger class), the top
    class the catchment school's own reputation."""
    n_schools = reputation.size
    key = ladder_class * n_schools + home_school
    counts = np.bincount(key, minlength=n_classes * n_schools).reshape(n_classes, n_schools)
    sums = np.bincount(key, reputation[placed_school], n_classes * n_schools).reshape(
        n_classes, n_schools
    )
    access = np.empty((n_classes, n_schools))
    above = reputation
    for k in range(n_classes):
        access[k] = np.where(counts[k] > 0, sums[k] / np.maximum(counts[k], 1), above)
        above = access[k]
    return access


def school_values(
    candidates: np.ndarray,
    reputation: np.ndarray,
    km: np.ndarray,
    income_cny: np.ndarray,
    taste: np.ndarray,
    sibling_school: np.ndarray,
    params: FamilyParams,
    distance_cost_income_share_per_km: float,
    fee_cny: np.ndarray | None = None,
    specialty_bonus: np.ndarray | None = None,
) -> np.ndarray:
    """Value in yuan of each candidate school (families x K; -inf where the entry is -1).

    `km` is families x K travel distances; `fee_cny` per school (whole stage), if any;
    `specialty_bonus` (families x K, SD of reputation), if given, is what a school
    offering the specialty a family cares for adds to its reputation for that family
    (policy/specialties.match_bonus)."""
    safe = np.maximum(candidates, 0)
    if specialty_bonus is None:
        value = (taste * income_cny)[:, None] * reputation[safe]
    else:
        value = (taste * income_cny)[:, None] * (reputation[safe] + specialty_bonus)
    value -= distance_cost_income_share_per_km * income_cny[:, None] * km
    value += (
        params.sibling_value_income_share
        * (income_cny[:, None])
        * (candidates == sibling_school[:, None])
    )
    if fee_cny is not None:
        value -= fee_cny[safe]
    return np.where(candidates >= 0, value, -np.inf)


def top_reputation_candidates(
    reputation: np.ndarray,
    school_district: np.ndarray,
    school_stage: np.ndarray,
    k: int,
    n_districts: int,
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """(districts, stages, k) table of each district's k most reputed schools, -1 padded
    (only schools flagged `eligible`, if given); equal reputations rank the lower school
    index first. One ranking of the schools within district and stage (`grouped.rank_within`),
    not a pass over every school for each district and stage (`top_reputation_candidates_reference`,
    compared in tests/processes/test_family_choice.py)."""
    table = np.full((n_districts, 2, k), -1, dtype=np.int64)
    allowed = np.ones(reputation.size, dtype=bool) if eligible is None else eligible
    members = np.flatnonzero(
        allowed
        & (school_district >= 0)
        & (school_district < n_districts)
        & ((school_stage == 0) | (school_stage == 1))
    )
    if members.size == 0 or k <= 0:
        return table
    # rank within each district and stage by reputation, ties keeping the lower index
    group = school_district[members].astype(np.int64) * 2 + school_stage[members]
    rank = rank_within(group, reputation[members])
    kept = rank < k
    table[group[kept] // 2, group[kept] % 2, rank[kept]] = members[kept]
    return table


def top_reputation_candidates_reference(
    reputation: np.ndarray,
    school_district: np.ndarray,
    school_stage: np.ndarray,
    k: int,
    n_districts: int,
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """`top_reputation_candidates` district by district and stage by stage (the form it
    replaced: a pass over every school for each)."""
    table = np.full((n_districts, 2, k), -1, dtype=np.int64)
    allowed = np.ones(reputation.size, dtype=bool) if eligible is None else eligible
    for district in range(n_districts):
        for stage in (0, 1):
            members = np.flatnonzero(
                (school_district == district) & (school_stage == stage) & allowed
            )
            best = members[np.argsort(-reputation[members], kind="stable")[:k]]
            table[district, stage, : best.size] = best
    return table


def address_candidates(home: np.ndarray, nearest: np.ndarray, reputed: np.ndarray) -> np.ndarray:
    """The catchments each family weighs in the housing market (families x K, -1 padded at
    the end of each row): its own catchment (`home`, the status quo it compares against),
    the catchments nearest its home (`nearest`, families x N) and its district's most
    reputed schools (`reputed`, families x M), each once. Sort-based, no loop over
    families: a family in an ordinary catchment weighs its neighbours, so every catchment
    whose access some nearby family values above its own can draw bidders."""
    stacked = np.column_stack([home[:, None], nearest, reputed]).astype(np.int64)
    stacked = np.where(stacked >= 0, stacked, -1)
    ordered = -np.sort(-stacked, axis=1)  # descending: -1 padding last
    repeated = np.zeros(ordered.shape, dtype=bool)
    repeated[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    unique = -np.sort(-np.where(repeated, -1, ordered), axis=1)
    width = int((unique >= 0).sum(axis=1).max(initial=0))
    return unique[:, : max(width, 1)]


def junior_access_of_catchments(
    cell_weight: np.ndarray,
    primary_of_cell: np.ndarray,
    junior_of_cell: np.ndarray,
    junior_access: np.ndarray,
    n_schools: int,
) -> np.ndarray:
    """(classes x schools) the junior access a primary catchment's dwellings give: for
    each ladder class, the mean over the catchment's cells, by residential weight, of
    what the junior catchment of the cell gives that class (`junior_access`, classes x
    schools). Junior places follow the address (对口 by address); 0 for schools with no
    primary catchment."""
    has = (primary_of_cell >= 0) & (junior_of_cell >= 0)
    weight, primary, junior = cell_weight[has], primary_of_cell[has], junior_of_cell[has]
    total = np.bincount(primary, weight, minlength=n_schools)
    result = np.zeros((junior_access.shape[0], n_schools))
    for k in range(junior_access.shape[0]):
        sums = np.bincount(primary, weight * junior_access[k, junior], minlength=n_schools)
        result[k] = np.where(total > 0, sums / np.maximum(total, 1e-300), 0.0)
    return result


def address_values(
    considered: np.ndarray,
    row_of: np.ndarray,
    as_owner: np.ndarray,
    as_renter: np.ndarray,
    own_access: np.ndarray,
    access: np.ndarray,
    used: np.ndarray,
    current_own: np.ndarray,
    current: np.ndarray,
    worth: np.ndarray,
    liked: np.ndarray | None = None,
    offered: np.ndarray | None = None,
    match_value: float = 0.0,
    current_match: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each family gains in yuan from buying or renting each address it weighs.

    Family i weighs the addresses of row `row_of[i]` of `considered` (-1 padded). Buying
    in c gives `worth x (own_access[as_owner, c] - current_own)` (the access an owner's
    address gives, over its present one); renting gives `worth x (1 - used[c]) x
    (access[as_renter, c] - current)` (a let flat may be one already used under the
    dwelling rule). With school specialties on (`match_value` > 0), an address whose
    catchment school offers the kind family i cares for (`liked[i]`, -1 none; `offered`
    per school) adds `match_value` (SD of reputation) to both access gains, less what its
    present address gives (`current_match[i]`). Gains that are not positive are -inf
    (never worth a move). Returns the candidates (families x K) and the two value tables,
    in one compiled pass (`address_values_reference` is the whole-array definition)."""
    n = row_of.size
    if match_value <= 0 or liked is None or offered is None:
        liked, offered = np.full(n, -1), np.full(own_access.shape[1], -1)
        match_value, current_match = 0.0, np.zeros(n)
    return _address_values(
        considered.astype(np.int64), row_of.astype(np.int64), as_owner.astype(np.int64),
        as_renter.astype(np.int64), own_access, access, used.astype(np.float64),
        current_own, current, worth, np.asarray(liked, dtype=np.int64),
        np.asarray(offered, dtype=np.int64), float(match_value),
        np.asarray(current_match, dtype=np.float64),
    )  # fmt: skip


@njit(cache=True)
def _address_values(
    considered, row_of, as_owner, as_renter, own_access, access, used, current_own, current,
    worth, liked, offered, match_value, current_match,
):  # pragma: no cover - compiled  # fmt: skip
    n, width = row_of.size, considered.shape[1]
    candidates = np.empty((n, width), dtype=np.int64)
    value_buy = np.empty((n, width))
    value_rent = np.empty((n, width))
    for i in range(n):
        for k in range(width):
            c = considered[row_of[i], k]
            candidates[i, k] = c
            safe = max(c, 0)
            if match_value > 0.0:
                bonus = -current_match[i]
                if c >= 0 and liked[i] >= 0 and offered[safe] == liked[i]:
                    bonus += match_value
                gain_own = own_access[as_owner[i], safe] - current_own[i] + bonus
                gain_let = access[as_renter[i], safe] - current[i] + bonus
                buy = worth[i] * gain_own
                rent = worth[i] * ((1.0 - used[safe]) * gain_let)
            else:
                buy = worth[i] * (own_access[as_owner[i], safe] - current_own[i])
                rent = worth[i] * ((1.0 - used[safe]) * (access[as_renter[i], safe] - current[i]))
            value_buy[i, k] = buy if buy > 0 else -np.inf
            value_rent[i, k] = rent if rent > 0 else -np.inf
    return candidates, value_buy, value_rent


def address_values_reference(
    considered, row_of, as_owner, as_renter, own_access, access, used, current_own, current,
    worth, liked=None, offered=None, match_value=0.0, current_match=None,
):  # fmt: skip
    """`address_values` as families x K arrays (the form it replaced)."""
    candidates = considered[row_of]
    safe = np.maximum(candidates, 0)
    if match_value > 0 and liked is not None and offered is not None:
        hit = (candidates >= 0) & (liked[:, None] >= 0) & (offered[safe] == liked[:, None])
        bonus = np.where(hit, match_value, 0.0) - current_match[:, None]
        gain_buy = own_access[as_owner[:, None], safe] - current_own[:, None] + bonus
        gain_rent = (1.0 - used[safe]) * (
            access[as_renter[:, None], safe] - current[:, None] + bonus
        )
    else:
        gain_buy = own_access[as_owner[:, None], safe] - current_own[:, None]
        gain_rent = (1.0 - used[safe]) * (access[as_renter[:, None], safe] - current[:, None])
    value_buy = worth[:, None] * gain_buy
    value_rent = worth[:, None] * gain_rent
    return (
        candidates,
        np.where(value_buy > 0, value_buy, -np.inf),
        np.where(value_rent > 0, value_rent, -np.inf),
    )
