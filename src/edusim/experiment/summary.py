"""Summaries of an experiment at the final year: per arm and metric, differences, indices.

Everything here reads the tidy final-year rows (variant, replicate, metric, value) that
the store gathered from the parts; nothing depends on which executor produced them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from edusim.experiment.plan import Plan
from edusim.experiment.sensitivity import sensitivity_table
from edusim.experiment.spec import CompareDesign, GridDesign, MorrisDesign, SobolDesign
from edusim.experiment.stats import narrowing, paired_difference, welch_difference
from edusim.metrics import METRICS
from edusim.results import markdown_table

QUANTILES = {"p10": 0.10, "p90": 0.90}


def final_values(metrics: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The final-year rows of the metrics of interest: variant, replicate, metric, value."""
    wanted = metrics[metrics["metric"].isin(plan.experiment.spec.metric_names)]
    final = wanted.merge(
        plan.tasks[["variant", "replicate", "final_year"]], on=["variant", "replicate"]
    )
    final = final[final["year"] == final["final_year"]]
    return final[["variant", "replicate", "year", "metric", "value"]].reset_index(drop=True)


def _describe(values: np.ndarray, failed: int) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        stats = {"n": 0, "failed": failed, "mean": np.nan, "median": np.nan}
        return stats | {"p10": np.nan, "p90": np.nan}
    stats = {"n": finite.size, "failed": failed, "mean": finite.mean()}
    stats["median"] = np.median(finite)
    stats |= {name: np.quantile(finite, q) for name, q in QUANTILES.items()}
    return stats


def _comparison(treated: pd.Series, baseline: pd.Series) -> dict[str, float]:
    paired_on = baseline.reindex(treated.index)
    paired = paired_difference(treated.to_numpy(), paired_on.to_numpy())
    unpaired = welch_difference(treated.to_numpy(), baseline.to_numpy())
    return {
        "diff_mean": paired.mean,
        "diff_low": paired.low,
        "diff_high": paired.high,
        "pairs": paired.n,
        "welch_low": unpaired.low,
        "welch_high": unpaired.high,
        "narrowing": narrowing(paired, unpaired),
    }


