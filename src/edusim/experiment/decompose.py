"""Take a place's reform apart: the paired effect of each component and their interaction.

The reform's total effect is reform - counterfactual (scenario/counterfactual.py). Each
component's effect is measured by leaving it out of the reform: effect(k) = reform -
reform without k, in paired replications (same seeds, so the same city, families and
random streams). What the components leave unexplained, total - sum of the components,
is their interaction (positive where components reinforce each other in a metric).

Components (each a part of the scenario the reform sets, and its timeline keys):

- groups: no school groups (group kinds back to the schema's), and group-wide
  enrollment becomes catchment enrollment, since there is no group to enrol as one unit;
- rotation: no teacher moves by policy (no group or district rotation, no reservoir, no
  retired famous teachers sent to rural schools);
- money: no reform grants (branch-campus, cross-district, zone, rural-studio and
  special-grade support money);
- evaluation: principals judged on their own school and no results-based funds;
- enrollment: the counterfactual's enrollment rules, throughout the run.

A component whose removal leaves the scenario unchanged gets no arm (its effect is 0).

How to read the columns. Each component's effect is its *leave-one-out* contribution:
what the reform loses when that component alone is taken out, the others staying.
Where a component acts only through another, the two are nested, not additive: in
Dalian and Sanming rotation posts teachers only from a group's core to its members,
bundled evaluation judges principals on their members, and group-wide enrollment needs a
group, so the reform without groups is the counterfactual, the `groups` column equals
`total` in every row, and `interaction` is minus the sum of the nested components. Read
`groups` there as "groups with everything that rides on them", and each nested
component as its marginal part within the reform. The reverse order (each component
switched on alone from the counterfactual) and averages over orders (Shapley values)
are not run: they need arms that add a component to the counterfactual, which
`decomposition_arms` does not build yet.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edusim.experiment.stats import paired_difference
from edusim.scenario.schema import Scenario

REFORM, COUNTERFACTUAL = "reform", "counterfactual"
ARM_KEYS: tuple[str, ...] = (
    "groups",
    "rotation",
    "evaluation",
    "funding",
    "enrollment",
    "timeline",
)
"""Top-level scenario keys an arm may change."""
REFORM_GRANTS: tuple[str, ...] = (
    "branch_campus_cny",
    "cross_district_group_cny",
    "zone_cny",
    "rural_studios",
    "rural_studio_cny",
    "special_teacher_support_cny",
)
DEFAULT_METRICS: tuple[str, ...] = (
    "within_group_gap",
    "quality_quartile_gap",
    "achievement_quartile_gap",
    "urban_rural_gap",
    "teacher_quartile_gap",
    "movers_share",
    "premium_top_decile_share",
    "famous_group_participation_share",
    "cross_level_group_share",
    "rural_community_coverage",
    "backbone_in_rural_share",
    "scarce_lessons_uncovered_rural",
    "money_spent_cny",
)
"""The place's own outcomes first: gaps, the teacher distribution, school-choice pressure,
the documents' targets (participation, rural coverage) and what the reform spends."""


def _strip_timeline(data: dict[str, Any], prefixes: tuple[str, ...]) -> None:
    """Remove the reform's timeline settings under `prefixes` (events the counterfactual
    keeps, national rules that are not the reform, stay whole); drop events left empty,
    but never a school change (SCHOOL_CHANGES)."""
    keep = set(data["counterfactual"]["keep_events"])
    kept = []
    for event in data["timeline"]:
        if event["label"] in keep:
            kept.append(event)
            continue
        settings = {
            key: value
            for key, value in event["set"].items()
            if key.split(".")[0].split("[")[0] not in prefixes
        }
        if settings or any(event.get(change) for change in SCHOOL_CHANGES):
            kept.append({**event, "set": settings})  # a school change is no component's
    data["timeline"] = kept


SCHOOL_CHANGES = ("open", "merge", "close", "expand", "shrink")
"""Timeline school changes: they stay in every arm (no component removes them), except
that without groups an opening loses its group (`entrusted_to`, `join_group`)."""


