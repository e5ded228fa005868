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
from edusim.metrics.passes import grade_moments, split_by_kind
from edusim.metrics.registry import SCALE_MEAN, SCALE_SD, register
from edusim.world.schools import FIRST_GRADE, GRADES_PER_STAGE

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


JUNIOR_GRADES = range(FIRST_GRADE[1], FIRST_GRADE[1] + GRADES_PER_STAGE[1])
"""The grades of the published gradients the two metrics below are compared with: CEPS
tested grades 7 and 9 (Zhao, Ye, Li & Xue 2017), PISA 15-year-olds."""
URBAN, RURAL = 0, 2  # district kinds: urban district, rural county


def junior_moments(model: EduModel) -> tuple[np.ndarray, np.ndarray]:
    """`passes.grade_moments` of the junior grades (x: the family's standardised log
    income `ses_z`, y: achievement, areas: districts and their kind), once per recording."""
    memo = getattr(model, "metric_memo", None)
    if memo is not None and "junior_moments" in memo:
        return memo["junior_moments"]
    families = model.families
    moments = grade_moments(
        families.grade,
        families.district,
        model.geography.district_kind,
        families.ses_z,
        families.achievement,
        JUNIOR_GRADES,
    )
    if memo is not None:
        memo["junior_moments"] = moments
    return moments


def _urban_rural_gap_junior(model: EduModel) -> float:
    by_kind = junior_moments(model)[0]
    if by_kind.shape[1] <= RURAL:
        return float("nan")
    urban, rural = by_kind[:, URBAN], by_kind[:, RURAL]
    n_urban, n_rural = urban[:, 0], rural[:, 0]
    mean_urban = urban[:, 1] / np.maximum(n_urban, 1)
    mean_rural = rural[:, 1] / np.maximum(n_rural, 1)
    variance = urban[:, 2] / np.maximum(n_urban, 1) - mean_urban**2
    valid = (n_urban > 1) & (n_rural > 0) & (variance > 1e-12)
    if not valid.any():
        return float("nan")
    gap = (mean_urban[valid] - mean_rural[valid]) / np.sqrt(variance[valid])
    return float(np.average(gap, weights=(n_urban + n_rural)[valid]))


register(
    _urban_rural_gap_junior,
    "urban_rural_gap_junior",
    "SD of urban pupils",
    "lower is better",
    "achievement gap between urban and rural pupils of the junior grades, in the SD of urban pupils (as CEPS reports it)",
    "per junior grade (7-9), mean achievement of pupils whose families live in urban districts minus rural counties, over the SD of the urban pupils of the grade; averaged over the grades weighted by their urban and rural pupils (NaN if no grade has both, or urban pupils without spread)",
)


def _income_achievement_corr(model: EduModel) -> float:
    by_grade = junior_moments(model)[1]
    n, sx, sxx, sy, syy, sxy = by_grade.T
    count = np.maximum(n, 1)
    mean_x, mean_y = sx / count, sy / count
    var_x, var_y = sxx / count - mean_x**2, syy / count - mean_y**2
    valid = (n > 1) & (var_x > 1e-12) & (var_y > 1e-12)
    if not valid.any():
        return float("nan")
    cov = sxy / count - mean_x * mean_y
    r = cov[valid] / np.sqrt(var_x[valid] * var_y[valid])
    return float(np.average(r, weights=n[valid]))


register(
    _income_achievement_corr,
    "income_achievement_corr",
    "correlation (-1 to 1)",
    "lower is better",
    "family-background gradient: correlation of family income with achievement, junior grades",
    "per junior grade (7-9), Pearson correlation over its pupils of the family's standardised log income with achievement; averaged over the grades weighted by their pupils (NaN if no grade has two pupils with spread in both)",
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
