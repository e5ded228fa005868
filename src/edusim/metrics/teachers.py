"""Teachers: where backbone teachers are, rotations by kind, teacher gaps and incentives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.common import (
    open_public,
    quartile_gap,
)
from edusim.metrics.registry import register
from edusim.processes.aggregate import school_counts, school_mean
from edusim.processes.learning import scarce_subject_coverage

if TYPE_CHECKING:
    from edusim.model import EduModel


def _backbone_in_weak(model: EduModel) -> float:
    return _backbone_share_at(model, _weak_schools(model))


register(
    _backbone_in_weak,
    "backbone_in_weak_share",
    "share of backbone teachers",
    "higher is better",
    "how many backbone teachers work in the weakest schools",
    "backbone teachers (any tier above ordinary) teaching at open public schools in the bottom quarter of them by mean achievement within stage, over all backbone teachers teaching at open public schools (the denominator of backbone_in_rural_share; NaN when there is none)",
)


def _backbone_in_rural(model: EduModel) -> float:
    return _backbone_share_at(model, model.school_table.rural)


register(
    _backbone_in_rural,
    "backbone_in_rural_share",
    "share of backbone teachers",
    "higher is better",
    "how many backbone teachers teach in rural schools (each school's own status)",
    "backbone teachers (any tier above ordinary) teaching at open public rural schools, over all backbone teachers at open public schools (NaN when the city has no backbone teacher)",
)


def _scarce_uncovered_rural(model: EduModel) -> float:
    share = model.params.teachers.scarce_subject_share
    table, teachers = model.school_table, model.teachers
    rural = open_public(model) & table.rural & (table.enrollment > 0)
    if share <= 0 or not rural.any():
        return float("nan")
    coverage = scarce_subject_coverage(teachers.specialist, teachers.school, len(table), share)
    return float(np.average(1.0 - coverage[rural], weights=table.enrollment[rural]))


register(
    _scarce_uncovered_rural,
    "scarce_lessons_uncovered_rural",
    "share of scarce-subject lessons",
    "lower is better",
    "how many lessons of scarce subjects rural schools cannot give a trained teacher",
    "over open public rural schools (each school's own status), pupil-weighted, 1 - min(1, specialists teaching there / (teachers.scarce_subject_share x teachers teaching there)) (NaN when subjects are not modelled, scarce_subject_share 0, or the city has no open rural public school with pupils)",
)


def _backbone_share_at(model: EduModel, schools: np.ndarray) -> float:
    """Share of the backbone teachers teaching at open public schools who teach at one of
    `schools` (a mask): both backbone shares count the same teachers, so they can be read
    side by side (the private schools' teachers are outside the reform's targets)."""
    return _share_at(model, model.teachers.tier >= 1, schools)


def _share_at(model: EduModel, chosen: np.ndarray, schools: np.ndarray) -> float:
    """Of the `chosen` teachers (a mask) teaching at open public schools, the share
    teaching at one of `schools` (a mask); NaN when none is chosen."""
    teachers = model.teachers
    counted = chosen & open_public(model)[teachers.school]
    inside = counted & schools[teachers.school]
    return float(inside.sum() / counted.sum()) if counted.any() else float("nan")


def _weak_schools(model: EduModel) -> np.ndarray:
    """Open public schools in the bottom quarter by mean achievement within their stage."""
    table = model.school_table
    weak = np.zeros(len(table), dtype=bool)
    for stage in (0, 1):
        members = np.flatnonzero((table.stage == stage) & open_public(model))
        if members.size:
            cutoff = np.quantile(table.mean_achievement[members], 0.25)
            weak[members[table.mean_achievement[members] <= cutoff]] = True
    return weak


def _senior_in_rural(model: EduModel) -> float:
    return _share_at(model, model.teachers.title >= 1, model.school_table.rural)


register(
    _senior_in_rural,
    "senior_title_in_rural_share",
    "share of senior-title teachers",
    "higher is better",
    "how many teachers with a senior title (高级职称) teach in rural schools",
    "senior-title teachers teaching at open public rural schools (each school's own status), over senior-title teachers teaching at open public schools; NaN when there is none",
)


def _senior_in_weak(model: EduModel) -> float:
    return _share_at(model, model.teachers.title >= 1, _weak_schools(model))


register(
    _senior_in_weak,
    "senior_title_in_weak_share",
    "share of senior-title teachers",
    "higher is better",
    "how many teachers with a senior title teach in the weakest schools",
    "senior-title teachers teaching at open public schools in the bottom quarter of them by mean achievement within stage, over senior-title teachers teaching at open public schools; NaN when there is none",
)


def _staff_flow(model: EduModel, key: str) -> float:
    flows = model.staff_flows.get(model.current_school_year)
    return float(flows.get(key, 0)) if flows else float("nan")


def _senior_promotions(model: EduModel) -> float:
    return _staff_flow(model, "promoted_senior")


register(
    _senior_promotions,
    "senior_promotions",
    "teachers per year",
    "information",
    "teachers promoted to a senior title this year (into a free senior post of their school)",
    "count of promotions in the school year's title review; NaN before the first year",
)


def _surplus_teachers(model: EduModel) -> float:
    return _staff_flow(model, "surplus")


register(
    _surplus_teachers,
    "surplus_teachers",
    "teachers",
    "information",
    "school-employed teachers above their schools' posts (编制) this year (nobody is laid off)",
    "sum over schools of max(0, teachers whose post is at the school - posts) after this year's hires; NaN before the first year",
)


def _rotation(model: EduModel) -> dict[str, int]:
    return model.rotation_stats.get(model.current_school_year, {})


def _rotation_ratio(model: EduModel, part: str, whole: str) -> float:
    stats = _rotation(model)
    return stats[part] / stats[whole] if stats and stats[whole] else float("nan")


def _rotations(model: EduModel) -> float:
    stats = _rotation(model)
    return float(stats["posted"]) if stats else float("nan")


register(
    _rotations,
    "rotations",
    "teachers per year",
    "information",
    "teachers posted to another school this year: group cores to members (and back), the district rule, reservoir deployments",
    "count of postings started in the school year, all kinds; NaN before the first year",
)


def _rotation_count(model: EduModel, kind: str) -> float:
    stats = _rotation(model)
    return float(stats.get(kind, 0)) if stats else float("nan")


def _rotations_group(model: EduModel) -> float:
    return _rotation_count(model, "group")


register(
    _rotations_group,
    "rotations_group",
    "teachers per year",
    "information",
    "postings inside groups (core to members and back) this year",
    "count of group postings started in the school year; NaN before the first year",
)


def _rotations_district(model: EduModel) -> float:
    return _rotation_count(model, "district")


register(
    _rotations_district,
    "rotations_district",
    "teachers per year",
    "information",
    "postings by the district rule (县管校聘) from strong urban to weak or rural schools this year",
    "count of district postings started in the school year; NaN before the first year",
)


def _reservoir_size(model: EduModel) -> float:
    return _rotation_count(model, "reservoir_size")


register(
    _reservoir_size,
    "reservoir_size",
    "teachers",
    "information",
    "backbone teachers held in the districts' reservoirs (蓄水池) after this year's staffing (a stock; the year's deployments are rotations_reservoir)",
    "head count of district-employed teachers after this year's staffing, deployed or not (a reservoir teacher whose area has no receiving school stays at home); NaN before the first year",
)


def _rotations_reservoir(model: EduModel) -> float:
    return _rotation_count(model, "reservoir")


register(
    _rotations_reservoir,
    "rotations_reservoir",
    "teachers per year",
    "information",
    "reservoir teachers deployed to weak or rural schools this year (a flow; the stock is reservoir_size)",
    "count of reservoir postings started in the school year; NaN before the first year",
)


def _walk_teachers(model: EduModel) -> float:
    return _rotation_count(model, "walking")


register(
    _walk_teachers,
    "walk_teachers",
    "teachers per year",
    "information",
    "backbone teachers of group cores teaching part-time at a member this year (走教)",
    "count of teachers with a second school in the school year; NaN before the first year",
)


def _walk_travel(model: EduModel) -> float:
    return _rotation_count(model, "walk_travel_cny")


register(
    _walk_travel,
    "walk_teaching_travel_cny",
    "CNY per year",
    "information",
    "yearly travel cost of part-time teaching at a second school (走教)",
    "sum over walking teachers of walk_share x travel_cost_cny_per_km x km from core to member; NaN before the first year",
)


def _teacher_quartile_gap(model: EduModel) -> float:
    teachers = model.teachers
    n = model.school_table.stage.size
    means = school_mean(model.teacher_effectiveness(), teachers.school, n, empty=np.nan)
    staffed = open_public(model) & ~np.isnan(means)
    gaps, weights = [], []
    for stage in (0, 1):
        values = means[staffed & (model.school_table.stage == stage)]
        if values.size:
            gaps.append(quartile_gap(values))
            weights.append(values.size)
    return float(np.average(gaps, weights=weights)) if weights else float("nan")


register(
    _teacher_quartile_gap,
    "teacher_quartile_gap",
    "pupil SD per year",
    "lower is better",
    "gap in teachers' mean effectiveness between the top and bottom quarter of schools",
    "within each stage, over open public schools with teachers in post, mean of the school means of teacher effectiveness at or above the 75th percentile minus at or below the 25th; averaged over the stages weighted by those schools (a school with pupils but no teacher yet has no mean and is left out, not counted as 0)",
)


def _teacher_urban_rural_gap(model: EduModel) -> float:
    table, teachers = model.school_table, model.teachers
    effectiveness = model.teacher_effectiveness()
    open_school = open_public(model)[teachers.school]
    rural = table.rural[teachers.school]
    urban_rows, rural_rows = open_school & ~rural, open_school & rural
    if not urban_rows.any() or not rural_rows.any():
        return float("nan")
    return float(effectiveness[urban_rows].mean() - effectiveness[rural_rows].mean())


register(
    _teacher_urban_rural_gap,
    "teacher_urban_rural_gap",
    "pupil SD per year",
    "lower is better",
    "gap in effectiveness between teachers of urban and of rural schools (each school's own status)",
    "mean effectiveness of teachers teaching at open public urban schools minus at rural ones; NaN if either is absent",
)


def _rotated_tier_mean(model: EduModel) -> float:
    teachers = model.teachers
    rotated = teachers.rotated_years > 0
    return float(teachers.tier[rotated].mean()) if rotated.any() else float("nan")


register(
    _rotated_tier_mean,
    "rotated_tier_mean",
    "tier index (0-3)",
    "information",
    "mean tier of teachers with two-school experience (promotion priority raises it)",
    "mean over teachers who have served a posting at another school of their tier (0 ordinary, 1 backbone, 2 municipal backbone, 3 famous/special); NaN if none has",
)


def _results_fund(model: EduModel) -> float:
    spent = model.money.get(model.current_school_year)
    return float(spent.get("results_fund_cny", 0.0)) if spent else float("nan")


register(
    _results_fund,
    "results_fund_cny",
    "CNY per year",
    "information",
    "results-based working funds paid to groups this year (earned in last year's evaluation)",
    "sum of the results funds paid in the school year (included in money_spent_cny); NaN before the first year",
)


def _rotation_backbone(model: EduModel) -> float:
    return _rotation_ratio(model, "backbone", "posted")


register(
    _rotation_backbone,
    "rotation_backbone_share",
    "share of postings",
    "information",
    "share of this year's postings that went to backbone teachers (tier above ordinary)",
    "backbone teachers posted / all teachers posted; NaN without postings",
)


def _rotation_young(model: EduModel) -> float:
    return _rotation_ratio(model, "young", "posted")


register(
    _rotation_young,
    "rotation_young_share",
    "share of postings",
    "information",
    "share of this year's postings that went to teachers under 35",
    "teachers under 35 posted / all teachers posted; NaN without postings",
)


def _volunteer_share(model: EduModel) -> float:
    return _rotation_ratio(model, "volunteers", "asked")


register(
    _volunteer_share,
    "volunteer_share",
    "share of eligible teachers",
    "higher is better",
    "share of eligible teachers at voluntary-rotation cores who would volunteer",
    "teachers with positive volunteering utility / eligible teachers asked; NaN if none asked",
)


def _balanced_share(model: EduModel) -> float:
    checks = model.latest_balance["within_standard"]
    return float(checks.mean()) if len(checks) else float("nan")


register(
    _balanced_share,
    "balanced_share",
    "share of checks",
    "higher is better",
    "national balanced-quality check: share of (district, stage, indicator) within the CV limit",
    "indicators: backbone and qualified teachers per 100 pupils, spending per pupil; limit 0.50 primary, 0.45 junior (see balance.py)",
)


def school_backbone_share(model: EduModel) -> np.ndarray:
    """Share of backbone teachers (tier >= 1) at each school."""
    teachers, n = model.teachers, len(model.school_table)
    return school_mean((teachers.tier >= 1).astype(float), teachers.school, n)


def school_teacher_counts(model: EduModel) -> np.ndarray:
    """Teachers in post at each school."""
    return school_counts(model.teachers.school, len(model.school_table))
