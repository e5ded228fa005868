"""The national balanced-quality check (优质均衡, MOE 2017; digest, national rules).

For every district and stage, the coefficient of variation across its schools of each
resource indicator the model carries must stay within 0.50 (primary) or 0.45 (junior):
backbone teachers per 100 pupils, teachers above the required qualification per 100
pupils, and spending per pupil (ordinary spending plus this year's reform grants).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from edusim.processes.aggregate import school_counts

if TYPE_CHECKING:
    from edusim.model import EduModel

INDICATORS: tuple[str, ...] = (
    "backbone_per_100_pupils",
    "qualified_per_100_pupils",
    "spending_cny_per_pupil",
)


def school_indicators(model: EduModel) -> dict[str, np.ndarray]:
    """Each indicator per school (teachers counted where they teach)."""
    table, teachers = model.school_table, model.teachers
    n = len(table)
    pupils = np.maximum(table.enrollment, 1)
    backbone = school_counts(teachers.school[teachers.tier >= 1], n)
    qualified = school_counts(teachers.school[teachers.qualified], n)
    grants = table.resource_grant_cny + table.development_grant_cny
    return {
        "backbone_per_100_pupils": 100.0 * backbone / pupils,
        "qualified_per_100_pupils": 100.0 * qualified / pupils,
        "spending_cny_per_pupil": table.base_spending + grants / pupils,
    }


def balance_table(model: EduModel, observed_year: int) -> pd.DataFrame:
    """CV of each indicator per district and stage, its limit, and whether it is met."""
    table = model.school_table
    values = school_indicators(model)
    limits = (model.params.balance.cv_limit_primary, model.params.balance.cv_limit_junior)
    rows = []
    for district, name in enumerate(model.geography.district_names):
        for stage, stage_name in enumerate(("primary", "junior")):
            schools = (table.district == district) & (table.stage == stage) & (table.enrollment > 0)
            if schools.sum() < 2:
                continue
            for indicator in INDICATORS:
                sample = values[indicator][schools]
                mean = sample.mean()
                cv = float(sample.std() / mean) if mean > 0 else float("nan")
                rows.append(
                    {
                        "year": observed_year,
                        "district": name,
                        "stage": stage_name,
                        "indicator": indicator,
                        "cv": cv,
                        "limit": limits[stage],
                        "within_standard": bool(cv <= limits[stage]),
                    }
                )
    return pd.DataFrame(
        rows, columns=["year", "district", "stage", "indicator", "cv", "limit", "within_standard"]
    )
