"""The SolaraViz page of `edusim explore`: map, charts, sliders (see the package doc).

SolaraViz drives an `EduModel` directly, through Mesa's documented API (the model, its
components, `model_params` with the page's fixed settings and sliders), on Mesa 3.3 to
3.5. The map is drawn from the model's arrays with matplotlib (a figure per year, a few
thousand cells at most for the scenarios a browser view suits); the charts draw the
run's metrics so far (the city as built, then each school year, as in
`metrics.parquet`) against the year, with the metric's unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from edusim.agents.groups import CORE
from edusim.metrics import METRICS
from edusim.model import SCENARIO_SEED, EduModel

POLICY_SLIDERS: dict[str, dict[str, Any]] = {
    "learning__peer_effect": {
        "label": "peer effect (SD per SD)",
        "min": 0.0,
        "max": 0.1,
        "step": 0.005,
    },
    "families__quality_taste_mean": {
        "label": "families' taste for quality",
        "min": 0.0,
        "max": 1.0,
        "step": 0.05,
    },
    "housing__adjust_speed": {
        "label": "premium adjustment speed",
        "min": 0.02,
        "max": 1.0,
        "step": 0.02,
    },
    "rotation__share_of_eligible": {
        "label": "share of eligible teachers rotated",
        "min": 0.0,
        "max": 0.5,
        "step": 0.05,
    },
}
"""Sliders: EduModel keyword arguments (`__` for a dot); ranges are within the schema's
bounds, chosen for exploration (assumption)."""

CHART_METRICS: tuple[tuple[str, ...], ...] = (
    ("quality_sd",),
    ("ses_gap",),
    ("premium_mean_cny",),
)
"""One chart per tuple: the spread of school quality, the SES gap in achievement, the
mean catchment premium (see docs/metrics.md)."""


def city_map_figure(model: EduModel) -> Figure:
    """The city now: catchment cells shaded by the premium of their primary school,
    schools coloured by teaching quality (primary circles, junior squares), and a line
    from each group's core to each member."""
    geography, table = model.geography, model.school_table
    figure = Figure(figsize=(6.0, 5.0), layout="constrained")
    axes = figure.add_subplot()
    school_of_cell = model.catchments.cell_school[0]
    premium = np.where(
        school_of_cell >= 0, table.premium_share[np.maximum(school_of_cell, 0)], np.nan
    )
    cells = axes.scatter(
        geography.cell_x,
        geography.cell_y,
        c=premium,
        cmap="Oranges",
        marker="s",
        s=12,
        linewidths=0,
        alpha=0.6,
    )
    figure.colorbar(cells, ax=axes, label="catchment premium (share of base price)", shrink=0.7)
    groups = model.groups
    if groups.school.size:
        core_of_row = groups.core_of_rows()
        members = groups.role != CORE
        segments = np.stack(
            [
                np.column_stack(
                    [table.x_km[core_of_row[members]], table.y_km[core_of_row[members]]]
                ),
                np.column_stack(
                    [table.x_km[groups.school[members]], table.y_km[groups.school[members]]]
                ),
            ],
            axis=1,
        )
        axes.add_collection(LineCollection(segments, colors="0.3", linewidths=0.6, alpha=0.7))
    quality = table.teaching_quality
    for stage, marker in ((0, "o"), (1, "s")):
        at = table.stage == stage
        points = axes.scatter(
            table.x_km[at],
            table.y_km[at],
            c=quality[at],
            cmap="viridis",
            vmin=float(quality.min()),
            vmax=float(quality.max()),
            marker=marker,
            s=28,
            edgecolors="black",
            linewidths=0.4,
        )
    figure.colorbar(points, ax=axes, label="teaching quality (pupil SD per year)", shrink=0.7)
    axes.set_aspect("equal")
    axes.set_xlabel("km")
    axes.set_ylabel("km")
    axes.set_title(f"{model.resolved_scenario.name}: school year {model.current_school_year}")
    return figure


def slider_defaults(model: EduModel) -> dict[str, float]:
    """The model's value of each slider's parameter (its dotted path)."""
    values = {}
    for name in POLICY_SLIDERS:
        section, key = name.split("__")
        values[name] = getattr(getattr(model.resolved_scenario, section), key)
    return values


def metric_chart_figure(model: EduModel, names: tuple[str, ...]) -> Figure:
    """The metrics `names` (one unit) from the city as built to the latest school year."""
    frame = model.metrics_so_far()
    figure = Figure(figsize=(5.0, 3.4), layout="constrained")
    axes = figure.add_subplot()
    for name in names:
        rows = frame[frame["metric"] == name].sort_values("year")
        axes.plot(rows["year"], rows["value"], marker="o", label=name)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("year (start of the school year)")
    axes.set_ylabel(METRICS[names[0]].unit)
    axes.set_title(", ".join(names), fontsize="medium")
    if len(names) > 1:
        axes.legend(loc="best")
    return figure


def explore_page(scenario: str = "demo", years: int | None = None, seed: int | None = None) -> Any:
    """The SolaraViz page for `scenario` (a name or a file): the object `solara run`
    serves. Sliders re-create the model with their values (Reset); `seed=None` keeps the
    scenario's seed, so Reset rebuilds the same city."""
    import solara
    from mesa.visualization import Slider, SolaraViz
    from mesa.visualization.utils import update_counter

    @solara.component
    def CityMap(model: EduModel) -> None:
        update_counter.get()
        solara.FigureMatplotlib(city_map_figure(model), format="png", dpi=80)

    def chart(names: tuple[str, ...]) -> Any:
        @solara.component
        def MetricChart(model: EduModel) -> None:
            update_counter.get()
            solara.FigureMatplotlib(metric_chart_figure(model, names), format="png", dpi=80)

        return MetricChart

    fixed: dict[str, Any] = {"scenario": scenario}
    if years is not None:
        fixed["years"] = years
    if seed is not None:
        fixed["seed"] = seed
    model = EduModel(**{"seed": SCENARIO_SEED, **fixed})
    defaults = slider_defaults(model)
    sliders = {
        name: Slider(spec["label"], defaults[name], spec["min"], spec["max"], spec["step"])
        for name, spec in POLICY_SLIDERS.items()
    }
    components = [(CityMap, 0)] + [(chart(names), 0) for names in CHART_METRICS]
    return SolaraViz(
        model,
        components=components,
        model_params={**fixed, **sliders},
        name=f"edusim: {model.resolved_scenario.name}",
        play_interval=500,
    )
