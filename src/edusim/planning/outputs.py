"""The files of a plan search folder (tables, scenario files, figures, summary).

planning.yaml      the settings; a rerun with other settings is refused
plan.yaml          the plan file as read
optuna.journal     Optuna's study (JournalStorage; resumable)
runs/              the runs (experiment store: parts/<task>.parquet, manifest.jsonl)
facts/             the year-0 city the filters were judged on: schools.parquet,
                   city.parquet, candidates.csv (each school's roles and reach)
layouts.csv        one row per screened trial: state, why infeasible, score, objectives
evaluation.csv     re-evaluated layouts x replicates: objectives, money, teachers
ranking.csv        the re-evaluated layouts by weighted objective (own layout 0)
comparison.csv     the best layout against the scenario's own, paired 95% CIs
stability.csv      how often each pairing is chosen (top layouts; best per seed)
best.yaml          the best layout as explicit groups; `extends` the input scenario
layout-N.yaml      every re-evaluated layout likewise
map.png/.pdf/.svg  the best layout on the city map
pareto.*           screened layouts on the first two objectives (multi-objective)
summary.md         all of the above in words
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from edusim.experiment.stats import paired_difference
from edusim.experiment.store import write_text
from edusim.planning.budget import (
    COST_COLUMNS,
    MONEY_METRIC,
    keeps,
    limits,
    rule_text,
    slack,
    within,
)
from edusim.planning.facts import CityFacts
from edusim.planning.layout import (
    Layout,
    layout_cost,
    layout_from_json,
    layout_json,
    layout_text,
    pairings,
    static_money_limit,
)
from edusim.planning.spec import Budget

FACTS = "facts"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    write_text(path, frame.to_csv(index=False, float_format="%.6g"))


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.partial-{os.getpid()}")
    frame.to_parquet(temporary, index=False)
    os.replace(temporary, path)


def write_facts(root: Path, facts: CityFacts) -> None:
    """The year-0 city the plan was judged on (the map reads these tables)."""
    folder = root / FACTS
    folder.mkdir(exist_ok=True)
    _write_parquet(facts.tables["schools"], folder / "schools.parquet")
    _write_parquet(facts.tables["city"], folder / "city.parquet")
    _write_csv(facts.schools, folder / "candidates.csv")


def groups_table(layout: Layout) -> pd.DataFrame:
    """One row per school of the layout: group (its core), kind, school, role."""
    rows = []
    for group in layout:
        rows.append({"group": group.core, "kind": group.kind, "school": group.core, "role": "core"})
        rows += [
            {"group": group.core, "kind": group.kind, "school": m, "role": "member"}
            for m in group.members
        ]
    return pd.DataFrame(rows, columns=["group", "kind", "school", "role"])


def layout_scenario_text(search: Any, layout: Layout, name: str, header: list[str]) -> str:
    """A scenario that extends the input with the layout's explicit groups."""
    from edusim.planning.layout import scenario_overrides

    try:
        parent = os.path.relpath(search.scenario_path.resolve(), search.root.resolve())
    except ValueError:
        parent = str(search.scenario_path.resolve())
    overrides = scenario_overrides(
        layout, search.plan.spec, search.existing, search.base.start_year
    )
    groups: dict[str, Any] = {}
    for key, value in overrides.items():
        groups[key.removeprefix("groups.")] = value
    body = {
        "extends": parent,
        "name": f"{search.base.name}-{name}",
        "world_seed": search.base.world_seed,  # the city the layout's names refer to
        "groups": groups,
    }
    lines = [f"# {line}" if line else "#" for line in header]
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def comparison_table(
    search: Any, evaluation: pd.DataFrame, best_name: str, best_layout: Layout = ()
) -> pd.DataFrame:
    """Every objective, reform money and teachers posted: the own layout, the best
    layout and their paired difference with its 95% CI (common seeds); for money and
    teachers, the plan's budget rule and whether the best layout keeps it on the full
    runs' means (with `equal`: the comparison is at equal money and teachers)."""
    own = evaluation[evaluation["layout"] == "own"].set_index("replicate")
    best = evaluation[evaluation["layout"] == best_name].set_index("replicate")
    objectives, spec = search.objectives, search.plan.spec
    rows = []
    columns = [c for c in own.columns if c not in ("layout", "seed", "score")]
    for column in columns:
        if column in objectives.metrics:
            sign = objectives.signs[objectives.metrics.index(column)]
            direction = "minimize" if sign > 0 else "maximize"
            role = "objective"
        else:
            direction, role = "information", "cost"
        difference = paired_difference(
            best[column].to_numpy(float), own.loc[best.index, column].to_numpy(float)
        )
        own_mean, best_mean = float(own[column].mean()), float(best[column].mean())
        budget = {"budget": "", "within_budget": ""}
        if column in COST_COLUMNS:
            metric = COST_COLUMNS[column]
            limit, absolute = limits(spec)[metric], slack(spec, metric)
            kept = keeps(limit, best_mean, own_mean, spec.budget.tolerance, absolute)
            rule = rule_text(limit, spec.budget.tolerance, absolute)
            if metric == MONEY_METRIC and static_money_limit(spec) is not None:
                # a money number limits the layout's grants at the rates (groups the plan
                # keeps are paid beside them), checked before any run
                grants = layout_cost(best_layout, search.facts, search.base.funding)
                kept, rule = grants <= float(limit), rule + " of grants at the rates"
            budget = {"budget": rule, "within_budget": kept}
        rows.append(
            {
                "metric": column,
                "role": role,
                "direction": direction,
                "own": own_mean,
                "proposal": best_mean,
                "difference": difference.mean,
                "relative_difference": _relative(difference.mean, own_mean),
                "ci_low": difference.low,
                "ci_high": difference.high,
                "replicates": difference.n,
                **budget,
            }
        )
    return pd.DataFrame(rows)


