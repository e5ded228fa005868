"""Rotation rules: who may rotate, who volunteers, whom the sending principal picks.

Volunteering (ODD+D): a teacher values a posting in yuan per year,

    U = w * (stipend + honour + pay_parity * host_pay_gap
             + promotes * promotion_value * career_left + workload_credit * workload_value)
        - host_pay_gap - travel_cost_per_km * travel_km
        - disruption + pay_change + taste

where honour is the expected value of the honours a posting earns (Hangzhou, Ninghe:
`honour_value_cny`), pay_change is the change of the teacher's reward pay at the host (performance pay,
policy/pay.py; 0 under pay parity or without performance pay), career_left = (retirement age - age) / (retirement age - 25), clipped to [0, 1], so
young teachers value promotion most; promotes is 1 when a posting helps the teacher's
promotion: under promotion priority (Sanming), or when the teacher still lacks the service
at another school that a senior title requires (`teachers.senior_title_service_years`); w = plateau_response for teachers at or past
plateau_age (they respond less to incentives) and 1 otherwise; taste is a personal draw.
A teacher volunteers when U > 0.

The sending principal is judged with weight w on the receiving schools' quality and 1 - w
on the own school's (`evaluation.member_weight`; bundled evaluation is w = 1). Sending a
teacher of effectiveness e from a school of n teachers to one of m changes the principal's
score by about e * (w / m - (1 - w) / n) plus terms that do not depend on e, so the
principal ranks candidates by e * (w * n / m - (1 - w)): the strongest first when members
weigh enough, the weakest first (keeping the best at home) otherwise, indifferent at
w = m / (n + m). `selection` tilts the ranking toward backbone or young teachers. Assigned
postings (tight groups, the district rule) draw on willing teachers first (national practice
of voluntary application combined with assignment), so incentives change who goes even
where nobody may refuse.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from edusim.grouped import rank_within
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
    needs_service: np.ndarray | bool = False,
    pay_change_cny: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Yearly value (CNY) of taking a posting, per teacher; `needs_service` marks teachers
    for whom a posting is the service a senior title requires; `pay_change_cny` is the
    change of reward pay at the host (policy/pay.posting_pay_change)."""
    career_left = np.clip((retirement_age - age) / (retirement_age - 25.0), 0.0, 1.0)
    promotes = np.maximum(float(params.promotion_priority), np.asarray(needs_service, float))
    incentives = (
        params.stipend_cny
        + params.honour_value_cny
        + params.pay_parity * params.host_pay_gap_cny
        + promotes * params.promotion_value_cny * career_left
        + params.workload_credit * params.workload_value_cny
    )
    response = np.where(age >= params.plateau_age, params.plateau_response, 1.0)
    costs = (
        params.host_pay_gap_cny + params.travel_cost_cny_per_km * travel_km + params.disruption_cny
    )
    return response * incentives - costs + pay_change_cny + taste_cny


WILLING_FIRST = 100.0
"""Sort-key bonus that puts willing teachers ahead of every unwilling one."""


def principal_ranking(
    effectiveness: np.ndarray,
    tier: np.ndarray,
    age: np.ndarray,
    member_weight: float,
    selection: str,
    staff_ratio: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Sort key for the sending principal (higher is sent first): effectiveness times the
    marginal value of sending it, w * n / m - (1 - w) (module docstring), where
    `staff_ratio` = n / m (sending over receiving school's teachers)."""
    key = effectiveness * (member_weight * np.asarray(staff_ratio) - (1.0 - member_weight))
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


def sent_back(
    hosts: np.ndarray,
    candidates_of: Callable[[int], np.ndarray],
    age: np.ndarray,
    tier: np.ndarray,
) -> np.ndarray:
    """The teacher each member sends back to the core for each posting it receives
    (`send_back`, Ninghe's shadow training): per member, as many of its `candidates_of`
    (rows into `age` and `tier`) as postings `hosts` brings it, the youngest first
    (`choose` with no backbone minimum); aligned with `hosts`, -1 where the member has
    nobody left to send."""
    returned = np.full(hosts.size, -1, dtype=np.int64)
    for member in np.unique(hosts):
        returning = candidates_of(member)
        to_member = np.flatnonzero(hosts == member)
        back = choose(returning, -age[returning], tier[returning] >= 1, to_member.size, 0.0)
        returned[to_member[: back.size]] = back
    return returned


def host_allocation(
    count: int, member_staff: np.ndarray, member_strength: np.ndarray
) -> np.ndarray:
    """Host of each of `count` postings (ranked strongest first): members receive postings in
    proportion to their staff, the weakest member first, so that each member's teaching force
    changes by a similar share and the strongest teachers go where they are most needed.
    Postings are dealt round-robin over the members, weakest first, until each quota is met.
    Returns positions into the members array."""
    if count == 0 or member_staff.size == 0:
        return np.zeros(0, dtype=np.int64)
    weights = np.maximum(member_staff, 1).astype(float)
    exact = count * weights / weights.sum()
    quota = np.floor(exact).astype(np.int64)
    remainder = count - quota.sum()
    quota[np.argsort(-(exact - quota), kind="stable")[:remainder]] += 1
    weakness = np.empty(member_staff.size, dtype=np.int64)
    weakness[np.argsort(member_strength, kind="stable")] = np.arange(member_staff.size)
    position = np.repeat(np.arange(member_staff.size), quota)
    round_ = np.arange(position.size) - np.repeat(np.cumsum(quota) - quota, quota)
    return position[np.lexsort((weakness[position], round_))]


def choose_by_unit(
    unit: np.ndarray,
    key: np.ndarray,
    is_backbone: np.ndarray,
    quota: np.ndarray,
    backbone_min: float,
) -> np.ndarray:
    """Mask of the candidates chosen when each unit (a school, a district) sends `quota[unit]`
    of its candidates by `key`, at least `backbone_min` of them backbone where enough are:
    `choose` for many units at once, without a loop."""
    chosen = np.zeros(unit.size, dtype=bool)
    if unit.size == 0:
        return chosen
    wanted = np.minimum(quota[unit], np.bincount(unit, minlength=quota.size)[unit])
    backbone_count = np.bincount(unit[is_backbone], minlength=quota.size)
    forced_n = np.minimum(np.ceil(backbone_min * quota).astype(np.int64), backbone_count)
    forced_n = np.minimum(forced_n, quota)
    backbone_rank = rank_within(unit, np.where(is_backbone, key, -np.inf))
    chosen = is_backbone & (backbone_rank < forced_n[unit])
    rest_rank = rank_within(unit, np.where(chosen, -np.inf, key))
    room = wanted - np.bincount(unit[chosen], minlength=quota.size)[unit]
    return chosen | (~chosen & (rest_rank < room))
