"""School leaders: where strong principals are, and how many leaders groups post."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.common import open_public
from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel

PRINCIPAL = 0


def _principal_quality(model: EduModel) -> np.ndarray:
    """Per school, its principal's quality (NaN where it has none)."""
    leaders = model.leaders
    quality = np.full(len(model.school_table), np.nan)
    principal = leaders.role == PRINCIPAL
    quality[leaders.school[principal]] = leaders.quality[principal]
    return quality


def _principal_quartile_gap(model: EduModel) -> float:
    table = model.school_table
    quality = _principal_quality(model)
    counted = open_public(model) & ~np.isnan(quality)
    gaps, weights = [], []
    for stage in (0, 1):
        rows = counted & (table.stage == stage)
        if rows.any():
            achievement = table.mean_achievement[rows]
            low, high = np.quantile(achievement, [0.25, 0.75])
            values = quality[rows]
            gaps.append(values[achievement >= high].mean() - values[achievement <= low].mean())
            weights.append(int(rows.sum()))
    return float(np.average(gaps, weights=weights)) if weights else float("nan")


register(
    _principal_quartile_gap,
    "principal_quartile_gap",
    "pupil SD per year",
    "lower is better",
    "gap in principals' quality between the schools with the best and the weakest results",
    "within each stage, over open public schools with a principal, mean principal quality (effect as principal) at schools at or above the 75th percentile of mean achievement minus at or below the 25th; averaged over the stages weighted by those schools",
)


def _principal_urban_rural_gap(model: EduModel) -> float:
    rural = model.school_table.rural.astype(bool)
    quality = _principal_quality(model)
    counted = open_public(model) & ~np.isnan(quality)
    urban, country = counted & ~rural, counted & rural
    if not (urban.any() and country.any()):
        return float("nan")
    return float(quality[urban].mean() - quality[country].mean())


register(
    _principal_urban_rural_gap,
    "principal_urban_rural_gap",
    "pupil SD per year",
    "lower is better",
    "gap in principals' quality between urban and rural schools (each school's own status)",
    "mean principal quality at open public urban schools minus at rural ones; NaN if either is absent",
)


def _leader_count(model: EduModel, *kinds: str) -> float:
    stats = model.leader_stats.get(model.current_school_year)
    return float(sum(stats.get(kind, 0) for kind in kinds)) if stats else float("nan")


def _leader_postings(model: EduModel) -> float:
    return _leader_count(model, "posted", "executive")


register(
    _leader_postings,
    "leader_postings",
    "leaders per year",
    "information",
    "leaders placed at members by group cores this year: deputies posted and executive principals appointed",
    "count of deputies posted by cores to members plus executive principals appointed to members in the school year; NaN before the first year",
)


def _principal_rotations(model: EduModel) -> float:
    return _leader_count(model, "rotated")


register(
    _principal_rotations,
    "principal_rotations",
    "principals per year",
    "information",
    "principals moved to another school of their district by the rotation rule this year",
    "count of principals moved by the tenure rotation in the school year; NaN before the first year",
)