def _relative(difference: float, own: float) -> float:
    if own:
        return difference / abs(own)
    return 0.0 if difference == 0 else float("nan")


def _equal_by_default(costs: pd.DataFrame) -> bool:
    """Money and teachers within budget 'equal''s default tolerance and slack."""
    default = Budget()
    absolute = {"money_cny_per_year": 0.0, "teachers_per_year": default.teachers_slack}
    return all(
        within(row.proposal, row.own, default.tolerance, absolute[row.metric])
        for row in costs.itertuples(index=False)
    )


def budget_sentence(comparison: pd.DataFrame) -> str:
    """Whether the comparison is at equal money and teachers, in one sentence."""
    costs = comparison[comparison["role"] == "cost"]
    parts = []
    for row in costs.itertuples(index=False):
        kept = "kept" if row.within_budget else "NOT kept"
        parts.append(
            f"{row.metric} {row.proposal:.4g} against the own layout's {row.own:.4g} "
            f"({row.relative_difference:+.1%}; rule: {row.budget}, {kept})"
        )
    equal = bool(costs["budget"].str.startswith("equal").all())
    kept_all = bool(costs["within_budget"].astype(bool).all())
    if equal and kept_all:
        lead = "The comparison is at equal money and teachers within the plan's tolerance: "
    elif equal:
        lead = "The best layout misses the plan's equal money and teachers, so the comparison "
        lead += "is NOT at equal budgets (no re-evaluated layout kept them): "
    elif _equal_by_default(costs):
        lead = "The plan does not ask for equal money and teachers (budget 'equal'), but the "
        lead += "best layout's are within the default tolerance of the own layout's "
        lead += "(10%, or 1 teacher a year): "
    else:
        lead = "The plan does not ask for equal money and teachers (budget 'equal'), and the "
        lead += "comparison is NOT at equal budgets; read the gains with them: "
    return lead + "; ".join(parts) + "."


