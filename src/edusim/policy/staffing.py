"""Staffing rules: who leaves the teaching force and how many posts are filled."""

from __future__ import annotations

import numpy as np

from edusim.scenario.schema import TeacherParams
from edusim.world.staff import retirement_age


def attrition_rate(district_kind: np.ndarray, params: TeacherParams) -> np.ndarray:
    """Yearly quit rate by district kind (urban, suburban = midpoint, rural)."""
    rates = np.array(
        [
            params.attrition_urban,
            0.5 * (params.attrition_urban + params.attrition_rural),
            params.attrition_rural,
        ]
    )
    return rates[district_kind]


def leaving(
    age: np.ndarray,
    female: np.ndarray,
    district_kind: np.ndarray,
    exit_uniform: np.ndarray,
    params: TeacherParams,
    quit_factor: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of teachers who retire (statutory age reached) and who quit (attrition draw;
    the rate times `quit_factor`, e.g. the response to performance pay, policy/pay.py)."""
    retiring = age >= retirement_age(female, params)
    rate = np.minimum(1.0, attrition_rate(district_kind, params) * quit_factor)
    quitting = ~retiring & (exit_uniform < rate)
    return retiring, quitting


def vacancies(staff_needed: np.ndarray, staff_in_post: np.ndarray) -> np.ndarray:
    """Posts to fill per school; overstaffed schools keep their teachers (no lay-offs)."""
    return np.maximum(0, staff_needed - staff_in_post)


def group_hiring_reputation(
    reputation: np.ndarray, member: np.ndarray, core: np.ndarray
) -> np.ndarray:
    """Reputation each school recruits under when groups hire as one employer (Sanming
    四(二)1: "人员统一招聘使用"): a member of such a group recruits under the better of its
    own name and its core's (the group's posts are advertised by the group, so graduates
    weigh the core's name); `member` and `core` are the membership rows of those groups."""
    hiring = reputation.astype(float).copy()
    np.maximum.at(hiring, member, reputation[core])
    return hiring
