"""Teacher growth: experience, learning from strong colleagues, and tier promotion."""

from __future__ import annotations

import numpy as np

from edusim.processes.aggregate import school_quantile
from edusim.scenario.schema import TeacherParams


def learned_gain(
    effectiveness: np.ndarray, school: np.ndarray, n_schools: int, params: TeacherParams
) -> np.ndarray:
    """Effectiveness learned this year: a share of the gap to the school's strong colleagues."""
    strong = school_quantile(effectiveness, school, n_schools, params.strong_colleague_quantile)
    return params.peer_learning_rate * np.maximum(0.0, strong[school] - effectiveness)


def tier_thresholds(params: TeacherParams) -> np.ndarray:
    """Upper-tail shares of the eligible teachers at or above each tier (1, 2, 3)."""
    top = params.share_famous_special
    return np.array(
        [
            top + params.share_municipal_backbone + params.share_backbone,
            top + params.share_municipal_backbone,
            top,
        ]
    )


def promoted_tiers(
    effectiveness: np.ndarray,
    experience: np.ndarray,
    tier: np.ndarray,
    params: TeacherParams,
    priority: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Tiers after this year's review: eligible teachers ranked city-wide by effectiveness
    plus `priority` (e.g. credit for two-school experience, Sanming) reach the tier their
    rank earns; the shares per tier stay fixed, so priority for some is a later promotion
    for others; titles are never taken away."""
    eligible = experience >= params.tier_min_experience_years
    earned = np.zeros(tier.size, dtype=np.int8)
    if eligible.any():
        values = (effectiveness + priority)[eligible]
        cutoffs = np.quantile(values, 1.0 - tier_thresholds(params))
        earned[eligible] = np.searchsorted(cutoffs, values, side="right").astype(np.int8)
    return np.maximum(tier, earned)


def group_learning_within_gap(
    own: np.ndarray,
    with_group: np.ndarray,
    teacher_school: np.ndarray,
    gap: np.ndarray,
    member: np.ndarray,
) -> np.ndarray:
    """Each teacher's learning this year when what its group's people add to it at a member
    school is capped by what is left of the member's gap to its core (policy/staffing.py).

    `own` is what a teacher learns from its school's own colleagues (those posted in from
    the core left out), `with_group` what it learns with them and with joint research
    (`max(within-school gain, gain from the core)`); `gap` per school is what hiring,
    postings and walking teachers left of the member's teachers' gap to its core's, and
    `member` marks member schools. At a member, the teachers' gains over `own` are scaled
    down together so that their mean is at most the gap (nothing where it is 0); a loss
    (strong colleagues leaving) is kept; elsewhere `with_group` is unchanged."""
    n_schools = gap.size
    added = np.maximum(0.0, with_group - own)
    count = np.bincount(teacher_school, minlength=n_schools)
    mean_added = np.zeros(n_schools)
    np.divide(
        np.bincount(teacher_school, weights=added, minlength=n_schools),
        count,
        out=mean_added,
        where=count > 0,
    )
    scale = np.ones(n_schools)
    np.divide(gap, mean_added, out=scale, where=mean_added > gap)
    capped = np.minimum(own, with_group) + added * scale[teacher_school]
    return np.where(member[teacher_school], capped, with_group)
