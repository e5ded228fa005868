"""The reform's effect: paired differences between a run and its counterfactual.

Both runs share the seed, hence the city and every random stream (common random
numbers), so reform - counterfactual, year by year, is the effect of the reform in that
city rather than a difference between two cities. The functions here are pure: tidy
metric tables in, tidy effect tables out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from edusim.metrics import METRICS

EFFECT_COLUMNS: tuple[str, ...] = (
    "year",
    "metric",
    "unit",
    "direction",
    "reform",
    "counterfactual",
    "difference",
)


def effect_table(reform: pd.DataFrame, counterfactual: pd.DataFrame) -> pd.DataFrame:
    """Year by year and metric by metric: reform, counterfactual and reform - counterfactual.

    Both inputs are tidy metric tables (columns year, metric, value, as in
    metrics.parquet). Rows follow the registry's metric order, then the year; a metric or
    year present in only one run is kept with NaN on the other side.
    """
    left = reform[["year", "metric", "value"]].rename(columns={"value": "reform"})
    right = counterfactual[["year", "metric", "value"]].rename(columns={"value": "counterfactual"})
    merged = left.merge(right, on=["year", "metric"], how="outer")
    merged["difference"] = merged["reform"] - merged["counterfactual"]
    order = {name: position for position, name in enumerate(METRICS)}
    merged["unit"] = [METRICS[m].unit if m in METRICS else "" for m in merged["metric"]]
    merged["direction"] = [
        METRICS[m].direction if m in METRICS else "information" for m in merged["metric"]
    ]
    merged["_order"] = [order.get(m, len(order)) for m in merged["metric"]]
    merged = merged.sort_values(["_order", "metric", "year"], kind="stable")
    return merged[list(EFFECT_COLUMNS)].reset_index(drop=True)


def judge(difference: float, direction: str) -> str:
    """'better', 'worse' or 'no change' for a difference read with the metric's direction;
    '' for information metrics and missing values."""
    if not np.isfinite(difference) or direction not in ("lower is better", "higher is better"):
        return ""
    if difference == 0:
        return "no change"
    improves = difference < 0 if direction == "lower is better" else difference > 0
    return "better" if improves else "worse"


def effect_headline(effect: pd.DataFrame) -> pd.DataFrame:
    """The final year of an effect table: one row per metric with the verdict."""
    if effect.empty:
        return pd.DataFrame(columns=[*EFFECT_COLUMNS[1:], "effect"])
    last = effect[effect["year"] == effect["year"].max()].drop(columns="year")
    last = last.assign(
        effect=[judge(d, r) for d, r in zip(last["difference"], last["direction"], strict=True)]
    )
    return last.reset_index(drop=True)
