"""The metrics registry: one place defines every outcome the model reports.

Each metric has a name, unit, direction (which way is better), description, formula and
a function of the model state. The model computes all of them after every school year
(and for the initial state); Mesa `DataCollector` reporters are generated from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from edusim.agents.groups import MEMBER
from edusim.processes.aggregate import school_counts, school_mean

if TYPE_CHECKING:
    from edusim.model import EduModel

SCALE_MEAN, SCALE_SD = 500.0, 100.0
"""Achievement is reported on a scale score (500 + 100 x SD units) where a ratio is needed."""


@dataclass(frozen=True)
class Metric:
    """One registered outcome."""

    name: str
    unit: str
    direction: str  # "lower is better", "higher is better" or "information"
    description: str
    formula: str
    compute: Callable[[EduModel], float]


METRICS: dict[str, Metric] = {}


def metric(name: str, unit: str, direction: str, description: str, formula: str):
    """Register the decorated function as metric `name`."""

    def register(compute: Callable[[EduModel], float]) -> Callable[[EduModel], float]:
        if name in METRICS:
            raise ValueError(f"metric '{name}' registered twice")
        METRICS[name] = Metric(name, unit, direction, description, formula, compute)
        return compute

    return register


def metrics_markdown() -> str:
    """The text of docs/metrics.md, generated from the registry."""
    lines = [
        "# Metrics",
        "",
        "Generated from the registry in `src/edusim/metrics.py` (`python -m edusim.metrics`);",
        "do not edit by hand. Each is computed after every school year and for the city as",
        "built, and written to `metrics.parquet` (tidy: scenario, replicate, seed, year,",
        "metric, value).",
        "",
        "| metric | unit | direction | description | formula |",
        "|---|---|---|---|---|",
    ]
    for entry in METRICS.values():
        cells = [f"`{entry.name}`", entry.unit, entry.direction, entry.description, entry.formula]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def compute_all(model: EduModel) -> dict[str, float]:
    """Every registered metric for the model's current state."""
    return {name: float(entry.compute(model)) for name, entry in METRICS.items()}


def _open(model: EduModel) -> np.ndarray:
    """Public schools with pupils: the gaps the reform is judged by are between public
    schools, and a school never used has no results to compare."""
    return (model.school_table.enrollment > 0) & ~model.school_table.private


def learning_years(model: EduModel) -> np.ndarray:
    """Teaching quality as years of learning per school year (1 = an average year)."""
    return 1.0 + model.school_table.teaching_quality / model.params.learning.annual_growth_sd


def _by_stage(
    model: EduModel, values: np.ndarray, statistic: Callable[[np.ndarray], float]
) -> float:
    """A statistic over the open public schools of each stage, averaged over the stages
    weighted by their number of schools: gaps are between schools of the same stage (a
    city of one school per stage has none)."""
    results, weights = [], []
    for stage in (0, 1):
        members = values[_open(model) & (model.school_table.stage == stage)]
        if members.size:
            results.append(statistic(members))
            weights.append(members.size)
    return float(np.average(results, weights=weights)) if weights else float("nan")


def _pooled_sd(model: EduModel, values: np.ndarray) -> float:
    """Within-stage SD pooled over the stages."""
    return float(np.sqrt(_by_stage(model, values, np.var)))


def _quartile_gap(values: np.ndarray) -> float:
    if values.size == 0:
        return float("nan")
    low, high = np.quantile(values, [0.25, 0.75])
    return float(values[values >= high].mean() - values[values <= low].mean())


def _cv(values: np.ndarray) -> float:
    mean = values.mean() if values.size else float("nan")
    return float(values.std() / mean) if values.size and mean != 0 else float("nan")


@metric(
    "quality_sd",
    "pupil SD per year",
    "lower is better",
    "spread of teaching quality across schools",
    "SD of teaching quality (mean teacher effectiveness + management, with group and grant effects) across the open public schools of a stage, pooled over the two stages",
)
def _quality_sd(model: EduModel) -> float:
    return _pooled_sd(model, model.school_table.teaching_quality)


@metric(
    "quality_cv",
    "ratio",
    "lower is better",
    "coefficient of variation of teaching quality across schools",
    "SD / mean of learning-years (1 + quality / annual_growth_sd) over the open public schools of a stage, averaged over the stages weighted by their schools",
)
def _quality_cv(model: EduModel) -> float:
    return _by_stage(model, learning_years(model), _cv)


