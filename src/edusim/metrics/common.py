"""Shared pieces of the metrics: which schools count, stage-wise statistics, gaps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.passes import split_by_cuts

if TYPE_CHECKING:
    from edusim.model import EduModel


def open_public(model: EduModel) -> np.ndarray:
    """Public schools with pupils: the gaps the reform is judged by are between public
    schools, and a school never used has no results to compare (a school not yet opened,
    closed or merged has no pupils, so it never counts)."""
    return (model.school_table.enrollment > 0) & ~model.school_table.private


def has_catchment(model: EduModel) -> np.ndarray:
    """Schools with a catchment this year: open public schools (a school not yet opened,
    closed or merged has none, and no premium)."""
    return model.school_table.active & ~model.school_table.private


def learning_years(model: EduModel) -> np.ndarray:
    """Teaching quality as years of learning per school year (1 = an average year)."""
    return 1.0 + model.school_table.teaching_quality / model.params.learning.annual_growth_sd


def by_stage(
    model: EduModel, values: np.ndarray, statistic: Callable[[np.ndarray], float]
) -> float:
    """A statistic over the open public schools of each stage, averaged over the stages
    weighted by their number of schools: gaps are between schools of the same stage (a
    city of one school per stage has none)."""
    results, weights = [], []
    for stage in (0, 1):
        members = values[open_public(model) & (model.school_table.stage == stage)]
        if members.size:
            results.append(statistic(members))
            weights.append(members.size)
    return float(np.average(results, weights=weights)) if weights else float("nan")


def pooled_sd(model: EduModel, values: np.ndarray) -> float:
    """Within-stage SD pooled over the stages."""
    return float(np.sqrt(by_stage(model, values, np.var)))


def quartile_gap(values: np.ndarray) -> float:
    if values.size == 0:
        return float("nan")
    low, high = np.quantile(values, [0.25, 0.75])
    return float(values[values >= high].mean() - values[values <= low].mean())


def cv(values: np.ndarray) -> float:
    mean = values.mean() if values.size else float("nan")
    return float(values.std() / mean) if values.size and mean != 0 else float("nan")


def quartile_gap_by(
    values: np.ndarray, key: np.ndarray, quartiles: np.ndarray | None = None
) -> float:
    """Mean of `values` where `key` is in its top quartile minus where it is in its
    bottom quartile; `quartiles` (25% and 75% of `key`) when already computed."""
    low, high = np.quantile(key, [0.25, 0.75]) if quartiles is None else quartiles
    if values.dtype == np.float64:  # one compiled pass; the same floats (metrics/passes.py)
        bottom, top = split_by_cuts(values, key, low, high)
        return float(top.mean() - bottom.mean())
    return float(values[key >= high].mean() - values[key <= low].mean())


BRACKET_MIN_VALUES = 20_000
"""Below this many values `exact_quantiles` is `np.quantile` itself (a full partition is
cheap there)."""
BRACKET_SAMPLE_STEP = 97
BRACKET_HALF_WIDTH = 0.03
"""`exact_quantiles` estimates each quantile from every 97th value and keeps the values
between the sample's quantiles q - 0.03 and q + 0.03: with about 11,000 sampled values
of a million, the sample quantile's standard error is at most 0.005, so the bracket
misses the wanted order statistics (and the function falls back to `np.quantile`) only
when the values' order is far from random."""


