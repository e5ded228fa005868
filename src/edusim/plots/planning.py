"""Figures of a plan search (`edusim plan`), drawn from the folder's stored tables: the
map of a proposed layout (the city map of plots/city.py with the proposal's groups) and
the screened layouts' Pareto front when the plan has several objectives."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from edusim.plots.city import city_map, city_map_tables
from edusim.plots.style import OKABE_ITO, SINGLE_COLUMN_IN, house_style


def proposal_tables(
    schools: pd.DataFrame, city: pd.DataFrame, groups: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The city map's layers with the proposal's groups in place of the scenario's.

    `schools` and `city` are the year-0 tables stored by the plan (facts/); `groups` has
    one row per school of the proposal: group (core name), kind, school (name), role."""
    year0 = schools[schools["year"] == schools["year"].min()].copy()
    role = groups.set_index("school")
    names = year0["name"].astype(str)
    core_ids = {core: i for i, core in enumerate(sorted(groups["group"].unique()))}
    year0["group_role"] = names.map(role["role"]).fillna("").to_numpy()
    year0["group_kind"] = names.map(role["kind"]).fillna("").to_numpy()
    year0["group_id"] = names.map(role["group"].map(core_ids)).fillna(-1).astype(int).to_numpy()
    return city_map_tables(city, year0)


def proposal_map(
    schools: pd.DataFrame, city: pd.DataFrame, groups: pd.DataFrame, *, lang: str = "en"
) -> Figure:
    """The proposed groups on the city map (links core to member)."""
    return city_map(proposal_tables(schools, city, groups), lang=lang)


def pareto_front(
    layouts: pd.DataFrame, x: str, y: str, signs: tuple[float, float], *, lang: str = "en"
) -> Figure:
    """Screened layouts on two objectives (columns `x`, `y`), the non-dominated ones
    joined; `signs` are +1 for an objective minimised and -1 for one maximised."""
    feasible = layouts[layouts["state"] == "COMPLETE"]
    points = feasible[[x, y]].to_numpy(dtype=float) * np.array(signs)
    front = np.array(
        [not np.any(np.all(points <= p, axis=1) & np.any(points < p, axis=1)) for p in points],
        dtype=bool,
    )
    with house_style(lang):
        figure = Figure(figsize=(SINGLE_COLUMN_IN, SINGLE_COLUMN_IN * 0.8))
        ax = figure.add_subplot()
        ax.scatter(feasible[x], feasible[y], s=10, color=OKABE_ITO["sky"], label="screened")
        best = feasible[front].sort_values(x)
        ax.plot(best[x], best[y], marker="o", ms=4, color=OKABE_ITO["vermillion"], label="front")
        ax.set_xlabel(x.removeprefix("screen: "))
        ax.set_ylabel(y.removeprefix("screen: "))
        ax.legend(frameon=False)
    return figure
