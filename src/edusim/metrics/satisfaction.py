"""Public satisfaction (教育满意度) and the sense of gain (获得感) of this year's entering
families, by income group, urban and rural, district and school: what Ninghe's aim
("不断提高教育的社会满意度") and Sanming's yardstick ("将学生、家长与社区老百姓满意度,
作为检验总校制办学成效的重要标尺"; "增加群众教育获得感") are judged by.

Each public entrant's index and components are recorded by the intake
(phases/satisfaction.py) by the rule of processes/satisfaction.py; private entrants chose
to pay for a school and are not counted. Every metric is NaN before the first intake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.common import income_quartiles
from edusim.metrics.registry import register
from edusim.processes.satisfaction import COMPONENTS, SATISFIED_AT, group_means, joined_records

if TYPE_CHECKING:
    from edusim.model import EduModel

RULE = "(processes/satisfaction.py: 100 x (0.30 expectation met + 0.25 perceived quality + 0.20 fairness + 0.15 access + 0.10 cost), weights an assumption)"


def _entrants(model: EduModel) -> dict[str, np.ndarray] | None:
    """This year's public entrants of both stages: their index, components (entrants x 5),
    income, district, school and catchment school, and their stage (None before the
    first intake or with no public entrant): the record the intake joined
    (`model.satisfaction_entrants`, processes/satisfaction.py `join_stage_records`), or
    joined here from the stages' records where the intake has not (a model stepped by
    parts), once per recording of the metrics (`model.metric_memo`)."""
    joined = getattr(model, "satisfaction_entrants", None)
    if joined is not None:
        return joined
    memo = getattr(model, "metric_memo", None)
    if memo is not None and "satisfaction_entrants" in memo:
        return memo["satisfaction_entrants"]
    joined = joined_records(model.intake)
    if memo is not None:
        memo["satisfaction_entrants"] = joined
    return joined


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _satisfaction_index(model: EduModel) -> float:
    entrants = _entrants(model)
    return float("nan") if entrants is None else _mean(entrants["index"])


register(
    _satisfaction_index,
    "satisfaction_index",
    "index (0-100)",
    "higher is better",
    "public satisfaction with schooling (教育满意度): what this year's entering families would say of the place they were given",
    f"mean over this year's entrants to public schools of their satisfaction index {RULE}",
)


def _satisfied_share(model: EduModel) -> float:
    entrants = _entrants(model)
    if entrants is None:
        return float("nan")
    return float((entrants["index"] >= SATISFIED_AT).mean())


register(
    _satisfied_share,
    "satisfied_share",
    "share of entrants",
    "higher is better",
    "entering families satisfied with their place (index 60 or more)",
    f"entrants to public schools whose satisfaction index is at least {SATISFIED_AT:g} (threshold an assumption), over those entrants",
)


def _income_group_index(model: EduModel, top: bool) -> float:
    entrants = _entrants(model)
    if entrants is None:
        return float("nan")
    low, high = income_quartiles(model)
    income = entrants["income_cny"]
    chosen = income >= high if top else income <= low
    return _mean(entrants["index"][chosen])


def _satisfaction_low_income(model: EduModel) -> float:
    return _income_group_index(model, top=False)


register(
    _satisfaction_low_income,
    "satisfaction_low_income",
    "index (0-100)",
    "higher is better",
    "satisfaction of low-income entering families",
    "mean satisfaction index of the entrants to public schools whose income is in the bottom quarter of all families' incomes (NaN if none)",
)


def _satisfaction_high_income(model: EduModel) -> float:
    return _income_group_index(model, top=True)


register(
    _satisfaction_high_income,
    "satisfaction_high_income",
    "index (0-100)",
    "information",
    "satisfaction of high-income entering families",
    "mean satisfaction index of the entrants to public schools whose income is in the top quarter of all families' incomes (NaN if none)",
)


def _kind_index(model: EduModel, kind: int) -> float:
    entrants = _entrants(model)
    if entrants is None:
        return float("nan")
    of_kind = model.geography.district_kind[entrants["district"]] == kind
    return _mean(entrants["index"][of_kind])


def _satisfaction_urban(model: EduModel) -> float:
    return _kind_index(model, 0)


register(
    _satisfaction_urban,
    "satisfaction_urban",
    "index (0-100)",
    "information",
    "satisfaction of entering families in urban districts",
    "mean satisfaction index of the entrants to public schools whose families live in urban districts (district kind urban; NaN if none)",
)


def _satisfaction_rural(model: EduModel) -> float:
    return _kind_index(model, 2)


register(
    _satisfaction_rural,
    "satisfaction_rural",
    "index (0-100)",
    "higher is better",
    "satisfaction of entering families in rural counties",
    "mean satisfaction index of the entrants to public schools whose families live in rural counties (district kind rural; NaN if none)",
)


def _satisfaction_lowest_district(model: EduModel) -> float:
    entrants = _entrants(model)
    if entrants is None:
        return float("nan")
    means = group_means(entrants["index"], entrants["district"], len(model.geography.district_kind))
    return float(np.nanmin(means))


register(
    _satisfaction_lowest_district,
    "satisfaction_lowest_district",
    "index (0-100)",
    "higher is better",
    "satisfaction in the least satisfied district",
    "lowest over districts with entrants of the mean satisfaction index of their entrants to public schools (the city's mean in a city of one district)",
)


def _school_means(entrants: dict[str, np.ndarray], n_schools: int) -> np.ndarray:
    """Mean index of each school's entrants (NaN for a school with none)."""
    return group_means(entrants["index"], entrants["school"], n_schools)


