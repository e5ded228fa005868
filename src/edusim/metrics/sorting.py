"""Sorting: how closely the school a child attends follows the family's income."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.registry import metric

if TYPE_CHECKING:
    from edusim.model import EduModel

INCOME_RANK_BINS = 100
"""Above this many pupils, income ranks are percentiles (ties within a percentile): a
selection and a binary search instead of a full sort, so the metric stays cheap at a
million families; at or below it, exact ranks."""


def income_rank(values: np.ndarray, bins: int = INCOME_RANK_BINS) -> np.ndarray:
    """Each value's rank among `values`: exact (mean ranks for ties) for at most `bins`
    values, else its percentile (0 .. bins-1). A correlation of ranks does not depend on
    their scale, so the two agree up to the ties a percentile makes."""
    if values.size <= bins:
        return _tied_ranks(values)
    edges = np.quantile(values, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    return np.searchsorted(edges, values, side="right").astype(float)


def _rank_correlation(x_rank: np.ndarray, y_rank: np.ndarray) -> float:
    if x_rank.size < 2 or x_rank.std() == 0 or y_rank.std() == 0:
        return float("nan")
    return float(np.corrcoef(x_rank, y_rank)[0, 1])


@metric(
    "income_quality_rank_corr",
    "correlation (-1 to 1)",
    "lower is better",
    "wealth sorting: rank correlation of family income with the teaching quality of the school attended",
    "Spearman correlation over enrolled pupils of a stage of the family's income rank among the stage's pupils (percentiles above 100 pupils) and the rank of their school's teaching quality among the stage's schools (public and private, mean ranks for ties), averaged over the stages weighted by pupils (NaN if a stage has no spread)",
)
def _income_quality_rank_corr(model: EduModel) -> float:
    families, table = model.families, model.school_table
    placed = families.school >= 0
    school = families.school[placed]
    income = families.income_cny[placed]
    stage = table.stage[school]
    values, weights = [], []
    for level in (0, 1):
        rows = stage == level
        if rows.sum() < 2:
            continue
        schools = np.flatnonzero(table.stage == level)
        quality_rank = np.empty(len(table))
        quality_rank[schools] = _tied_ranks(table.teaching_quality[schools])
        value = _rank_correlation(income_rank(income[rows]), quality_rank[school[rows]])
        if np.isfinite(value):
            values.append(value)
            weights.append(rows.sum())
    return float(np.average(values, weights=weights)) if weights else float("nan")


def _tied_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 with ties given their mean rank (schools, not pupils: cheap)."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(values.size)
    ranks[order] = np.arange(values.size, dtype=float)
    unique, inverse = np.unique(values, return_inverse=True)
    if unique.size < values.size:
        ranks = (np.bincount(inverse, ranks) / np.bincount(inverse))[inverse]
    return ranks