@metric(
    "achievement_sd",
    "pupil SD",
    "lower is better",
    "spread of schools' mean achievement",
    "SD of the mean achievement of their pupils across the open public schools of a stage, pooled over the two stages",
)
def _achievement_sd(model: EduModel) -> float:
    return _pooled_sd(model, model.school_table.mean_achievement)


@metric(
    "achievement_cv",
    "ratio",
    "lower is better",
    "coefficient of variation of schools' mean scale score",
    "SD / mean of 500 + 100 x mean achievement over the open public schools of a stage, averaged over the stages weighted by their schools",
)
def _achievement_cv(model: EduModel) -> float:
    scores = SCALE_MEAN + SCALE_SD * model.school_table.mean_achievement
    return _by_stage(model, scores, _cv)


@metric(
    "quality_quartile_gap",
    "pupil SD per year",
    "lower is better",
    "teaching-quality gap between the top and bottom quarter of schools",
    "within each stage, mean quality of open public schools at or above the 75th percentile minus those at or below the 25th; averaged over the stages weighted by their schools",
)
def _quality_quartile_gap(model: EduModel) -> float:
    return _by_stage(model, model.school_table.teaching_quality, _quartile_gap)


@metric(
    "achievement_quartile_gap",
    "pupil SD",
    "lower is better",
    "achievement gap between the top and bottom quarter of schools",
    "within each stage, mean school achievement at or above the 75th percentile minus at or below the 25th (open public schools); averaged over the stages weighted by their schools",
)
def _achievement_quartile_gap(model: EduModel) -> float:
    return _by_stage(model, model.school_table.mean_achievement, _quartile_gap)


@metric(
    "urban_rural_gap",
    "pupil SD",
    "lower is better",
    "achievement gap between pupils in urban districts and pupils in rural counties",
    "mean achievement of pupils whose families live in urban districts minus rural counties (NaN if either is absent)",
)
def _urban_rural_gap(model: EduModel) -> float:
    families = model.families
    kind = model.geography.district_kind[families.district]
    urban, rural = kind == 0, kind == 2
    if not urban.any() or not rural.any():
        return float("nan")
    return float(families.achievement[urban].mean() - families.achievement[rural].mean())


@metric(
    "ses_gap",
    "pupil SD",
    "lower is better",
    "achievement gap between the richest and poorest quarter of families",
    "mean achievement of pupils in the top income quartile minus the bottom quartile",
)
def _ses_gap(model: EduModel) -> float:
    return _quartile_gap_by(model.families.achievement, model.families.income_cny)


def _quartile_gap_by(values: np.ndarray, key: np.ndarray) -> float:
    low, high = np.quantile(key, [0.25, 0.75])
    return float(values[key >= high].mean() - values[key <= low].mean())


@metric(
    "high_quality_share",
    "share of pupils",
    "higher is better",
    "share of pupils in high-quality schools",
    "pupils in schools whose teaching quality is at or above the year-0 75th percentile of schools, over all pupils",
)
def _high_quality_share(model: EduModel) -> float:
    table = model.school_table
    good = table.teaching_quality >= model.quality_threshold
    return float(table.enrollment[good].sum() / max(table.enrollment.sum(), 1))


@metric(
    "movers_share",
    "share of entrants",
    "lower is better",
    "school-choice pressure: entering families who moved house for a school",
    "families entering grade 1 or 7 this year who bought or rented a home for a school, over all entrants, public and private (NaN before the first intake)",
)
def _movers_share(model: EduModel) -> float:
    return _share_of_all_entrants(model, "movers")


def _share_of_all_entrants(model: EduModel, key: str) -> float:
    """An intake count over all entrants, public and private (NaN before the first intake)."""
    if not model.intake:
        return float("nan")
    entrants = sum(s["entrants"] + s["private_entrants"] for s in model.intake.values())
    return sum(s[key] for s in model.intake.values()) / max(entrants, 1)


@metric(
    "renters_share",
    "share of entrants",
    "information",
    "entering families who rented (rather than bought) into a catchment for a school",
    "families entering grade 1 or 7 this year who rented a home for a school, over all entrants, public and private (NaN before the first intake)",
)
def _renters_share(model: EduModel) -> float:
    return _share_of_all_entrants(model, "renters")