def _unsatisfied_schools_share(model: EduModel) -> float:
    entrants = _entrants(model)
    if entrants is None:
        return float("nan")
    means = _school_means(entrants, len(model.school_table))
    rated = ~np.isnan(means)
    return float((means[rated] < SATISFIED_AT).mean())


register(
    _unsatisfied_schools_share,
    "unsatisfied_schools_share",
    "share of schools",
    "lower is better",
    "public schools whose entering families are, on average, not satisfied",
    f"public schools with entrants this year whose entrants' mean satisfaction index is below {SATISFIED_AT:g}, over public schools with entrants",
)


def _sense_of_gain(model: EduModel) -> float:
    entrants = _entrants(model)
    baseline = getattr(model, "satisfaction_baseline", None)
    if entrants is None or not baseline:
        return float("nan")
    before = np.full(entrants["index"].size, np.nan)
    for stage, means in baseline.items():
        rows = entrants["stage"] == stage
        before[rows] = means[entrants["home"][rows]]
    known = ~np.isnan(before)
    return _mean(entrants["index"][known] - before[known])


register(
    _sense_of_gain,
    "sense_of_gain",
    "index points",
    "higher is better",
    "sense of gain (获得感): how much more satisfied this year's entrants are than the families of the same catchments before the first school year",
    "mean over this year's entrants to public schools, of catchments that had entrants at the intake rehearsed before the first school year (the burn-in's last round; without a burn-in the first reported intake), of their index minus the mean index of that catchment's entrants then; a run's paired difference with its counterfactual is the reform's own share of it",
)


def _component(model: EduModel, column: int) -> float:
    entrants = _entrants(model)
    return float("nan") if entrants is None else _mean(entrants["components"][:, column])


def _satisfaction_expectation(model: EduModel) -> float:
    return _component(model, COMPONENTS.index("expectation"))


register(
    _satisfaction_expectation,
    "satisfaction_expectation",
    "score (0-1)",
    "higher is better",
    "expectation met (期望达成): the school given against what the family expected its address to give",
    "mean over entrants to public schools of clip(0.5 + (reputation of the school placed in - the reputation the family expected of its class and catchment before this intake) / 2, 0, 1)",
)


def _satisfaction_quality(model: EduModel) -> float:
    return _component(model, COMPONENTS.index("quality"))


register(
    _satisfaction_quality,
    "satisfaction_quality",
    "score (0-1)",
    "higher is better",
    "perceived quality (质量感知) of the school entrants were placed in",
    "mean over entrants to public schools of clip(0.5 + reputation of the school placed in / 2, 0, 1) (reputation: a within-stage z-score)",
)


def _satisfaction_fairness(model: EduModel) -> float:
    return _component(model, COMPONENTS.index("fairness"))


register(
    _satisfaction_fairness,
    "satisfaction_fairness",
    "score (0-1)",
    "higher is better",
    "perceived fairness (公平感知): how far below its district's schools an entrant's school stands",
    "mean over entrants to public schools of clip(1 - max(0, mean reputation of the open public schools of the family's district and stage - reputation of the school placed in), 0, 1)",
)


def _satisfaction_access(model: EduModel) -> float:
    return _component(model, COMPONENTS.index("access"))


register(
    _satisfaction_access,
    "satisfaction_access",
    "score (0-1)",
    "higher is better",
    "access: entrants placed at their first choice and at a school at least as reputed as their catchment school",
    "mean over entrants to public schools of 0.5 x [placed at the first school of its list] + 0.5 x [reputation of the school placed in >= its catchment school's]",
)


def _satisfaction_cost(model: EduModel) -> float:
    return _component(model, COMPONENTS.index("cost"))


register(
    _satisfaction_cost,
    "satisfaction_cost",
    "score (0-1)",
    "higher is better",
    "cost of access: what entrants paid for their place (premium, rent, travel) against their income",
    "mean over entrants to public schools of clip(1 - cost, 0, 1), cost in years of the family's income over the stage: for a family that moved for the school its catchment premium x the housing market's cost per yuan (a buyer's holding cost, a tenant's rent share x mortgage rate x years), plus distance_cost_income_share_per_km x km travelled",
)
