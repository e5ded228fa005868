"""Gaps between schools: spread and quartile gaps of teaching quality and achievement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.common import (
    between_school_variance_share,
    by_stage,
    cv,
    income_quartiles,
    learning_years,
    pooled_sd,
    quartile_gap,
    quartile_gap_by,
)
from edusim.metrics.passes import split_by_kind
from edusim.metrics.registry import SCALE_MEAN, SCALE_SD, register

if TYPE_CHECKING:
    from edusim.model import EduModel


def _quality_sd(model: EduModel) -> float:
    return pooled_sd(model, model.school_table.teaching_quality)


register(
    _quality_sd,
    "quality_sd",
    "pupil SD per year",
    "lower is better",
    "spread of teaching quality across schools",
    "SD of teaching quality (mean teacher effectiveness + management, with group and grant effects) across the open public schools of a stage, pooled over the two stages",
)


def _quality_cv(model: EduModel) -> float:
    return by_stage(model, learning_years(model), cv)


register(
    _quality_cv,
    "quality_cv",
    "ratio",
    "lower is better",
    "coefficient of variation of teaching quality across schools",
    "SD / mean of learning-years (1 + quality / annual_growth_sd) over the open public schools of a stage, averaged over the stages weighted by their schools",
)


def _achievement_sd(model: EduModel) -> float:
    return pooled_sd(model, model.school_table.mean_achievement)


register(
    _achievement_sd,
    "achievement_sd",
    "pupil SD",
    "lower is better",
    "spread of schools' mean achievement",
    "SD of the mean achievement of their pupils across the open public schools of a stage, pooled over the two stages",
)


def _achievement_cv(model: EduModel) -> float:
    scores = SCALE_MEAN + SCALE_SD * model.school_table.mean_achievement
    return by_stage(model, scores, cv)


register(
    _achievement_cv,
    "achievement_cv",
    "ratio",
    "lower is better",
    "coefficient of variation of schools' mean scale score",
    "SD / mean of 500 + 100 x mean achievement over the open public schools of a stage, averaged over the stages weighted by their schools",
)


def quality_quartile_gap(model: EduModel) -> float:
    return by_stage(model, model.school_table.teaching_quality, quartile_gap)


register(
    quality_quartile_gap,
    "quality_quartile_gap",
    "pupil SD per year",
    "lower is better",
    "teaching-quality gap between the top and bottom quarter of schools",
    "within each stage, mean quality of open public schools at or above the 75th percentile minus those at or below the 25th; averaged over the stages weighted by their schools",
)


def _achievement_quartile_gap(model: EduModel) -> float:
    return by_stage(model, model.school_table.mean_achievement, quartile_gap)


register(
    _achievement_quartile_gap,
    "achievement_quartile_gap",
    "pupil SD",
    "lower is better",
    "achievement gap between the top and bottom quarter of schools",
    "within each stage, mean school achievement at or above the 75th percentile minus at or below the 25th (open public schools); averaged over the stages weighted by their schools",
)


def _urban_rural_gap(model: EduModel) -> float:
    families = model.families
    urban, rural = split_by_kind(  # district kinds: 0 urban district, 2 rural county
        families.achievement, families.district, model.geography.district_kind, 0, 2
    )
    if not urban.size or not rural.size:
        return float("nan")
    return float(urban.mean() - rural.mean())


register(
    _urban_rural_gap,
    "urban_rural_gap",
    "pupil SD",
    "lower is better",
    "achievement gap between pupils in urban districts and pupils in rural counties",
    "mean achievement of pupils whose families live in urban districts minus rural counties (NaN if either is absent)",
)


def _ses_gap(model: EduModel) -> float:
    families = model.families
    return quartile_gap_by(families.achievement, families.income_cny, income_quartiles(model))


register(
    _ses_gap,
    "ses_gap",
    "pupil SD",
    "lower is better",
    "achievement gap between the richest and poorest quarter of families",
    "mean achievement of pupils in the top income quartile minus the bottom quartile",
)


def _high_quality_share(model: EduModel) -> float:
    table = model.school_table
    good = table.teaching_quality >= model.quality_threshold
    return float(table.enrollment[good].sum() / max(table.enrollment.sum(), 1))


register(
    _high_quality_share,
    "high_quality_share",
    "share of pupils",
    "higher is better",
    "share of pupils in high-quality schools",
    "pupils in schools whose teaching quality is at or above the year-0 75th percentile of schools, over all pupils",
)


def _between_school_share(model: EduModel) -> float:
    return between_school_variance_share(model, model.school_table.stage.astype(np.int64))


register(
    _between_school_share,
    "between_school_share",
    "share of variance",
    "lower is better",
    "share of the variance of pupils' achievement that lies between schools (intra-class correlation)",
    "per stage, over enrolled pupils (public and private): sum over schools of pupils x (school mean - stage mean)^2 over the sum over pupils of (achievement - stage mean)^2; averaged over the stages weighted by pupils (a stage with one pupil or no spread is skipped; NaN if none is left)",
)
