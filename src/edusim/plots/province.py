"""Province figures: each city's value of a metric beside the province's, and the
province's value over the years with the spread between its cities.

They take a province run's stored tables (edusim.province): `province.parquet` (one row
per year and metric: the pupil-weighted value, min, max, range, sd_between) and the
cities' final-year values (`city_table`, one row per city and metric).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure

from edusim.plots.axes import panel_grid, value_axis, year_axis
from edusim.plots.labels import metric_label, wrap
from edusim.plots.style import OKABE_ITO, house_style

WORDS: dict[str, dict[str, str]] = {
    "province": {"en": "province (pupil-weighted)", "zh": "全省（按学生数加权）"},
    "cities": {"en": "cities, lowest to highest", "zh": "各市，最低至最高"},
}


def _word(key: str, lang: str) -> str:
    return WORDS[key].get(lang, WORDS[key]["en"])


def cities_beside_province(data: pd.DataFrame, *, lang: str = "en", ncols: int = 3) -> Figure:
    """One panel per metric: each city's value in the final year (a dot, named) and the
    province's value (a vertical line), so the gaps between cities read against the
    province. `data` has columns metric, unit, city, value, province."""
    metrics = list(dict.fromkeys(data["metric"]))
    if not metrics:
        raise ValueError("no metric with a value in every city")
    with house_style(lang):
        figure, axes = panel_grid(
            len(metrics), ncols, panel_height=1.1 + 0.16 * data["city"].nunique()
        )
        for ax, metric in zip(axes, metrics, strict=True):
            rows = data[data["metric"] == metric].sort_values("value", kind="stable")
            positions = np.arange(len(rows))
            ax.scatter(rows["value"], positions, s=12, color=OKABE_ITO["blue"], zorder=3)
            ax.axvline(rows["province"].iloc[0], color=OKABE_ITO["vermillion"], lw=1.0)
            ax.set_yticks(positions, list(rows["city"]), fontsize=6)
            ax.set_title(wrap(metric_label(metric, lang), 30), fontsize=7)
            value_axis(ax, rows["unit"].iloc[0], rows["value"], lang, which="x")
            ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4))
        axes[0].plot([], [], color=OKABE_ITO["vermillion"], lw=1.0, label=_word("province", lang))
        axes[0].scatter([], [], s=12, color=OKABE_ITO["blue"], label=_word("cities", lang))
        figure.legend(loc="outside lower center", ncol=2, frameon=False, fontsize=7)
    return figure


def province_over_years(data: pd.DataFrame, *, lang: str = "en", ncols: int = 3) -> Figure:
    """One panel per metric: the province's value over the years and the band from the
    lowest to the highest city. `data` has columns metric, unit, year, value, min, max."""
    metrics = list(dict.fromkeys(data["metric"]))
    if not metrics:
        raise ValueError("no province metric to draw")
    with house_style(lang):
        figure, axes = panel_grid(len(metrics), ncols, panel_height=1.6, sharex=True)
        for ax, metric in zip(axes, metrics, strict=True):
            rows = data[data["metric"] == metric].sort_values("year")
            ax.fill_between(
                rows["year"], rows["min"], rows["max"], color=OKABE_ITO["sky"], alpha=0.4, lw=0
            )
            ax.plot(rows["year"], rows["value"], color=OKABE_ITO["blue"], lw=1.2)
            ax.set_title(wrap(metric_label(metric, lang), 30), fontsize=7)
            value_axis(ax, rows["unit"].iloc[0], pd.concat([rows["min"], rows["max"]]), lang)
            year_axis(ax, lang, label=False)
    return figure
