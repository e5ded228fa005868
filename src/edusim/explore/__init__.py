"""`edusim explore`: the model in the browser through Mesa's SolaraViz.

The page shows the city map (schools coloured by teaching quality, catchments shaded by
their housing premium, lines from each group's core to its members), live charts of
headline metrics, sliders for main policy settings and Mesa's step / play / reset
controls (one step is one school year). SolaraViz drives an `EduModel` itself, as any
Mesa model. Needs the `[explore]` extra (solara); the rest of edusim works without it.
"""

from __future__ import annotations

from edusim.explore.page import (
    CHART_METRICS,
    POLICY_SLIDERS,
    city_map_figure,
    explore_page,
    metric_chart_figure,
    slider_defaults,
)

__all__ = [
    "CHART_METRICS",
    "POLICY_SLIDERS",
    "city_map_figure",
    "explore_page",
    "metric_chart_figure",
    "slider_defaults",
]
