"""Province-level metrics from the cities' metrics tables (pure functions of the tables).

Each metric of each year becomes one row:

* counts and flows (pupils, teachers, CNY per year, teachers per year, ...) add up over
  cities: `value` is the province total;
* everything else (shares, gaps in pupil SD, indices, prices) is a **pupil-weighted mean
  of the city values**, weighted by each city's `pupils` metric of the same year. It is
  the average city experience per pupil, not the statistic recomputed over the pooled
  pupils of the province (an SD or a segregation index of the pooled province would also
  count differences *between* cities, which the gap columns report instead);
* the gaps between cities, for those non-additive metrics: smallest and largest city
  value and their cities, `range` = max - min, and `sd_between` = the pupil-weighted
  standard deviation of the city values around the weighted mean (population formula,
  weights summing to one).

A city without a value for a metric in a year (NaN: e.g. no rotation yet) is left out of
that row, and the weights of the others are renormalised; `cities` says how many counted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from edusim.metrics import METRICS

ADDITIVE_UNITS: frozenset[str] = frozenset(
    {
        "pupils",
        "teachers",
        "teachers per year",
        "leaders per year",
        "principals per year",
        "CNY per year",
    }
)
"""Units of metrics that are totals over a city, so the province's value is their sum."""

WEIGHT_METRIC = "pupils"
"""The metric whose value weighs a city in the province's means (enrolled pupils)."""

PROVINCE_COLUMNS: tuple[str, ...] = (
    "year",
    "metric",
    "unit",
    "direction",
    "aggregate",
    "value",
    "cities",
    "pupils",
    "min",
    "max",
    "range",
    "sd_between",
    "city_min",
    "city_max",
)


def is_additive(metric: str) -> bool:
    """Whether the province's value of `metric` is the sum of its cities' values."""
    entry = METRICS.get(metric)
    return entry is not None and entry.unit in ADDITIVE_UNITS


def city_values(city_metrics: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One long table of every city's metrics (city, year, metric, value) with the city's
    pupils that year as `weight`, cities in the given order."""
    frames = []
    for city, metrics in city_metrics.items():
        frame = metrics.loc[:, ["year", "metric", "value"]].copy()
        frame.insert(0, "city", city)
        pupils = frame.loc[frame["metric"] == WEIGHT_METRIC, ["year", "value"]]
        weights = pupils.rename(columns={"value": "weight"})
        frames.append(frame.merge(weights, on="year", how="left", validate="many_to_one"))
    return pd.concat(frames, ignore_index=True)


def province_metrics(city_metrics: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The province table (see the module's docstring), rows by year, then metric in
    registry order."""
    values = city_values(city_metrics)
    values = values[np.isfinite(values["value"].to_numpy(dtype=float))]
    order = {name: position for position, name in enumerate(METRICS)}
    rows = []
    for (year, metric), group in values.groupby(["year", "metric"], sort=False):
        value = group["value"].to_numpy(dtype=float)
        weight = group["weight"].to_numpy(dtype=float)
        entry = METRICS.get(metric)
        row = {
            "year": int(year),
            "metric": metric,
            "unit": entry.unit if entry else "",
            "direction": entry.direction if entry else "",
            "cities": len(value),
            "pupils": float(weight.sum()),
        }
        if is_additive(metric):
            row.update(aggregate="sum", value=float(value.sum()))
            row.update({key: np.nan for key in ("min", "max", "range", "sd_between")})
            row.update(city_min="", city_max="")
        else:
            share = weight / weight.sum()
            mean = float(share @ value)
            low, high = int(np.argmin(value)), int(np.argmax(value))
            row.update(
                aggregate="pupil-weighted mean",
                value=mean,
                min=float(value[low]),
                max=float(value[high]),
                range=float(value[high] - value[low]),
                sd_between=float(np.sqrt(share @ (value - mean) ** 2)),
                city_min=str(group["city"].iloc[low]),
                city_max=str(group["city"].iloc[high]),
            )
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(PROVINCE_COLUMNS))
    table["_order"] = table["metric"].map(order).fillna(len(order))
    table = table.sort_values(["year", "_order"], kind="stable").drop(columns="_order")
    return table.reset_index(drop=True)
