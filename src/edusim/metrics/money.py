"""Money: what the reform spends and what a narrowed gap costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from edusim.metrics.gaps import quality_quartile_gap
from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel


def _money_spent(model: EduModel) -> float:
    spent = model.money.get(model.current_school_year)
    return spent["spent_cny"] if spent else float("nan")


register(
    _money_spent,
    "money_spent_cny",
    "CNY per year",
    "information",
    "reform grants paid this year (after the budget cap)",
    "sum of resource and development grants allocated in the year's policy phase; NaN before the first year",
)


def _cost_per_gap(model: EduModel) -> float:
    spent = sum(entry["spent_cny"] for entry in model.money.values())
    narrowed = model.initial_quality_gap - quality_quartile_gap(model)
    return spent / narrowed if spent > 0 and narrowed > 0 else float("nan")


register(
    _cost_per_gap,
    "cost_per_gap_reduction_cny",
    "CNY per pupil SD per year",
    "lower is better",
    "reform money spent so far per unit the teaching-quality quartile gap has narrowed since year 0",
    "cumulative grants / (quality_quartile_gap in year 0 - now); NaN when nothing was spent or the gap did not narrow",
)