@metric(
    "private_share",
    "share of pupils",
    "information",
    "pupils in private (民办) schools",
    "enrolled pupils of private schools over all enrolled pupils",
)
def _private_share(model: EduModel) -> float:
    table = model.school_table
    return float(table.enrollment[table.private].sum() / max(table.enrollment.sum(), 1))


@metric(
    "private_applicants_per_place",
    "applicants per place",
    "information",
    "demand for private schools at this year's intake",
    "families applying to private schools / private entry places, both stages (NaN before the first intake or without private schools)",
)
def _private_applicants_per_place(model: EduModel) -> float:
    table = model.school_table
    if not model.intake or not table.private.any():
        return float("nan")
    applicants = sum(s["private_applicants"] for s in model.intake.values())
    return applicants / max(int(table.entry_capacity[table.private].sum()), 1)


def catchment_premium_cny(model: EduModel) -> np.ndarray:
    """Housing premium of each school's catchment for a typical flat, in yuan."""
    table = model.school_table
    price = model.geography.district_price_cny_per_m2[table.district]
    return table.premium_share * price * model.params.housing.flat_size_m2


def _catchment_premiums(model: EduModel) -> np.ndarray:
    """Premiums of the schools that have a catchment (public schools)."""
    return catchment_premium_cny(model)[~model.school_table.private]


@metric(
    "premium_mean_cny",
    "CNY",
    "lower is better",
    "mean catchment housing premium",
    "mean over catchments (public schools) of premium share x district base price x flat size",
)
def _premium_mean(model: EduModel) -> float:
    return float(_catchment_premiums(model).mean())