def exact_quantiles(values: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """`np.quantile(values, qs)` (linear interpolation), the same floats, without a
    partition of the whole array: each quantile's two neighbouring order statistics
    (ranks floor(q (n - 1)) and the next) are found among the values inside a bracket
    set from a sample (those below it counted, the few inside partitioned), and numpy's
    own interpolation is applied to them (`np.quantile` of the pair at the fractional
    part of q (n - 1), which is the expression `np.quantile` evaluates). The order
    statistics do not depend on how they are found, so the result is exact; a bracket
    that misses them, NaNs or a small array fall back to `np.quantile` (about 3 times
    faster on a million incomes)."""
    values = np.asarray(values, dtype=float)
    n = values.size
    quantiles = np.asarray(qs, dtype=float)
    if n < BRACKET_MIN_VALUES or np.isnan(values).any():
        return np.quantile(values, quantiles)
    virtual = (n - 1) * quantiles  # as np.quantile's "linear" method computes them
    previous = np.floor(virtual).astype(np.intp)
    gamma = virtual - previous
    sample = values[::BRACKET_SAMPLE_STEP]
    edges = np.quantile(
        sample,
        np.clip(
            np.concatenate([quantiles - BRACKET_HALF_WIDTH, quantiles + BRACKET_HALF_WIDTH]), 0, 1
        ),
    )
    result = np.empty(quantiles.size)
    for j in range(quantiles.size):
        low, high = edges[j], edges[j + quantiles.size]
        below = int(np.count_nonzero(values < low))
        inside = values[(values >= low) & (values <= high)]
        first = int(previous[j]) - below  # the rank floor(q (n - 1)) among `inside`
        second = first + 1 if previous[j] + 1 < n else first
        if first < 0 or second >= inside.size:
            return np.quantile(values, quantiles)
        pair = np.partition(inside, (first, second))[[first, second]]
        result[j] = np.quantile(pair, gamma[j])
    return result


def income_quartiles(model: EduModel) -> np.ndarray:
    """The 25% and 75% quantiles of every family's income: computed once per recording of
    the metrics (`registry.compute_all` holds `model.metric_memo` while it runs) instead
    of once per metric that needs them (a quantile of about 1 M incomes in Hangzhou);
    `np.quantile` gives each quantile the same value alone or with the other."""
    memo = getattr(model, "metric_memo", None)
    if memo is not None and "income_quartiles" in memo:
        return memo["income_quartiles"]
    quartiles = exact_quantiles(model.families.income_cny, (0.25, 0.75))
    if memo is not None:
        memo["income_quartiles"] = quartiles
    return quartiles


def intake_share(model: EduModel, key: str) -> float:
    if not model.intake:
        return float("nan")
    entrants = sum(s["entrants"] for s in model.intake.values())
    return sum(s[key] for s in model.intake.values()) / max(entrants, 1)


def gini(values: np.ndarray) -> float:
    ordered = np.sort(values)
    total = ordered.sum()
    if total <= 0:
        return 0.0
    ranks = np.arange(1, ordered.size + 1)
    return float((2 * ranks - ordered.size - 1).dot(ordered) / (ordered.size * total))


def between_school_variance_share(model: EduModel, area_of_school: np.ndarray) -> float:
    """Pupil-weighted mean over areas (a school's area: its stage, or district and stage) of
    the between-school share of the variance of enrolled pupils' achievement (public and
    private schools); areas with one pupil or no variance are skipped (NaN if none is left).

    One pass over the pupils (count, sum and sum of squares per school, `school_moments`);
    the rest is per school: total = sum y^2 - n mean^2 and between = sum_s S_s^2 / n_s -
    n mean^2 per area."""
    from edusim.processes import aggregate

    families, table = model.families, model.school_table
    n, n_areas = len(table), int(area_of_school.max()) + 1
    pupils, sums, squares = aggregate.school_moments(families.achievement, families.school, n)
    area_pupils = np.bincount(area_of_school, pupils, n_areas)
    area_sums = np.bincount(area_of_school, sums, n_areas)
    centre = area_sums**2 / np.maximum(area_pupils, 1)
    total = np.bincount(area_of_school, squares, n_areas) - centre
    within_means = np.where(pupils > 0, sums**2 / np.maximum(pupils, 1), 0.0)
    between = np.bincount(area_of_school, within_means, n_areas) - centre
    valid = (area_pupils > 1) & (total > 1e-12 * np.maximum(area_pupils, 1))
    if not valid.any():
        return float("nan")
    return float(np.average(between[valid] / total[valid], weights=area_pupils[valid]))
