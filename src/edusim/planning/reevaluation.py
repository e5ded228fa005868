"""Stage 2 of a plan search: the best screened layouts and the scenario's own layout run
the full years on every paired replication (common random numbers: replicate k of every
layout has the same seed, and all run on the plan's one city); the best is the lowest
weighted objective among those within the budget on the full runs (if none is, among
all)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from edusim.planning.budget import COST_COLUMNS, MONEY_METRIC, costs_of, over_budget
from edusim.planning.layout import Layout, layout_from_json, layout_json, layout_text
from edusim.planning.objectives import TEACHERS_METRIC, pareto_ranks
from edusim.planning.runs import metrics_of, tasks_of


class PlanFailedError(RuntimeError):
    """No screened layout was feasible (or every run failed): nothing to propose."""


def top_layouts(search: Any, layouts: pd.DataFrame) -> list[str]:
    """The JSON of the best distinct feasible screened layouts (Pareto rank first when
    the plan is multi-objective, then the weighted objective)."""
    feasible = layouts[layouts["state"] == "COMPLETE"].drop_duplicates("layout_json")
    if feasible.empty:
        return []
    order = feasible.assign(rank=0)
    if search.plan.spec.multi_objective:
        columns = [f"screen: {m}" for m in search.objectives.metrics]
        points = feasible[columns].to_numpy() * search.objectives.signs
        order = feasible.assign(rank=pareto_ranks(points))
    order = order.sort_values(["rank", "score", "trial"], kind="stable")
    return order["layout_json"].head(search.settings["top"]).tolist()


def reevaluate(search: Any, layouts: pd.DataFrame) -> tuple[pd.DataFrame, Layout, pd.DataFrame]:
    """Run the top layouts and the own layout for the full years on every seed."""
    chosen = top_layouts(search, layouts)
    if not chosen:
        first = layouts["reason"].iloc[0] if len(layouts) else "no trial"
        raise PlanFailedError(
            f"no screened layout of the plan search in {search.root} was feasible; the "
            f"first: {first}"
        )
    candidates = {"own": search.base}
    parsed = {"own": ()}
    for number, text in enumerate(chosen, start=1):
        layout = layout_from_json(text)
        candidates[f"layout-{number}"] = search.scenario_of(layout, search.base)
        parsed[f"layout-{number}"] = layout
    tasks = {name: tasks_of(scenario, search.seeds) for name, scenario in candidates.items()}
    search._run([task for group in tasks.values() for task in group])
    final = search.base.start_year + search.base.years
    rows = []
    for name, group in tasks.items():
        for k, task in enumerate(group):
            metrics = metrics_of(search.store, task)
            values = (
                search.objectives.values(metrics, final)
                if metrics is not None
                else np.full(len(search.objectives.metrics), math.nan)
            )
            row = {"layout": name, "replicate": k, "seed": task.seed}
            row.update(dict(zip(search.objectives.metrics, values, strict=True)))
            costs = costs_of(metrics)
            row.update({column: costs[m] for column, m in COST_COLUMNS.items()})
            rows.append(row)
    evaluation = pd.DataFrame(rows)
    metric_columns = list(search.objectives.metrics)
    own = evaluation[evaluation["layout"] == "own"].set_index("replicate")[metric_columns]
    own_mean = own.mean().to_numpy()
    own_rows = evaluation[evaluation["layout"] == "own"]
    own_costs = {m: float(own_rows[c].mean()) for c, m in COST_COLUMNS.items()}
    scores = []
    for name in candidates:
        here = evaluation[evaluation["layout"] == name].set_index("replicate")[metric_columns]
        per_seed = [
            search.objectives.score(here.loc[k].to_numpy(), own.loc[k].to_numpy())
            for k in here.index
        ]
        evaluation.loc[evaluation["layout"] == name, "score"] = per_seed
        mean = here.mean().to_numpy()
        rows_here = evaluation[evaluation["layout"] == name]
        costs = {m: float(rows_here[c].mean()) for c, m in COST_COLUMNS.items()}
        scores.append(
            {
                "layout": name,
                "score": search.objectives.score(mean, own_mean),
                "money_cny_per_year": costs[MONEY_METRIC],
                "teachers_per_year": costs[TEACHERS_METRIC],
                "within_budget": not over_budget(search.plan.spec, costs, own_costs),
                "text": layout_text(parsed[name]) if name != "own" else "(the scenario's own)",
                "layout_json": layout_json(parsed[name]),
            }
        )
    ranking = pd.DataFrame(scores)
    proposals = ranking[ranking["layout"] != "own"]
    if proposals["within_budget"].any():  # else the best of those over it
        proposals = proposals[proposals["within_budget"]]
    best_name = proposals.sort_values(["score", "layout"], kind="stable")["layout"].iloc[0]
    return evaluation, parsed[best_name], ranking
