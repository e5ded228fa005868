"""Figures from edusim's tidy tables, in one house style (English or Chinese labels).

Each figure kind is a pair: a data function that turns result tables into the tidy table
the figure draws (written beside the figure as CSV by `edusim report`), and a figure
function that takes that table and returns a matplotlib Figure (not registered with
pyplot). For example:

    from edusim import plots
    data = plots.trajectory_table(metrics, ["quality_quartile_gap"])
    figure = plots.trajectories(data, lang="zh")
    plots.save_figure(figure, Path("gap"))   # gap.png (300 dpi), gap.pdf, gap.svg

| kind | data function | figure function | tables used |
|---|---|---|---|
| trajectories | trajectory_table | trajectories | metrics |
| small multiples | trajectory_table | small_multiples | metrics |
| paired differences | difference_table, effect_table | paired_differences | metrics, effect |
| quality distribution | quality_distribution_table | quality_distribution | schools |
| group convergence | convergence_table | group_convergence | schools, memberships |
| city map | city_map_tables | city_map | city, schools |
| teacher flows | teacher_flow_table | teacher_flows | events, schools |
| sensitivity | sensitivity_table | sensitivity_bars | sensitivity |
"""

from edusim.plots.city import city_map, city_map_tables
from edusim.plots.flows import teacher_flow_table, teacher_flows
from edusim.plots.fonts import FontMissingError, cjk_family
from edusim.plots.labels import metric_label, unit_label
from edusim.plots.schools import (
    convergence_table,
    group_convergence,
    quality_distribution,
    quality_distribution_table,
)
from edusim.plots.sensitivity import sensitivity_bars, sensitivity_table
from edusim.plots.series import (
    difference_table,
    effect_table,
    paired_differences,
    small_multiples,
    trajectories,
    trajectory_table,
)
from edusim.plots.style import PALETTE, house_style, save_figure

__all__ = [
    "PALETTE",
    "FontMissingError",
    "city_map",
    "city_map_tables",
    "cjk_family",
    "convergence_table",
    "difference_table",
    "effect_table",
    "group_convergence",
    "house_style",
    "metric_label",
    "paired_differences",
    "quality_distribution",
    "quality_distribution_table",
    "save_figure",
    "sensitivity_bars",
    "sensitivity_table",
    "small_multiples",
    "teacher_flow_table",
    "teacher_flows",
    "trajectories",
    "trajectory_table",
    "unit_label",
]