def _without_groups(data: dict[str, Any], counterfactual: dict[str, Any]) -> None:
    data["groups"] = copy.deepcopy(counterfactual["groups"])
    enrollment = data["enrollment"]
    if enrollment["rule"] == "group":
        enrollment["rule"] = "catchment"
    for scope in enrollment["by_area"]:
        if scope["rule"] == "group":
            scope["rule"] = "catchment"
    _strip_timeline(data, ("groups",))
    for event in data["timeline"]:
        if event.get("open"):
            event["open"] = {**event["open"], "entrusted_to": "", "join_group": ""}


def _without_rotation(data: dict[str, Any], counterfactual: dict[str, Any]) -> None:
    rotation = data["rotation"]
    rotation["group_rotation"] = False
    rotation["district_rotation"] = False
    rotation["reservoir_share"] = 0.0
    rotation["retiree_rural_share"] = 0.0
    _strip_timeline(data, ("rotation",))


def _without_money(data: dict[str, Any], counterfactual: dict[str, Any]) -> None:
    for key in REFORM_GRANTS:
        data["funding"][key] = 0 if key == "rural_studios" else 0.0
    _strip_timeline(data, ("funding",))


def _without_evaluation(data: dict[str, Any], counterfactual: dict[str, Any]) -> None:
    data["evaluation"] = copy.deepcopy(counterfactual["evaluation"])
    _strip_timeline(data, ("evaluation",))


def _without_enrollment(data: dict[str, Any], counterfactual: dict[str, Any]) -> None:
    data["enrollment"] = copy.deepcopy(counterfactual["enrollment"])
    _strip_timeline(data, ("enrollment",))


COMPONENTS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "groups": _without_groups,
    "rotation": _without_rotation,
    "money": _without_money,
    "evaluation": _without_evaluation,
    "enrollment": _without_enrollment,
}


