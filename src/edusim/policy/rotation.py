"""Rotation rules: who may rotate, who volunteers, whom the sending principal picks.

Volunteering (ODD+D): a teacher values a posting in yuan per year,

    U = w * (stipend + pay_parity * host_pay_gap + promotion_priority * promotion_value * career_left
             + workload_credit * workload_value) - host_pay_gap - travel_cost_per_km * travel_km
        - disruption + taste

where career_left = (retirement age - age) / (retirement age - 25), clipped to [0, 1], so
young teachers value promotion most; w = plateau_response for teachers at or past
plateau_age (they respond less to incentives) and 1 otherwise; taste is a personal draw.
A teacher volunteers when U > 0. The sending principal ranks candidates: with bundled
evaluation (judged on members' progress) the strongest first, otherwise the weakest first
(keeping the best at home); `selection` tilts the ranking toward backbone or young teachers.
"""

from __future__ import annotations

import numpy as np

from edusim.scenario.rotation import RotationParams

YOUNG_AGE = 35.0


def eligible(
    years_at_school: np.ndarray, at_home: np.ndarray, params: RotationParams
) -> np.ndarray:
    """Teachers at their own school long enough to be rotated (national rule)."""
    return at_home & (years_at_school >= params.eligible_years_at_school)


def volunteer_utility(
    age: np.ndarray,
    retirement_age: np.ndarray,
    travel_km: np.ndarray,
    taste_cny: np.ndarray,
    params: RotationParams,
) -> np.ndarray:
    """Yearly value (CNY) of taking a posting, per teacher."""
    career_left = np.clip((retirement_age - age) / (retirement_age - 25.0), 0.0, 1.0)
    incentives = (
        params.stipend_cny
        + params.pay_parity * params.host_pay_gap_cny
        + params.promotion_priority * params.promotion_value_cny * career_left
        + params.workload_credit * params.workload_value_cny
    )
    response = np.where(age >= params.plateau_age, params.plateau_response, 1.0)
    costs = (
        params.host_pay_gap_cny + params.travel_cost_cny_per_km * travel_km + params.disruption_cny
    )
    return response * incentives - costs + taste_cny


def principal_ranking(
    effectiveness: np.ndarray, tier: np.ndarray, age: np.ndarray, bundled: bool, selection: str
) -> np.ndarray:
    """Sort key for the sending principal (higher is sent first)."""
    key = effectiveness if bundled else -effectiveness
    if selection == "backbone":
        key = key + 10.0 * (tier >= 1)
    elif selection == "young":
        key = key + 10.0 * (age < YOUNG_AGE)
    return key


def choose(
    candidates: np.ndarray,
    key: np.ndarray,
    is_backbone: np.ndarray,
    count: int,
    backbone_min: float,
) -> np.ndarray:
    """The `count` candidates the principal sends: by `key` (aligned with `candidates`), but
    with at least `backbone_min` of them backbone teachers when enough candidates are."""
    count = min(count, candidates.size)
    if count == 0:
        return candidates[:0]
    ranked = np.argsort(-key, kind="stable")
    backbone = ranked[is_backbone[ranked]]
    forced = backbone[: min(int(np.ceil(backbone_min * count)), backbone.size)]
    rest = ranked[~np.isin(ranked, forced)][: count - forced.size]
    return candidates[np.concatenate([forced, rest])]


def host_allocation(
    count: int, member_staff: np.ndarray, member_strength: np.ndarray
) -> np.ndarray:
    """Host of each of `count` postings (ranked strongest first): members receive postings in
    proportion to their staff, the weakest member first, so that each member's teaching force
    changes by a similar share and the strongest teachers go where they are most needed.
    Returns positions into the members array."""
    if count == 0 or member_staff.size == 0:
        return np.zeros(0, dtype=np.int64)
    weights = np.maximum(member_staff, 1).astype(float)
    exact = count * weights / weights.sum()
    quota = np.floor(exact).astype(np.int64)
    remainder = count - quota.sum()
    quota[np.argsort(-(exact - quota), kind="stable")[:remainder]] += 1
    weakest_first = np.argsort(member_strength, kind="stable")
    # deal postings round-robin over members, weakest first, until each quota is met
    hosts = []
    while len(hosts) < count:
        for position in weakest_first:
            if quota[position] > 0:
                hosts.append(position)
                quota[position] -= 1
    return np.array(hosts, dtype=np.int64)