def stability_table(
    layouts: pd.DataFrame, evaluation: pd.DataFrame, ranking: pd.DataFrame, top: int
) -> pd.DataFrame:
    """Per pairing (core -> member): the share of the best screened layouts that hold it,
    of the re-evaluated layouts, and of the seeds whose best re-evaluated layout holds it."""

    feasible = layouts[layouts["state"] == "COMPLETE"].drop_duplicates("layout_json")
    screened = feasible.sort_values(["score", "trial"]).head(max(10, top))["layout_json"]
    proposals = ranking[ranking["layout"] != "own"].set_index("layout")["layout_json"]
    per_seed = evaluation[evaluation["layout"] != "own"]
    winners = per_seed.sort_values(["replicate", "score", "layout"]).groupby("replicate").head(1)

    def shares(texts: list[str]) -> pd.Series:
        counts: dict[str, int] = {}
        for text in texts:
            for pair in set(pairings(layout_from_json(text))):
                counts[pair] = counts.get(pair, 0) + 1
        return pd.Series(counts, dtype=float) / max(len(texts), 1)

    table = pd.concat(
        {
            "screened_top_share": shares(screened.tolist()),
            "reevaluated_share": shares(proposals.tolist()),
            "seed_best_share": shares([proposals[name] for name in winners["layout"]]),
        },
        axis=1,
    ).fillna(0.0)
    table.index.name = "pairing"
    table = table.reset_index().sort_values(
        ["seed_best_share", "reevaluated_share", "screened_top_share", "pairing"],
        ascending=[False, False, False, True],
    )
    return table.reset_index(drop=True)


def _draw(root: Path, search: Any, layouts: pd.DataFrame, best: Layout) -> list[str]:
    """The map of the best layout and, with several objectives, the Pareto figure;
    both read the folder's stored tables."""
    from edusim.plots.planning import pareto_front, proposal_map
    from edusim.plots.style import save_figure

    schools = pd.read_parquet(root / FACTS / "schools.parquet")
    city = pd.read_parquet(root / FACTS / "city.parquet")
    groups = pd.read_csv(root / "best-groups.csv")
    drawn = []
    figure = proposal_map(schools, city, groups)
    save_figure(figure, root / "map", title="Proposed groups", description=layout_text(best))
    drawn.append("map")
    if search.plan.spec.multi_objective:
        stored = pd.read_csv(root / "layouts.csv")
        x, y = (f"screen: {m}" for m in search.objectives.metrics[:2])
        signs = tuple(float(s) for s in search.objectives.signs[:2])
        figure = pareto_front(stored, x, y, signs)  # type: ignore[arg-type]
        save_figure(figure, root / "pareto", title="Screened layouts")
        drawn.append("pareto")
    return drawn


