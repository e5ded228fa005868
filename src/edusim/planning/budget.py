"""What a layout costs and whether it keeps the plan's budget: reform money spent and
teachers posted inside groups, per year, read from a run's metrics table.

A limit is a number (at most that much), `own` (no more than the scenario's own layout
spends or posts in a run of the same length on the same seed) or `equal` (within
`budget.tolerance`, relative, of the own layout's, both ways, or for teachers within
`budget.teachers_slack` teachers a year if that is larger: postings are whole teachers). `equal` is how a plan
asks for a comparison with the place's own layout "at equal money and teachers" (issue
item 3): a proposal that spends less buys less, one that spends more buys more, and
either would credit the layout with what is really its budget's effect.

Money under a number is the layout's grants at the scenario's rates and is checked
before any run (`layout.decode` repairs a layout down to it); every other limit is
checked on the run's metrics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from edusim.planning.objectives import TEACHERS_METRIC
from edusim.planning.spec import PlanSpec

MONEY_METRIC = "money_spent_cny"
"""Reform grants paid per year (after the model's budget cap)."""
COST_COLUMNS = {"money_cny_per_year": MONEY_METRIC, "teachers_per_year": TEACHERS_METRIC}
"""Columns of the tables: what a run spent and posted per year (means over its years)."""
WORDS = {MONEY_METRIC: "CNY of grants", TEACHERS_METRIC: "teachers posted"}


def per_year(metrics: pd.DataFrame, metric: str) -> float:
    """A flow metric's mean over the run's school years (0 if it never has a value)."""
    rows = metrics[metrics["metric"] == metric]["value"]
    return float(np.nanmean(rows)) if rows.notna().any() else 0.0


def series(metrics: pd.DataFrame, metric: str) -> np.ndarray:
    """A flow metric's values year by year (the run's school years in order; year 0,
    before the first school year, left out)."""
    rows = metrics[metrics["metric"] == metric].sort_values("year")
    rows = rows[rows["year"] > metrics["year"].min()]
    return np.nan_to_num(rows["value"].to_numpy(dtype=float))


def over_run(simulated: np.ndarray, estimated: np.ndarray) -> float:
    """A cost per year over the whole run from a short run: the simulated years first,
    the estimate for the years the short run does not reach (mean over the run's
    years)."""
    rest = estimated[simulated.size :]
    return float((simulated.sum() + rest.sum()) / max(simulated.size + rest.size, 1))


def costs_of(metrics: pd.DataFrame | None) -> dict[str, float]:
    """Money and teachers per year of one run (NaN for a run that did not finish)."""
    if metrics is None:
        return {metric: math.nan for metric in COST_COLUMNS.values()}
    return {metric: per_year(metrics, metric) for metric in COST_COLUMNS.values()}


def limits(spec: PlanSpec) -> dict[str, Any]:
    """Metric -> the plan's limit on it (a number, 'own', 'equal' or None)."""
    return {
        MONEY_METRIC: spec.budget.money_cny_per_year,
        TEACHERS_METRIC: spec.budget.teachers_per_year,
    }


def within(value: float, reference: float, tolerance: float, slack: float = 0.0) -> bool:
    """`value` equals `reference` within the relative `tolerance` or the absolute `slack`,
    whichever is larger (both ways; two zeros are equal)."""
    return abs(value - reference) <= max(tolerance * abs(reference), slack) + 1e-9


def slack(spec: PlanSpec, metric: str) -> float:
    """The absolute difference 'equal' accepts on a cost: whole teachers for postings,
    nothing for money."""
    return spec.budget.teachers_slack if metric == TEACHERS_METRIC else 0.0


def keeps(limit: Any, value: float, own: float, tolerance: float, absolute: float = 0.0) -> bool:
    """Whether a cost `value` per year keeps one limit (`own`: the own layout's value;
    `absolute`: the slack 'equal' accepts beside the relative tolerance)."""
    if limit is None:
        return True
    if limit == "equal":
        return within(value, own, tolerance, absolute)
    bound = own if limit == "own" else float(limit)
    return value <= bound * (1 + 1e-9) + 1e-9


def rule_text(limit: Any, tolerance: float, absolute: float = 0.0) -> str:
    """The budget rule on one cost, in words (for comparison.csv and the summary)."""
    if limit is None:
        return "none"
    if limit == "own":
        return "at most the own layout's"
    if limit == "equal":
        extra = f" or {absolute:.3g}" if absolute else ""
        return f"equal to the own layout's within {tolerance:.0%}{extra}"
    return f"at most {float(limit):.6g}"


def over_budget(spec: PlanSpec, measured: Mapping[str, float], own: Mapping[str, float]) -> str:
    """Why a run's money or teachers break the plan's budget ('' if they do not). `own`
    is the own layout's run of the same length and seed. A money number is not checked
    here: it was checked before the run, at the scenario's grant rates."""
    tolerance = spec.budget.tolerance
    for metric, limit in limits(spec).items():
        if limit is None or (metric == MONEY_METRIC and limit not in ("own", "equal")):
            continue
        value = measured[metric]
        if keeps(limit, value, own[metric], tolerance, slack(spec, metric)):
            continue
        if limit == "equal":
            extra = f" or {slack(spec, metric):.3g}" if slack(spec, metric) else ""
            return (
                f"{value:.4g} {WORDS[metric]} a year, not within {tolerance:.0%}{extra} of "
                f"the own layout's {own[metric]:.4g}"
            )
        bound = own[metric] if limit == "own" else float(limit)
        what = "the own layout's" if limit == "own" else "the budget's"
        return f"{value:.4g} {WORDS[metric]} a year, over {what} {bound:.4g}"
    return ""


def excess(
    spec: PlanSpec, measured: Mapping[str, float], own: Mapping[str, float]
) -> dict[str, float]:
    """How far a run is outside each budget checked after runs, relative to the limit
    (0 or less: kept). The optimiser learns from these (Optuna's constraints): a layout a
    little over is a better lead than one far over."""
    tolerance = spec.budget.tolerance
    out = {}
    for metric, limit in limits(spec).items():
        if limit is None or (metric == MONEY_METRIC and limit not in ("own", "equal")):
            continue
        value, reference = measured[metric], own[metric]
        if limit == "equal":
            allowed = max(tolerance * abs(reference), slack(spec, metric))
            gap = abs(value - reference) - allowed
        else:
            reference = reference if limit == "own" else float(limit)
            gap = value - reference
        out[metric] = gap / max(abs(reference), 1.0)
    return out
