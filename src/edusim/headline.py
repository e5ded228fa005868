"""The headline table of a run: first and last year of every metric with its unit and
direction. Read from the stored metrics table and the registry's static copy
(`edusim.metric_info`), so the report and `edusim run`'s summary share it without the
report importing the simulator."""

from __future__ import annotations

import pandas as pd

from edusim.metric_info import METRIC_INFO


def headline_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """First and last year of every metric, with units, as a small table."""
    wide = metrics.pivot_table(index="metric", columns="year", values="value", dropna=False)
    first_year, last_year = wide.columns.min(), wide.columns.max()
    rows = []
    for name, entry in METRIC_INFO.items():
        if name not in wide.index:
            continue
        first, last = wide.at[name, first_year], wide.at[name, last_year]
        rows.append(
            {
                "metric": name,
                "unit": entry.unit,
                "direction": entry.direction,
                str(first_year): first,
                str(last_year): last,
                "change": last - first,
            }
        )
    return pd.DataFrame(rows)