def write_outputs(
    root: Path,
    search: Any,
    layouts: pd.DataFrame,
    evaluation: pd.DataFrame,
    best: Layout,
    ranking: pd.DataFrame,
    counts: tuple[int, int, float],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write every table, scenario file, figure and the summary; return (comparison,
    stability)."""
    proposals = ranking[ranking["layout"] != "own"]
    best_json = layout_json(best)
    best_name = proposals[proposals["layout_json"] == best_json]["layout"].iloc[0]
    comparison = comparison_table(search, evaluation, best_name, best)
    stability = stability_table(layouts, evaluation, ranking, search.settings["top"])
    _write_csv(layouts, root / "layouts.csv")
    _write_csv(evaluation, root / "evaluation.csv")
    _write_csv(ranking, root / "ranking.csv")
    _write_csv(comparison, root / "comparison.csv")
    _write_csv(stability, root / "stability.csv")
    _write_csv(groups_table(best), root / "best-groups.csv")
    funding = search.base.funding
    for row in proposals.itertuples(index=False):
        layout = layout_from_json(row.layout_json)
        header = [
            f"edusim plan: {row.layout} of the plan {search.plan.source}",
            f"weighted objective {row.score:.4g} (own layout 0; lower is better) over "
            f"{search.settings['replications']} paired replications",
            f"grants at the scenario's rates: {layout_cost(layout, search.facts, funding):.0f} CNY a year",
        ]
        text = layout_scenario_text(search, layout, row.layout, header)
        write_text(root / f"{row.layout}.yaml", text)
        if row.layout == best_name:
            write_text(root / "best.yaml", text)
    drawn = _draw(root, search, layouts, best)
    write_text(
        root / "summary.md",
        summary_markdown(search, layouts, ranking, comparison, stability, best, counts, drawn),
    )
    return comparison, stability


def _markdown(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    lines = [header, rule]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(ranking: pd.DataFrame) -> str:
    """One sentence: does any re-evaluated layout beat the scenario's own?"""
    proposals = ranking[ranking["layout"] != "own"]
    best = float(proposals["score"].min())
    if best < 0:
        return (
            f"The best re-evaluated layout improves the weighted objective by {-best:.3g} "
            "(relative units) over the scenario's own layout; its paired CIs are below."
        )
    return (
        "No re-evaluated layout beats the scenario's own layout on the weighted objective "
        f"(best {best:.3g}, own 0): the search found nothing better within its budget of "
        "trials; the best proposal is written all the same, for inspection."
    )


def _repair_lines(search: Any, layouts: pd.DataFrame) -> list[str]:
    """What the budget repair did and how good its money estimate is (planning/repair.py)."""
    repairer = getattr(search, "repairer", None)
    if repairer is None or not repairer.bands or "repair_moves" not in layouts:
        return []
    own = search.own_estimate
    moved = int((layouts["repair_moves"] > 0).sum())
    state = "on" if repairer.active else "off (budget.repair: false)"
    return [
        f"Budget repair {state}: {moved} of {len(layouts)} sampled layouts moved by "
        f"{int(layouts['repair_moves'].sum())} moves toward the budget's estimate; money "
        "and teachers are judged over the run's years (the screening years as simulated, "
        "the later years as estimated). The money estimate of the own layout: "
        f"{own['estimated']:.6g} CNY a year against {own['simulated']:.6g} simulated.",
    ]


def summary_markdown(
    search: Any,
    layouts: pd.DataFrame,
    ranking: pd.DataFrame,
    comparison: pd.DataFrame,
    stability: pd.DataFrame,
    best: Layout,
    counts: tuple[int, int, float],
    drawn: list[str],
) -> str:
    """The search in words: what was searched, the best layout, its paired comparison
    with the scenario's own layout, and how stable its pairings are."""
    ran, reused, wall = counts
    settings = search.settings
    feasible = int((layouts["state"] == "COMPLETE").sum())
    distinct = layouts.loc[layouts["state"] == "COMPLETE", "layout_json"].nunique()
    lines = [
        f"# Plan search: {search.base.name}",
        "",
        f"Plan {search.plan.source}; {len(search.encoding.options)} candidate members, "
        f"{len(search.encoding.kind_cores())} reachable cores; about "
        f"{float(search.encoding.size):.3g} encoded points.",
        f"Screened {len(layouts)} trials ({feasible} feasible, {distinct} distinct layouts) "
        f"for {settings['screen_years']} years on {settings['screen_replications']} "
        "replication(s); re-evaluated the best "
        f"{len(ranking) - 1} and the scenario's own layout for {settings['years']} years on "
        f"{settings['replications']} paired replications.",
        f"Every run is on one city: world seed {search.base.world_seed}, from "
        f"{settings['world_seed_from']} (a layout names schools of that city; replicates "
        "differ in the school years' draws).",
        f"Runs: {ran} done now, {reused} reused; {wall:.1f} s.",
        *_repair_lines(search, layouts),
        "",
        "## Best layout",
        "",
        layout_text(best) or "(none)",
        "",
        verdict(ranking),
        "",
        "## Re-evaluated layouts (weighted objective, own layout 0, lower is better)",
        "",
        _markdown(
            ranking[
                [
                    "layout",
                    "score",
                    "money_cny_per_year",
                    "teachers_per_year",
                    "within_budget",
                    "text",
                ]
            ]
        ),
        "",
        "The best layout is the lowest score among those whose money spent and teachers "
        "posted per year (means over the full runs) are within the plan's budget (if none "
        "is, among all).",
        "",
        "## Best layout against the scenario's own (paired differences, 95% CI)",
        "",
        _markdown(comparison),
        "",
        "Money is the reform grants spent per year (mean over the run's years) and teachers "
        "the teachers posted inside groups per year: compare them before reading an "
        "objective's gain as the layout's and not its budget's.",
        "",
        budget_sentence(comparison),
        "",
        "## Stability of pairings",
        "",
        _markdown(stability.head(30)),
        "",
        f"Figures: {', '.join(drawn)}.",
    ]
    return "\n".join(lines) + "\n"