def decomposition_arms(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Arm name -> dotted overrides of the reform scenario: the reform, its
    counterfactual, and the reform without each component that changes something."""
    from edusim.scenario.counterfactual import counterfactual_of
    from edusim.scenario.loader import editable_dump

    reform = editable_dump(scenario)
    counterfactual = editable_dump(counterfactual_of(scenario))
    arms = {REFORM: {}, COUNTERFACTUAL: _changes(reform, counterfactual)}
    for name, remove in COMPONENTS.items():
        data = copy.deepcopy(reform)
        remove(data, counterfactual)
        changes = _changes(reform, data)
        if changes:
            arms[f"without_{name}"] = changes
    return arms


def _changes(reform: dict[str, Any], arm: dict[str, Any]) -> dict[str, Any]:
    return {key: arm[key] for key in ARM_KEYS if arm[key] != reform[key]}


def decompose_experiment(
    scenario_path: Path, scenario: Scenario, replications: int, years: int | None, seed: int
) -> dict[str, Any]:
    """The experiment (as a mapping) that runs the decomposition's arms."""
    spec: dict[str, Any] = {
        "name": f"decompose-{scenario.name}",
        "description": f"{scenario.name}: the reform, its counterfactual, and the reform "
        "without each of its components",
        "scenario": str(scenario_path.resolve()),
        "replications": replications,
        "seed": seed,
        "variants": {name: {"set": sets} for name, sets in decomposition_arms(scenario).items()},
        "design": {"kind": "compare", "baseline": REFORM},
    }
    if years is not None:
        spec["years"] = years
    return spec


def decomposition_table(final: pd.DataFrame, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Per metric: the reform's mean, the total effect, each component's effect and the
    interaction, each with its paired 95% interval over replications.

    `final` holds the final-year rows: variant, replicate, metric, value."""
    rows = []
    wide = final.pivot_table(index=["metric", "replicate"], columns="variant", values="value")
    components = [c for c in wide.columns if c.startswith("without_")]
    for metric in metrics:
        if metric not in wide.index.get_level_values(0):
            continue
        values = wide.loc[metric]
        reform = values[REFORM].to_numpy()
        parts = {
            "total": reform - values[COUNTERFACTUAL].to_numpy(),
            **{c.removeprefix("without_"): reform - values[c].to_numpy() for c in components},
        }
        named = [p for p in parts if p != "total"]
        parts["interaction"] = parts["total"] - np.sum([parts[p] for p in named], axis=0)
        for part, effect in parts.items():
            interval = paired_difference(effect, np.zeros_like(effect))
            rows.append(
                {
                    "metric": metric,
                    "effect": part,
                    "reform_mean": float(np.nanmean(reform)),
                    "mean": interval.mean,
                    "low": interval.low,
                    "high": interval.high,
                    "pairs": interval.n,
                }
            )
    return pd.DataFrame(rows)


def _interval_text(row: pd.Series) -> str:
    if not np.isfinite(row["mean"]):
        return "–"
    if not np.isfinite(row["low"]):
        return f"{row['mean']:.4g}"
    return f"{row['mean']:.4g} [{row['low']:.4g}, {row['high']:.4g}]"


def decomposition_markdown(name: str, table: pd.DataFrame, replications: int) -> str:
    """decomposition.md: one row per metric, one column per effect."""
    from edusim.metrics import METRICS
    from edusim.results import markdown_table

    order = ["total", *[c for c in COMPONENTS if c in set(table["effect"])], "interaction"]
    table = table.assign(text=table.apply(_interval_text, axis=1))
    wide = table.pivot(index="metric", columns="effect", values="text")
    wide = wide.reindex(columns=order).reindex(table["metric"].drop_duplicates())
    wide.insert(
        0, "reform", table.groupby("metric", sort=False)["reform_mean"].first().map("{:.4g}".format)
    )
    wide.insert(1, "unit", [METRICS[m].unit for m in wide.index])
    return (
        f"# The reform of {name}, taken apart\n\n"
        f"Final year, {replications} paired replications; each cell is the mean paired "
        "effect with its 95% interval. `total` = reform - counterfactual; a component's "
        "effect = reform - the reform without it (its leave-one-out contribution, the "
        "others staying); `interaction` = total - the sum of the components (what they do "
        "together beyond their separate effects). A component that acts only through "
        "another (rotation inside groups, evaluation bundled with groups, group-wide "
        "enrollment) is nested in it: removing groups then removes it too, the `groups` "
        "column equals `total` and `interaction` is minus the nested components' sum.\n\n"
        f"{markdown_table(wide.reset_index())}\n"
    )


def run_decomposition(
    scenario_path: str | Path,
    *,
    replications: int = 10,
    years: int | None = None,
    seed: int = 1,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    metrics: tuple[str, ...] = DEFAULT_METRICS,
    progress: bool = False,
) -> tuple[Path, pd.DataFrame]:
    """Run (or resume) the decomposition of a scenario's reform; write decomposition.csv
    and decomposition.md into the experiment's folder and return it with the table."""
    from edusim.experiment.runner import execute_experiment
    from edusim.experiment.store import write_text
    from edusim.experiment.summary import final_values
    from edusim.scenario.loader import load_scenario

    path = Path(scenario_path)
    scenario = load_scenario(path)
    spec = decompose_experiment(path, scenario, replications, years, seed)
    spec["metrics"] = list(metrics)
    folder = Path(out) if out is not None else Path("results") / "decompose" / scenario.name
    result = execute_experiment(spec, workers=workers, dask=dask, out=folder, progress=progress)
    final = final_values(pd.read_parquet(folder / "metrics.parquet"), result.plan)
    table = decomposition_table(final, metrics)
    write_text(folder / "decomposition.csv", table.to_csv(index=False, float_format="%.6g"))
    text = decomposition_markdown(scenario.name, table, replications)
    write_text(folder / "decomposition.md", text)
    return folder, table
