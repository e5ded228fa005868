"""The enrollment phase's record of what each entering family would say of its place
(processes/satisfaction.py): the intake knows, for every public entrant, the school it
was placed in, its first choice, its catchment school, what it expected its address to
give, whether it moved for the school and how far it travels. Nothing here draws a
random number or changes the state the model runs on; the metrics read what it records
(metrics/satisfaction.py) and so does a school's evaluation when satisfaction weighs in
it (`evaluation.weight_satisfaction`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.phases.housing_market import flat_price_cny
from edusim.processes.housing import holding_cost_per_yuan, tenant_cost_per_yuan
from edusim.processes.satisfaction import (
    access_cost_income_years,
    group_means,
    joined_records,
    satisfaction_components,
    satisfaction_index,
)
from edusim.world.schools import GRADES_PER_STAGE

if TYPE_CHECKING:
    from edusim.model import EduModel


def district_mean_reputation(model: EduModel, stage: int) -> np.ndarray:
    """Per district, the mean reputation of its open public schools of `stage` (NaN for a
    district without one)."""
    table = model.school_table
    open_public = (table.stage == stage) & ~table.private & table.active
    n_districts = len(model.geography.district_names)
    return group_means(table.reputation[open_public], table.district[open_public], n_districts)


def entrant_satisfaction(
    model: EduModel,
    stage: int,
    entrants: np.ndarray,
    home: np.ndarray,
    placed: np.ndarray,
    first_choice: np.ndarray,
    expected: np.ndarray,
    km: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every public entrant's satisfaction components and index, and what the metrics
    split them by (income, district, the school it attends, its catchment school), as
    copies (the families are compacted next year)."""
    families, table, params = model.families, model.school_table, model.params
    housing = params.housing
    reputation = table.reputation
    years = GRADES_PER_STAGE[stage]
    if stage == 0 and housing.junior_access_priced:  # a primary buyer holds through junior
        years = GRADES_PER_STAGE[0] + GRADES_PER_STAGE[1]
    buyer = holding_cost_per_yuan(housing, years, params.enrollment.dwelling_rule_years)
    tenant = tenant_cost_per_yuan(
        params.families.rent_premium_share, housing, GRADES_PER_STAGE[stage]
    )
    premium = (table.premium_share * flat_price_cny(model))[home]
    income = families.income_cny[entrants]
    cost = access_cost_income_years(
        families.moved_for_school[entrants],
        families.owner[entrants],
        premium,
        buyer,
        tenant,
        km,
        params.enrollment.distance_cost_income_share_per_km,
        income,
    )
    district = families.district[entrants].astype(np.int32)  # int32: 1.8 M entrants at 8x
    area_mean = district_mean_reputation(model, stage)[district]
    components = satisfaction_components(
        reputation[placed],
        expected,
        np.where(np.isnan(area_mean), reputation[placed], area_mean),
        placed == first_choice,
        reputation[placed] >= reputation[home],
        cost,
    )
    return {
        "components": components,
        "index": satisfaction_index(components),
        "income_cny": income.copy(),
        "district": district,
        "school": placed.astype(np.int32),
        "home": home.astype(np.int32),
    }


def baseline_by_catchment(model: EduModel) -> dict[int, np.ndarray]:
    """Per stage, the mean index of the entrants of each catchment at the intake just
    recorded (NaN where none lived): the families of the same addresses that later
    entrants' sense of gain (获得感) is measured against."""
    n = len(model.school_table)
    return {
        stage: group_means(stats["satisfaction"]["index"], stats["satisfaction"]["home"], n)
        for stage, stats in model.intake.items()
        if "satisfaction" in stats
    }


def school_satisfaction(model: EduModel) -> np.ndarray:
    """Per school, the mean satisfaction index of this year's public entrants placed
    there, both stages (NaN for a school with none)."""
    n = len(model.school_table)
    joined = model.satisfaction_entrants  # both stages' records, joined by the intake
    if joined is None:
        joined = joined_records(model.intake)
    if joined is None:
        return np.full(n, np.nan)
    return group_means(joined["index"], joined["school"], n)
