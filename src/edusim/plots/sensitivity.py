"""Sensitivity bars: Morris mu* or Sobol S1 and ST per parameter, a panel per metric.

Takes the experiment's `sensitivity.csv` (edusim.experiment.sensitivity): columns
metric, parameter, the design's index columns with their `_conf` half-widths, note.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from edusim.plots.axes import panel_grid, value_axis
from edusim.plots.labels import metric_label, metric_unit, word, wrap
from edusim.plots.style import OKABE_ITO, house_style


def design_of(table: pd.DataFrame) -> str:
    """'morris' or 'sobol', from the index columns present."""
    if "mu_star" in table:
        return "morris"
    if "S1" in table:
        return "sobol"
    raise ValueError("not a sensitivity table: no mu_star or S1 column")


def sensitivity_table(table: pd.DataFrame) -> pd.DataFrame:
    """The rows with indices (metrics without them are dropped), parameters ordered by
    their mean rank of importance across metrics (most important first)."""
    design = design_of(table)
    main = "mu_star" if design == "morris" else "ST"
    rows = table[table[main].notna()].copy()
    if rows.empty:
        return rows
    rows["rank"] = rows.groupby("metric")[main].rank(ascending=False)
    order = rows.groupby("parameter")["rank"].mean().sort_values(kind="stable").index
    rows["parameter"] = pd.Categorical(rows["parameter"], list(order), ordered=True)
    rows = rows.sort_values(["metric", "parameter"], kind="stable").drop(columns="rank")
    rows["parameter"] = rows["parameter"].astype(str)
    metric_order = {name: i for i, name in enumerate(pd.unique(table["metric"]))}
    rows = rows.sort_values("metric", key=lambda s: s.map(metric_order), kind="stable")
    return rows.reset_index(drop=True)


def sensitivity_bars(data: pd.DataFrame, *, lang: str = "en", ncols: int = 3) -> Figure:
    """Horizontal bars per parameter with 95% CIs: mu* (in the metric's unit) for Morris,
    S1 and ST (shares of variance) for Sobol; one panel per metric."""
    design = design_of(data)
    metrics = list(pd.unique(data["metric"]))
    if not metrics:
        raise ValueError("no metric has sensitivity indices")
    parameters = list(pd.unique(data["parameter"]))
    height = 0.25 * len(parameters) + 0.9
    with house_style(lang):
        figure, axes = panel_grid(len(metrics), ncols, panel_height=height)
        for position, (ax, metric) in enumerate(zip(axes, metrics, strict=True)):
            rows = data[data["metric"] == metric].set_index("parameter").reindex(parameters)
            y = np.arange(len(parameters))
            if design == "morris":
                ax.barh(
                    y,
                    rows["mu_star"],
                    xerr=rows["mu_star_conf"],
                    color=OKABE_ITO["blue"],
                    error_kw={"elinewidth": 0.6, "capsize": 1.5},
                    height=0.6,
                )
                value_axis(
                    ax,
                    metric_unit(metric),
                    rows["mu_star"],
                    lang,
                    label=word("mu_star", lang),
                    which="x",
                    width=30,
                )
            else:
                for offset, (index, colour) in zip(
                    (-0.18, 0.18),
                    (("S1", OKABE_ITO["sky"]), ("ST", OKABE_ITO["blue"])),
                    strict=True,
                ):
                    ax.barh(
                        y + offset,
                        rows[index],
                        xerr=rows[f"{index}_conf"],
                        color=colour,
                        height=0.34,
                        label=word(index, lang),
                        error_kw={"elinewidth": 0.6, "capsize": 1.5},
                    )
                ax.set_xlabel(word("share_of_variance", lang))
                ax.axvline(0.0, color="#333333", linewidth=0.6)
            ax.set_yticks(y, parameters if position % ncols == 0 else [""] * len(parameters))
            ax.invert_yaxis()
            ax.grid(axis="x")
            ax.grid(axis="y", visible=False)
            ax.set_title(wrap(metric_label(metric, lang), 30 if lang == "en" else 14))
        if design == "sobol":
            handles, labels = axes[0].get_legend_handles_labels()
            figure.legend(handles, labels, loc="outside lower center", ncols=2)
    return figure
