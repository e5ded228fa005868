"""`edusim explore`: the model in the browser through Mesa's SolaraViz.

The page shows the city map (schools coloured by teaching quality, catchments shaded by
their housing premium, lines from each group's core to its members), live charts of
headline metrics, sliders for main policy settings and Mesa's step / play / reset
controls (one step is one school year). SolaraViz drives an `ExploreModel` (an EduModel
inside; see viz_model.py for why). Needs the `[explore]` extra (solara); the rest of
edusim works without it.
"""

from __future__ import annotations

from edusim.explore.page import CHART_METRICS, city_map_figure, explore_page, metric_chart_figure
from edusim.explore.viz_model import POLICY_SLIDERS, ExploreModel

__all__ = [
    "CHART_METRICS",
    "POLICY_SLIDERS",
    "ExploreModel",
    "city_map_figure",
    "explore_page",
    "metric_chart_figure",
]