@metric(
    "premium_top_decile_cny",
    "CNY",
    "lower is better",
    "housing premium of the dearest tenth of catchments",
    "mean premium of the 10% of catchments (public schools) with the highest premiums",
)
def _premium_top_decile(model: EduModel) -> float:
    premium = np.sort(_catchment_premiums(model))
    return float(premium[-max(1, premium.size // 10) :].mean())


def _premium_shares(model: EduModel) -> np.ndarray:
    """Premium shares of the base price of the schools that have a catchment."""
    return model.school_table.premium_share[~model.school_table.private]


@metric(
    "premium_median_share",
    "share of base price",
    "lower is better",
    "median catchment premium, as a share of the flat's price",
    "median over catchments (public schools) of the premium as a share of the district's base price (the clearing price of processes/housing.py)",
)
def _premium_median_share(model: EduModel) -> float:
    return float(np.median(_premium_shares(model)))


@metric(
    "premium_top_decile_share",
    "share of base price",
    "lower is better",
    "premium of the dearest tenth of catchments, as a share of the flat's price",
    "mean premium share of the 10% of catchments (public schools) with the highest premium shares",
)
def _premium_top_decile_share(model: EduModel) -> float:
    share = np.sort(_premium_shares(model))
    return float(share[-max(1, share.size // 10) :].mean())


@metric(
    "oversubscription_top",
    "entrants per place",
    "lower is better",
    "demand for the most demanded schools",
    "first-choice applications / entry places, averaged over the 10% of schools with the highest ratio (under catchment the first choice is the catchment school; NaN before the first intake)",
)
def _oversubscription_top(model: EduModel) -> float:
    if not model.intake:
        return float("nan")
    ratios = []
    for stats in model.intake.values():
        in_stage = stats["in_stage"]
        ratios.append(
            stats["applications"][in_stage] / np.maximum(stats["entry_places"][in_stage], 1)
        )
    ratio = np.concatenate(ratios)
    top = np.sort(ratio)[-max(1, ratio.size // 10) :]
    return float(top.mean())


@metric(
    "backbone_in_weak_share",
    "share of backbone teachers",
    "higher is better",
    "how many backbone teachers work in the weakest schools",
    "backbone teachers (any tier above ordinary) in the bottom quarter of schools by mean achievement within stage, over all backbone teachers",
)
def _backbone_in_weak(model: EduModel) -> float:
    table, teachers = model.school_table, model.teachers
    weak = np.zeros(len(table), dtype=bool)
    for stage in (0, 1):
        members = np.flatnonzero((table.stage == stage) & _open(model))
        if members.size:
            cutoff = np.quantile(table.mean_achievement[members], 0.25)
            weak[members[table.mean_achievement[members] <= cutoff]] = True
    backbone = teachers.tier >= 1
    return float((backbone & weak[teachers.school]).sum() / max(backbone.sum(), 1))


@metric(
    "backbone_in_rural_share",
    "share of backbone teachers",
    "higher is better",
    "how many backbone teachers teach in rural schools (each school's own status)",
    "backbone teachers (any tier above ordinary) teaching at open public rural schools, over all backbone teachers at open public schools (NaN when the city has no backbone teacher)",
)
def _backbone_in_rural(model: EduModel) -> float:
    table, teachers = model.school_table, model.teachers
    backbone = (teachers.tier >= 1) & _open(model)[teachers.school]
    rural = backbone & table.rural[teachers.school]
    return float(rural.sum() / backbone.sum()) if backbone.any() else float("nan")


def _group_rows(model: EduModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    groups = model.groups
    members = groups.role == MEMBER
    return groups.school[members], groups.group[members], groups.core_of_rows()[members]


@metric(
    "within_group_gap",
    "pupil SD per year",
    "lower is better",
    "teaching-quality gap between group cores and their members",
    "mean over active groups of (core quality - mean quality of its members); NaN without groups",
)
def _within_group_gap(model: EduModel) -> float:
    member, group, core = _group_rows(model)
    if member.size == 0:
        return float("nan")
    quality = model.school_table.teaching_quality
    counts = np.bincount(group)
    per_group = np.bincount(group, weights=quality[core] - quality[member]) / np.maximum(counts, 1)
    return float(per_group[counts > 0].mean())


@metric(
    "member_nonmember_gap",
    "pupil SD per year",
    "information",
    "teaching quality of group members relative to schools in no group",
    "mean quality of member (non-core) schools minus mean quality of schools in no group; NaN if either set is empty",
)
def _member_nonmember_gap(model: EduModel) -> float:
    member, _, _ = _group_rows(model)
    quality = model.school_table.teaching_quality
    outside = np.ones(quality.size, dtype=bool)
    outside[model.groups.school] = False
    if member.size == 0 or not outside.any():
        return float("nan")
    return float(quality[np.unique(member)].mean() - quality[outside].mean())


@metric(
    "group_participation_share",
    "share of schools",
    "information",
    "share of schools in at least one active group (core or member)",
    "schools with a membership row over all schools",
)
def _group_participation(model: EduModel) -> float:
    return float(np.unique(model.groups.school).size / len(model.school_table))


def _rotation(model: EduModel) -> dict[str, int]:
    return model.rotation_stats.get(model.current_school_year, {})


def _rotation_ratio(model: EduModel, part: str, whole: str) -> float:
    stats = _rotation(model)
    return stats[part] / stats[whole] if stats and stats[whole] else float("nan")


@metric(
    "rotations",
    "teachers per year",
    "information",
    "teachers posted to another school this year: group cores to members (and back), the district rule, reservoir deployments",
    "count of postings started in the school year, all kinds; NaN before the first year",
)
def _rotations(model: EduModel) -> float:
    stats = _rotation(model)
    return float(stats["posted"]) if stats else float("nan")


def _rotation_count(model: EduModel, kind: str) -> float:
    stats = _rotation(model)
    return float(stats.get(kind, 0)) if stats else float("nan")


@metric(
    "rotations_group",
    "teachers per year",
    "information",
    "postings inside groups (core to members and back) this year",
    "count of group postings started in the school year; NaN before the first year",
)
def _rotations_group(model: EduModel) -> float:
    return _rotation_count(model, "group")


@metric(
    "rotations_district",
    "teachers per year",
    "information",
    "postings by the district rule (县管校聘) from strong urban to weak or rural schools this year",
    "count of district postings started in the school year; NaN before the first year",
)
def _rotations_district(model: EduModel) -> float:
    return _rotation_count(model, "district")


@metric(
    "reservoir_size",
    "teachers",
    "information",
    "backbone teachers held in the districts' reservoirs (蓄水池), deployed this year",
    "count of district-employed teachers after this year's staffing; NaN before the first year",
)
def _reservoir_size(model: EduModel) -> float:
    return _rotation_count(model, "reservoir_size")


@metric(
    "teacher_quartile_gap",
    "pupil SD per year",
    "lower is better",
    "gap in teachers' mean effectiveness between the top and bottom quarter of schools",
    "within each stage, over open public schools, mean of the school means of teacher effectiveness at or above the 75th percentile minus at or below the 25th; averaged over the stages weighted by their schools",
)
def _teacher_quartile_gap(model: EduModel) -> float:
    teachers = model.teachers
    n = model.school_table.stage.size
    means = school_mean(model.teacher_effectiveness(), teachers.school, n)
    return _by_stage(model, means, _quartile_gap)


@metric(
    "teacher_urban_rural_gap",
    "pupil SD per year",
    "lower is better",
    "gap in effectiveness between teachers of urban and of rural schools (each school's own status)",
    "mean effectiveness of teachers teaching at open public urban schools minus at rural ones; NaN if either is absent",
)
def _teacher_urban_rural_gap(model: EduModel) -> float:
    table, teachers = model.school_table, model.teachers
    effectiveness = model.teacher_effectiveness()
    open_school = _open(model)[teachers.school]
    rural = table.rural[teachers.school]
    urban_rows, rural_rows = open_school & ~rural, open_school & rural
    if not urban_rows.any() or not rural_rows.any():
        return float("nan")
    return float(effectiveness[urban_rows].mean() - effectiveness[rural_rows].mean())


@metric(
    "rotated_tier_mean",
    "tier index (0-3)",
    "information",
    "mean tier of teachers with two-school experience (promotion priority raises it)",
    "mean over teachers who have served a posting at another school of their tier (0 ordinary, 1 backbone, 2 municipal backbone, 3 famous/special); NaN if none has",
)
def _rotated_tier_mean(model: EduModel) -> float:
    teachers = model.teachers
    rotated = teachers.rotated_years > 0
    return float(teachers.tier[rotated].mean()) if rotated.any() else float("nan")


@metric(
    "results_fund_cny",
    "CNY per year",
    "information",
    "results-based working funds paid to groups this year (earned in last year's evaluation)",
    "sum of the results funds paid in the school year (included in money_spent_cny); NaN before the first year",
)
def _results_fund(model: EduModel) -> float:
    spent = model.money.get(model.current_school_year)
    return float(spent.get("results_fund_cny", 0.0)) if spent else float("nan")


@metric(
    "rotation_backbone_share",
    "share of postings",
    "information",
    "share of this year's postings that went to backbone teachers (tier above ordinary)",
    "backbone teachers posted / all teachers posted; NaN without postings",
)
def _rotation_backbone(model: EduModel) -> float:
    return _rotation_ratio(model, "backbone", "posted")


@metric(
    "rotation_young_share",
    "share of postings",
    "information",
    "share of this year's postings that went to teachers under 35",
    "teachers under 35 posted / all teachers posted; NaN without postings",
)
def _rotation_young(model: EduModel) -> float:
    return _rotation_ratio(model, "young", "posted")


@metric(
    "volunteer_share",
    "share of eligible teachers",
    "higher is better",
    "share of eligible teachers at voluntary-rotation cores who would volunteer",
    "teachers with positive volunteering utility / eligible teachers asked; NaN if none asked",
)
def _volunteer_share(model: EduModel) -> float:
    return _rotation_ratio(model, "volunteers", "asked")


@metric(
    "balanced_share",
    "share of checks",
    "higher is better",
    "national balanced-quality check: share of (district, stage, indicator) within the CV limit",
    "indicators: backbone and qualified teachers per 100 pupils, spending per pupil; limit 0.50 primary, 0.45 junior (see balance.py)",
)
def _balanced_share(model: EduModel) -> float:
    checks = model.latest_balance["within_standard"]
    return float(checks.mean()) if len(checks) else float("nan")


@metric(
    "money_spent_cny",
    "CNY per year",
    "information",
    "reform grants paid this year (after the budget cap)",
    "sum of resource and development grants allocated in the year's policy phase; NaN before the first year",
)
def _money_spent(model: EduModel) -> float:
    spent = model.money.get(model.current_school_year)
    return spent["spent_cny"] if spent else float("nan")


@metric(
    "cost_per_gap_reduction_cny",
    "CNY per pupil SD per year",
    "lower is better",
    "reform money spent so far per unit the teaching-quality quartile gap has narrowed since year 0",
    "cumulative grants / (quality_quartile_gap in year 0 - now); NaN when nothing was spent or the gap did not narrow",
)
def _cost_per_gap(model: EduModel) -> float:
    spent = sum(entry["spent_cny"] for entry in model.money.values())
    narrowed = model.initial_quality_gap - _quality_quartile_gap(model)
    return spent / narrowed if spent > 0 and narrowed > 0 else float("nan")


def _intake_share(model: EduModel, key: str) -> float:
    if not model.intake:
        return float("nan")
    entrants = sum(s["entrants"] for s in model.intake.values())
    return sum(s[key] for s in model.intake.values()) / max(entrants, 1)


@metric(
    "out_of_catchment_share",
    "share of entrants",
    "information",
    "entering families whose first choice is not their catchment school",
    "entrants to public schools whose first-listed school differs from their catchment school, over those entrants (NaN before the first intake)",
)
def _out_of_catchment(model: EduModel) -> float:
    return _intake_share(model, "out_of_catchment")


@metric(
    "first_choice_share",
    "share of entrants",
    "higher is better",
    "entering families placed at their first choice",
    "entrants to public schools placed at the first school of their list (the catchment school under catchment), over those entrants",
)
def _first_choice(model: EduModel) -> float:
    return _intake_share(model, "first_choice_met")


@metric(
    "mean_distance_km",
    "km",
    "lower is better",
    "mean travel distance from an entrant's home to the school it was placed in",
    "mean over this year's entrants to public schools of the travel cost (km, water crossings included)",
)
def _mean_distance(model: EduModel) -> float:
    if not model.intake:
        return float("nan")
    entrants = sum(s["entrants"] for s in model.intake.values())
    return sum(s["distance_km_sum"] for s in model.intake.values()) / max(entrants, 1)


@metric(
    "premium_gini",
    "Gini coefficient",
    "lower is better",
    "inequality of catchment housing premiums",
    "Gini coefficient of the premium in CNY over the catchments (public schools) of a stage (0 when all are equal or zero), averaged over the stages weighted by their catchments",
)
def _premium_gini(model: EduModel) -> float:
    table = model.school_table
    premiums = catchment_premium_cny(model)
    ginis, weights = [], []
    for stage in (0, 1):
        members = premiums[(table.stage == stage) & ~table.private]
        if members.size:
            ginis.append(_gini(members))
            weights.append(members.size)
    return float(np.average(ginis, weights=weights)) if weights else float("nan")


def _gini(values: np.ndarray) -> float:
    ordered = np.sort(values)
    total = ordered.sum()
    if total <= 0:
        return 0.0
    ranks = np.arange(1, ordered.size + 1)
    return float((2 * ranks - ordered.size - 1).dot(ordered) / (ordered.size * total))


@metric(
    "ses_dissimilarity",
    "index (0-1)",
    "lower is better",
    "segregation of low-income pupils across the schools of their district",
    "pupil-weighted mean over districts and stages of the dissimilarity index 0.5 x sum over the district's schools of the stage (public and private) of |share of its bottom-quartile-income pupils - share of its other pupils| (income quartile over the whole city; NaN if no district has both low-income and other pupils, as when every family has the same income)",
)
def _ses_dissimilarity(model: EduModel) -> float:
    families, table = model.families, model.school_table
    placed = families.school >= 0
    low = families.income_cny <= np.quantile(families.income_cny, 0.25)
    n = len(table)
    low_counts = np.bincount(families.school[placed & low], minlength=n).astype(float)
    other_counts = np.bincount(families.school[placed & ~low], minlength=n).astype(float)
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


@metric("pupils", "pupils", "information", "pupils enrolled", "count of enrolled pupils")
def _pupils(model: EduModel) -> float:
    return float((model.families.school >= 0).sum())


@metric("teachers", "teachers", "information", "teachers in post", "count of teachers")
def _teachers(model: EduModel) -> float:
    return float(len(model.teachers))


@metric(
    "mean_achievement",
    "pupil SD",
    "higher is better",
    "mean achievement of all pupils (year-0 anchored scale)",
    "mean over pupils of achievement",
)
def _mean_achievement(model: EduModel) -> float:
    return float(model.families.achievement.mean())


def school_backbone_share(model: EduModel) -> np.ndarray:
    """Share of backbone teachers (tier >= 1) at each school."""
    teachers, n = model.teachers, len(model.school_table)
    return school_mean((teachers.tier >= 1).astype(float), teachers.school, n)


def school_teacher_counts(model: EduModel) -> np.ndarray:
    """Teachers in post at each school."""
    return school_counts(model.teachers.school, len(model.school_table))


if __name__ == "__main__":
    import sys

    sys.stdout.write(metrics_markdown())