def summary_table(
    final: pd.DataFrame, plan: Plan, failures: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per arm and metric: n, failed, mean, median, p10, p90 of the final-year
    values (`failed`: the arm's replications in `failures`, left out of the rest).

    Comparisons add the paired difference from the baseline (mean and 95% CI over
    replicates), the unpaired Welch CI and the narrowing factor (Welch width / paired
    width); designs add the arm's parameter values.
    """
    spec = plan.experiment.spec
    baseline = spec.baseline
    by_arm = {
        key: group.set_index("replicate")["value"]
        for key, group in final.groupby(["variant", "metric"], sort=False)
    }
    empty = pd.Series(dtype=float)
    failed = {} if failures is None else failures["variant"].value_counts().to_dict()
    rows = []
    for variant, scenario in plan.arms.items():
        for metric in spec.metric_names:
            values = by_arm.get((variant, metric), empty)
            row = {
                "variant": variant,
                "metric": metric,
                "unit": METRICS[metric].unit,
                "year": scenario.start_year + scenario.years,
            }
            row |= _describe(values.to_numpy(dtype=float), int(failed.get(variant, 0)))
            if baseline is not None and variant != baseline:
                row["baseline"] = baseline
                row |= _comparison(values, by_arm.get((baseline, metric), empty))
            rows.append(row)
    table = pd.DataFrame(rows)
    if plan.points is not None:
        table = table.merge(plan.points, left_on="variant", right_index=True, how="left")
    return table


def point_outcomes(final: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Mean final-year value per design point (rows, in sampling order) and metric."""
    means = final.pivot_table(index="variant", columns="metric", values="value", aggfunc="mean")
    return means.reindex(index=list(plan.arms), columns=list(plan.experiment.spec.metric_names))


def sensitivity_summary(final: pd.DataFrame, plan: Plan) -> pd.DataFrame | None:
    """Morris or Sobol indices for range designs that support them, else None."""
    spec = plan.experiment.spec
    design = spec.design
    if not isinstance(design, MorrisDesign | SobolDesign):
        return None
    samples = plan.points.to_numpy(dtype=float)
    return sensitivity_table(design, samples, point_outcomes(final, plan), spec.design_seed)


def _interval(mean: float, low: float, high: float) -> str:
    if not np.isfinite(mean):
        return ""
    if not np.isfinite(low):
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def _outcome_section(summary: pd.DataFrame, plan: Plan) -> list[str]:
    design = plan.experiment.spec.design
    if isinstance(design, CompareDesign):
        shown = pd.DataFrame(
            {
                "metric": summary["metric"],
                "variant": summary["variant"],
                "mean": summary["mean"],
                "p10": summary["p10"],
                "p90": summary["p90"],
                f"difference vs {plan.experiment.spec.baseline} [95% CI]": [
                    _interval(m, lo, hi)
                    for m, lo, hi in zip(
                        summary["diff_mean"], summary["diff_low"], summary["diff_high"], strict=True
                    )
                ],
                "CI narrowing by pairing": [
                    f"{value:.3g}" if np.isfinite(value) else "" for value in summary["narrowing"]
                ],
            }
        ).sort_values("metric", kind="stable", key=_registry_order)
        note = (
            "Differences are paired by replicate (common random numbers); the narrowing "
            "factor is the width of the unpaired (Welch) 95% CI over the paired one."
        )
        return [note, "", markdown_table(shown)]
    if isinstance(design, MorrisDesign | SobolDesign):
        return [f"{len(plan.arms)} design points; their outcomes are in summary.csv."]
    parameters = [] if isinstance(design, GridDesign) else list(plan.points.columns)
    columns = ["variant", *parameters, "metric", "n", "mean", "median", "p10", "p90"]
    return [markdown_table(summary[columns])]


def _registry_order(names: pd.Series) -> pd.Series:
    order = {name: position for position, name in enumerate(METRICS)}
    return names.map(order)


def _with_conf(table: pd.DataFrame, column: str) -> list[str]:
    pairs = zip(table[column], table[f"{column}_conf"], strict=True)
    return [_interval(value, value - conf, value + conf) for value, conf in pairs]


def _sensitivity_section(table: pd.DataFrame, plan: Plan) -> list[str]:
    shown = table[["metric", "parameter"]].copy()
    if isinstance(plan.experiment.spec.design, MorrisDesign):
        shown["mu* [95% CI]"] = _with_conf(table, "mu_star")
        shown["sigma"] = table["sigma"]
    else:
        shown["S1 [95% CI]"] = _with_conf(table, "S1")
        shown["ST [95% CI]"] = _with_conf(table, "ST")
    shown["note"] = table["note"]
    return ["## Sensitivity", "", markdown_table(shown), ""]


def summary_markdown(
    plan: Plan,
    summary: pd.DataFrame,
    sensitivity: pd.DataFrame | None,
    failures: pd.DataFrame,
) -> str:
    """A human summary: what was run, the final-year outcomes, indices and failures."""
    spec = plan.experiment.spec
    tasks = plan.tasks
    years = sorted({scenario.years for scenario in plan.arms.values()})
    lines = [f"# Experiment {spec.name}", ""]
    if spec.description:
        lines += [spec.description, ""]
    lines += [
        f"Base scenario `{spec.scenario}`; design `{spec.design.kind}` with {len(plan.arms)} "
        f"arms; {tasks['replicate'].nunique()} paired replications each (root seed "
        f"{spec.seed}); {', '.join(map(str, years))} school years per run; "
        f"{len(tasks)} runs planned, {plan.task_count} distinct, {len(failures)} failed.",
        "",
        "## Final-year outcomes",
        "",
        *_outcome_section(summary, plan),
        "",
    ]
    if sensitivity is not None:
        lines += _sensitivity_section(sensitivity, plan)
    if len(failures):
        lines += ["## Failed replications", "", markdown_table(failures), ""]
    return "\n".join(lines)
