"""School evaluation from the model's own outcomes, and what it pays.

Each year every open public school gets a score: the weighted sum of three components,
each standardised within stage across open public schools (weights in `evaluation`):

- pupils' progress: the change in the school's mean achievement over the year, minus the
  mean change of its stage (a value-added proxy; cohorts entering and leaving included);
- gap narrowing: for a group member, how much its teaching-quality gap to its core shrank
  this year (0 for schools outside groups and for cores);
- teacher growth: the change in the mean effectiveness of the teachers teaching there;
- satisfaction (Sanming 四(一)7: pupils', parents' and the community's satisfaction as
  the yardstick), when weighted: the mean satisfaction index of the school's entering
  families this year (processes/satisfaction.py); a school with no entrant gets its
  stage's mean (a z-score of 0).

A group's score is the mean of its members' scores. Groups in the upper half earn the
results-based working fund (Ninghe), paid the next year to their members as resource money.
"""

from __future__ import annotations

import numpy as np


def standardised(values: np.ndarray, stage: np.ndarray, included: np.ndarray) -> np.ndarray:
    """z-scores within stage over the included schools (0 elsewhere and where SD is 0)."""
    result = np.zeros(values.size)
    for code in np.unique(stage[included]):
        rows = included & (stage == code)
        sd = values[rows].std()
        if sd > 0:
            result[rows] = (values[rows] - values[rows].mean()) / sd
    return result


def with_stage_mean(values: np.ndarray, stage: np.ndarray, included: np.ndarray) -> np.ndarray:
    """`values` with each NaN replaced by the mean of its stage's included schools that
    have a value (0 where none has)."""
    result = values.copy()
    for code in np.unique(stage[included]):
        rows = included & (stage == code)
        known = rows & ~np.isnan(values)
        result[rows & np.isnan(values)] = values[known].mean() if known.any() else 0.0
    return np.where(np.isnan(result), 0.0, result)


def school_scores(
    progress: np.ndarray,
    gap_narrowing: np.ndarray,
    teacher_growth: np.ndarray,
    stage: np.ndarray,
    included: np.ndarray,
    weights: tuple[float, float, float],
    satisfaction: np.ndarray | None = None,
    weight_satisfaction: float = 0.0,
) -> np.ndarray:
    """Weighted sum of the standardised components (0 for schools not included); the
    schools' mean satisfaction (NaN: no entrant) counts when `weight_satisfaction` > 0."""
    parts = (progress, gap_narrowing, teacher_growth)
    score = sum(w * standardised(p, stage, included) for w, p in zip(weights, parts, strict=True))
    if weight_satisfaction > 0 and satisfaction is not None:
        filled = with_stage_mean(satisfaction, stage, included)
        score = score + weight_satisfaction * standardised(filled, stage, included)
    return np.where(included, score, 0.0)


def group_scores(
    score: np.ndarray, member_school: np.ndarray, member_group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Mean member score per group (NaN for groups without members)."""
    counts = np.bincount(member_group, minlength=n_groups)
    sums = np.bincount(member_group, weights=score[member_school], minlength=n_groups)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def results_grants(
    group_score: np.ndarray,
    member_school: np.ndarray,
    member_group: np.ndarray,
    n_schools: int,
    fund_cny: float,
) -> np.ndarray:
    """Per school, its share of the working funds earned by its groups: each group scoring
    above the median of scored groups earns `fund_cny`, shared equally by its members."""
    grants = np.zeros(n_schools)
    scored = ~np.isnan(group_score)
    if fund_cny <= 0 or not scored.any():
        return grants
    earns = scored & (group_score > np.median(group_score[scored]))
    members = np.bincount(member_group, minlength=group_score.size)
    per_member = np.where(earns, fund_cny / np.maximum(members, 1), 0.0)
    np.add.at(grants, member_school, per_member[member_group])
    return grants
