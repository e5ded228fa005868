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
