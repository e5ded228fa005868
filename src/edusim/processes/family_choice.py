"""Families' housing decision at school entry: stay, or buy into a better catchment.

For each candidate school c (the district's most reputed schools of the stage) a family
values the move in yuan:

    U_c = taste * income * chance_c * (reputation_c - reputation_home)
          - (premium_c - premium_home) - moving_cost_share * base_price * flat_size

chance_c is the share of c's resident entrants it admitted last year (families expect
that an oversubscribed catchment may not seat a newcomer), times one minus the share of
c's dwellings already used under a one-enrollment-per-dwelling rule (if any).

It can afford c when premium_c - premium_home <= affordability_income_multiple * income.
It moves to the affordable candidate with the highest U_c if that U_c is positive.
Reputation, not true quality, is what families see.
"""

from __future__ import annotations

import numpy as np

from edusim.scenario.schema import FamilyParams

STAY = -1


def chosen_moves(
    home_school: np.ndarray,
    candidates: np.ndarray,
    reputation: np.ndarray,
    admission_chance: np.ndarray,
    premium_cny: np.ndarray,
    income_cny: np.ndarray,
    taste: np.ndarray,
    moving_cost_cny: np.ndarray,
    params: FamilyParams,
) -> np.ndarray:
    """The school each family moves for, or -1 to stay (all arrays per family;
    `candidates` is families x K school indices, -1 padded)."""
    valid = (candidates >= 0) & (candidates != home_school[:, None])
    safe = np.maximum(candidates, 0)
    reputation_gain = admission_chance[safe] * (reputation[safe] - reputation[home_school][:, None])
    extra_premium = premium_cny[safe] - premium_cny[home_school][:, None]
    utility = (
        (taste * income_cny)[:, None] * reputation_gain - extra_premium - moving_cost_cny[:, None]
    )
    affordable = extra_premium <= params.affordability_income_multiple * income_cny[:, None]
    utility = np.where(valid & affordable, utility, -np.inf)
    best = np.argmax(utility, axis=1)
    best_utility = utility[np.arange(best.size), best]
    return np.where(best_utility > 0, candidates[np.arange(best.size), best], STAY)


def top_reputation_candidates(
    reputation: np.ndarray,
    school_district: np.ndarray,
    school_stage: np.ndarray,
    k: int,
    n_districts: int,
) -> np.ndarray:
    """(districts, stages, k) table of each district's k most reputed schools, -1 padded."""
    table = np.full((n_districts, 2, k), -1, dtype=np.int64)
    for district in range(n_districts):
        for stage in (0, 1):
            members = np.flatnonzero((school_district == district) & (school_stage == stage))
            best = members[np.argsort(-reputation[members], kind="stable")[:k]]
            table[district, stage, : best.size] = best
    return table
