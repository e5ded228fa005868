"""Sorting: how closely the school a child attends follows the family's income."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel

SAMPLE_PUPILS = 50_000
"""Above this many enrolled pupils the correlation is computed over a fixed sample of
families (ids that are multiples of k), ranked exactly: a city of a million pupils costs
as much as one of 50,000, and the sample follows the same families from year to year.
Its sampling error is about 1 / sqrt(50,000) = 0.004 in the correlation."""


def sample_of_pupils(uid: np.ndarray, placed: np.ndarray, cap: int = SAMPLE_PUPILS) -> np.ndarray:
    """Mask of the enrolled pupils the metric uses: all of them up to `cap`, else those
    whose family id is a multiple of k = ceil(enrolled / cap)."""
    count = int(placed.sum())
    if count <= cap:
        return placed
    step = -(-count // cap)
    return placed & (uid % step == 0)


def _rank_correlation(x_rank: np.ndarray, y_rank: np.ndarray) -> float:
    if x_rank.size < 2 or x_rank.std() == 0 or y_rank.std() == 0:
        return float("nan")
    return float(np.corrcoef(x_rank, y_rank)[0, 1])


def _income_quality_rank_corr(model: EduModel) -> float:
    families, table = model.families, model.school_table
    placed = sample_of_pupils(families.uid, families.school >= 0)
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
        value = _rank_correlation(_tied_ranks(income[rows]), quality_rank[school[rows]])
        if np.isfinite(value):
            values.append(value)
            weights.append(rows.sum())
    return float(np.average(values, weights=weights)) if weights else float("nan")


register(
    _income_quality_rank_corr,
    "income_quality_rank_corr",
    "correlation (-1 to 1)",
    "lower is better",
    "wealth sorting: rank correlation of family income with the teaching quality of the school attended",
    "Spearman correlation over enrolled pupils of a stage of the family's income rank among the stage's pupils and the rank of their school's teaching quality among the stage's schools (public and private, mean ranks for ties), averaged over the stages weighted by pupils (NaN if a stage has no spread); above 50,000 enrolled pupils over the fixed sample of families whose id is a multiple of ceil(pupils / 50,000)",
)


def _tied_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 with ties given their mean rank. Any sort will do (the default, not a
    stable one, about 4 times faster): tied values take the mean of the block of ranks
    they share, whatever their order within it (a sum of whole numbers, exact)."""
    order = np.argsort(values)
    ranks = np.empty(values.size)
    ranks[order] = np.arange(values.size, dtype=float)
    ordered = values[order]
    if values.size < 2:
        return ranks
    tied = (ordered[1:] == ordered[:-1]).any() or np.isnan(ordered[-1])  # NaNs sort last
    if not tied:  # no ties: the ranks stand (skips np.unique's second sort)
        return ranks
    unique, inverse = np.unique(values, return_inverse=True)
    if unique.size < values.size:
        ranks = (np.bincount(inverse, ranks) / np.bincount(inverse))[inverse]
    return ranks
