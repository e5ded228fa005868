"""School choice: who moves, rents, goes private, gets a first choice, travels how far, and how segregated schools are."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.common import (
    between_school_variance_share,
    income_quartiles,
    intake_share,
)
from edusim.metrics.passes import counts_below_cut
from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel


def _movers_share(model: EduModel) -> float:
    return _share_of_all_entrants(model, "movers")


register(
    _movers_share,
    "movers_share",
    "share of entrants",
    "lower is better",
    "school-choice pressure: entering families who moved house for a school",
    "families entering grade 1 or 7 this year who bought or rented a home for a school, over all entrants, public and private (NaN before the first intake)",
)


def _share_of_all_entrants(model: EduModel, key: str) -> float:
    """An intake count over all entrants, public and private (NaN before the first intake)."""
    if not model.intake:
        return float("nan")
    entrants = sum(s["entrants"] + s["private_entrants"] for s in model.intake.values())
    return sum(s[key] for s in model.intake.values()) / max(entrants, 1)


def _renters_share(model: EduModel) -> float:
    return _share_of_all_entrants(model, "renters")


register(
    _renters_share,
    "renters_share",
    "share of entrants",
    "information",
    "entering families who rented (rather than bought) into a catchment for a school",
    "families entering grade 1 or 7 this year who rented a home for a school, over all entrants, public and private (NaN before the first intake)",
)


def _private_share(model: EduModel) -> float:
    table = model.school_table
    return float(table.enrollment[table.private].sum() / max(table.enrollment.sum(), 1))


register(
    _private_share,
    "private_share",
    "share of pupils",
    "information",
    "pupils in private (民办) schools",
    "enrolled pupils of private schools over all enrolled pupils",
)


def _private_applicants_per_place(model: EduModel) -> float:
    table = model.school_table
    if not model.intake or not table.private.any():
        return float("nan")
    applicants = sum(s["private_applicants"] for s in model.intake.values())
    return applicants / max(int(table.entry_capacity[table.private].sum()), 1)


register(
    _private_applicants_per_place,
    "private_applicants_per_place",
    "applicants per place",
    "information",
    "demand for private schools at this year's intake",
    "families applying to private schools / private entry places, both stages (NaN before the first intake or without private schools)",
)


def _out_of_catchment(model: EduModel) -> float:
    return intake_share(model, "out_of_catchment")


register(
    _out_of_catchment,
    "out_of_catchment_share",
    "share of entrants",
    "information",
    "entering families whose first choice is not their catchment school",
    "entrants to public schools whose first-listed school differs from their catchment school, over those entrants (NaN before the first intake)",
)


def _first_choice(model: EduModel) -> float:
    return intake_share(model, "first_choice_met")


register(
    _first_choice,
    "first_choice_share",
    "share of entrants",
    "higher is better",
    "entering families placed at their first choice",
    "entrants to public schools placed at the first school of their list (the catchment school under catchment), over those entrants",
)


def _mean_distance(model: EduModel) -> float:
    if not model.intake:
        return float("nan")
    entrants = sum(s["entrants"] for s in model.intake.values())
    return sum(s["distance_km_sum"] for s in model.intake.values()) / max(entrants, 1)


register(
    _mean_distance,
    "mean_distance_km",
    "km",
    "lower is better",
    "mean travel distance from an entrant's home to the school it was placed in",
    "mean over this year's entrants to public schools of the travel cost (km, water crossings included)",
)


def _ses_dissimilarity(model: EduModel) -> float:
    families, table = model.families, model.school_table
    n = len(table)
    # one pass: each placed pupil counted at 2 x school + (1 if low income)
    counts = counts_below_cut(families.school, families.income_cny, income_quartiles(model)[0], n)
    low_counts = counts[1::2].astype(float)
    other_counts = counts[0::2].astype(float)
    area = table.district.astype(np.int64) * 2 + table.stage  # a district's schools of a stage
    n_areas = int(area.max()) + 1
    low_total = np.bincount(area, low_counts, n_areas)
    other_total = np.bincount(area, other_counts, n_areas)
    valid = (low_total > 0) & (other_total > 0)
    gaps = np.abs(
        low_counts / np.maximum(low_total[area], 1)
        - other_counts / np.maximum(other_total[area], 1)
    )
    index = 0.5 * np.bincount(area, gaps, n_areas)
    pupils = low_total + other_total
    if not (valid & (pupils > 0)).any():
        return float("nan")
    return float(np.average(index[valid], weights=pupils[valid]))


register(
    _ses_dissimilarity,
    "ses_dissimilarity",
    "index (0-1)",
    "lower is better",
    "segregation of low-income pupils across the schools of their district",
    "pupil-weighted mean over districts and stages of the dissimilarity index 0.5 x sum over the district's schools of the stage (public and private) of |share of its bottom-quartile-income pupils - share of its other pupils| (income quartile over the whole city; NaN if no district has both low-income and other pupils, as when every family has the same income)",
)


def _top3(model: EduModel) -> float:
    return intake_share(model, "top3_met")


register(
    _top3,
    "top3_share",
    "share of entrants",
    "higher is better",
    "entering families placed at one of the first three schools of their list",
    "entrants to public schools placed by the mechanism at one of the first three schools of the list they would report sincerely (the catchment school alone under catchment), over those entrants (NaN before the first intake)",
)


def _intake_ratio(model: EduModel, key: str, total: str) -> float:
    """A ratio of two intake counts over both stages (NaN when the total is 0)."""
    if not model.intake:
        return float("nan")
    denominator = sum(s.get(total, 0) for s in model.intake.values())
    if denominator == 0:
        return float("nan")
    return sum(s.get(key, 0) for s in model.intake.values()) / denominator


def _blocking_pairs(model: EduModel) -> float:
    return _intake_ratio(model, "blocked", "matched")


register(
    _blocking_pairs,
    "blocking_pair_share",
    "share of matched entrants",
    "lower is better",
    "entrants with justified envy: a school they listed higher had a free place or admitted someone with lower priority there",
    "entrants placed by a mechanism (every rule but catchment) who form a blocking pair with a school listed above their placement, over those entrants (0 under deferred acceptance, stable by theorem and not checked in the run; NaN when only catchment is in force)",
)


def _misreport_gain(model: EduModel) -> float:
    return _intake_ratio(model, "misreport_gainers", "misreport_checked")


register(
    _misreport_gain,
    "misreport_gain_share",
    "share of sampled entrants",
    "lower is better",
    "sampled families who would get a school they prefer by moving one listed school to the top of their list",
    "of `enrollment.misreport_sample` entrants per stage drawn by lottery from those placed by a mechanism, the share for whom some list with one listed school moved to the top gives a school higher on their list, the others' lists fixed (0 under strategy-proof mechanisms; NaN when not sampled)",
)


def _achievement_segregation(model: EduModel) -> float:
    table = model.school_table
    area_of_school = table.district.astype(np.int64) * 2 + table.stage
    return between_school_variance_share(model, area_of_school)


register(
    _achievement_segregation,
    "achievement_segregation",
    "share of variance",
    "lower is better",
    "how far schools sort pupils by achievement: the between-school share of achievement variance in each district and stage",
    "pupil-weighted mean over districts and stages of (variance of school mean achievement, pupil-weighted) / (variance of pupils' achievement) among the enrolled pupils of the district's schools of the stage, public and private (areas with one pupil or no variance are skipped; NaN if none is left)",
)
