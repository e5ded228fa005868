"""Families' decisions at school entry: where to live, how they rank schools, and whether to
go private.

Housing. A family judges a catchment address by what it got families like itself last
year: `access[c, k]`, the mean reputation of the schools that last year's entrants of
ladder class k resident in c's catchment ended up in (see `access_reputation`). Buying
into c makes the family an owner, renting a renter; for each candidate c and tenure t:

    U_ct = taste * income * (1 - used_c) * (access[c, class_t] - access[home, class_now])
           - cost_ct

    cost_c,buy  = (premium_c - premium_home) + moving_cost_share * base_price * flat_size
    cost_c,rent = rent_premium_share * (premium_c - premium_home)
                  + rent_moving_cost_share * base_price * flat_size

used_c is the share of c's dwellings already used under a one-enrollment-per-dwelling
rule. Buying is affordable when the premium difference is at most
`affordability_income_multiple * income`, renting when its cost is. Only moves that
improve the family's school prospect count (a move to cash in a dearer flat is a housing
decision outside the model). The family takes the affordable option with the highest
positive U, or stays. Reputation, not true quality, is
what families see; they learn each address's worth from last year's outcomes, so the
rule in force (catchment, zones, group-wide or choice) changes what an address is worth
without families being told the rule.

Ranking schools (zones, group-wide enrollment, choice, private schools): in yuan,

    V_s = taste * income * reputation_s - distance_cost_income_share_per_km * income * km_s
          + sibling_value_income_share * income * [s is an older sibling's school]
          - fee_s * years_of_stage

Travel costs parents' time, so they scale with income like the value of quality: the
ranking of schools depends on income only through taste (`taste_income_slope`).
"""

from __future__ import annotations

import numpy as np

from edusim.scenario.schema import FamilyParams

STAY = -1
BUY, RENT = 0, 1


def chosen_moves(
    home_school: np.ndarray,
    current_access: np.ndarray,
    candidates: np.ndarray,
    access_if_buying: np.ndarray,
    access_if_renting: np.ndarray,
    premium_cny: np.ndarray,
    income_cny: np.ndarray,
    taste: np.ndarray,
    flat_price_cny: np.ndarray,
    params: FamilyParams,
) -> tuple[np.ndarray, np.ndarray]:
    """The school catchment each family moves into (-1: stays) and how (BUY or RENT).

    Per family: `home_school`, `current_access` (reputation its address gives it now),
    `income_cny`, `taste`, `flat_price_cny` (base price of a typical flat in its district);
    `candidates` is families x K school indices (-1 padded); `access_if_buying` and
    `access_if_renting` are families x K: the reputation the address would give it under
    each tenure, already discounted by the dwelling rule.
    """
    valid = (candidates >= 0) & (candidates != home_school[:, None])
    safe = np.maximum(candidates, 0)
    extra_premium = premium_cny[safe] - premium_cny[home_school][:, None]
    value = (taste * income_cny)[:, None]
    limit = (params.affordability_income_multiple * income_cny)[:, None]
    buy_cost = extra_premium + (params.moving_cost_share * flat_price_cny)[:, None]
    rent_cost = (
        params.rent_premium_share * extra_premium
        + (params.rent_moving_cost_share * flat_price_cny)[:, None]
    )
    buy_gain = access_if_buying - current_access[:, None]
    rent_gain = access_if_renting - current_access[:, None]
    buy = np.where(
        valid & (extra_premium <= limit) & (buy_gain > 0), value * buy_gain - buy_cost, -np.inf
    )
    rent = np.where(
        valid & (rent_cost <= limit) & (rent_gain > 0), value * rent_gain - rent_cost, -np.inf
    )
    options = np.concatenate([buy, rent], axis=1)
    best = np.argmax(options, axis=1)
    rows = np.arange(best.size)
    width = candidates.shape[1]
    target = np.where(options[rows, best] > 0, candidates[rows, best % width], STAY)
    return target, np.where(best < width, BUY, RENT)


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
) -> np.ndarray:
    """Value in yuan of each candidate school (families x K; -inf where the entry is -1).

    `km` is families x K travel distances; `fee_cny` per school (whole stage), if any."""
    safe = np.maximum(candidates, 0)
    value = (taste * income_cny)[:, None] * reputation[safe]
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
    (only schools flagged `eligible`, if given)."""
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
