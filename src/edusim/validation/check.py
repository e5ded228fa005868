"""`edusim check`: run the documented patterns on a scenario over paired seeds.

The arms each pattern needs (`arms.ARMS`) run as one paired experiment through the
experiment runner (parallel, crash-safe, resumable), into the check's folder; the
patterns are then measured from its tidy metrics table and written, with their sources,
estimates, 95% intervals, bands and verdicts, to `validation.md` and `validation.csv`
in the same folder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from edusim.experiment.plan import model_fingerprint
from edusim.experiment.runner import execute_experiment
from edusim.experiment.stats import paired_difference
from edusim.experiment.store import METRICS, write_text
from edusim.results import markdown_table
from edusim.scenario.loader import load_scenario
from edusim.scenario.schema import Scenario
from edusim.validation.arms import ARMS
from edusim.validation.patterns import PATTERNS, Pattern, Series

DEFAULT_YEARS = 13
"""Thirteen school years give the twelve intakes the premium-trend pattern compares."""
DEFAULT_REPLICATIONS = 10


@dataclass(frozen=True)
class CheckResult:
    """A finished check: its folder, the verdict table and what ran."""

    out: Path
    table: pd.DataFrame
    scenario: str
    replications: int
    years: int
    seed: int

    @property
    def held(self) -> int:
        """Patterns that hold."""
        return int((self.table["verdict"] == "holds").sum())

    @property
    def judged(self) -> int:
        """Patterns that could be judged (not 'not applicable')."""
        return int(self.table["verdict"].isin(["holds", "does not hold"]).sum())


def arm_overrides(scenario: Scenario) -> dict[str, dict]:
    """The arms this scenario needs: name -> overrides (only the applicable ones)."""
    return {name: build(scenario) for name, (build, applies) in ARMS.items() if applies(scenario)}


def check_experiment(
    scenario_path: Path, scenario: Scenario, replications: int, years: int, seed: int
) -> dict:
    """The experiment (as a mapping) that runs the check's arms."""
    return {
        "name": f"check-{scenario.name}",
        "description": f"edusim check of {scenario.name}: the arms of the documented patterns",
        "scenario": str(scenario_path.resolve()),
        "years": years,
        "replications": replications,
        "seed": seed,
        "metrics": sorted(_metrics_named()),
        "variants": {
            name: {"set": overrides} for name, overrides in arm_overrides(scenario).items()
        },
        "design": {"kind": "compare", "baseline": "catchment"},
    }


def _metrics_named() -> set[str]:
    """Every metric a pattern reads."""
    return {metric for pattern in PATTERNS for metric in pattern.metrics}


def judge(pattern: Pattern, series: Series, arms_run: set[str], intakes: int) -> dict:
    """One row of the verdict table."""
    row = {
        "pattern": pattern.name,
        "claim": pattern.claim,
        "source": pattern.source,
        "measured": pattern.measured,
        "unit": pattern.unit,
        "band": pattern.band_text(),
        "band_source": pattern.band_source,
        "judged_by": pattern.judged_by,
        "n": 0,
        "mean": math.nan,
        "low": math.nan,
        "high": math.nan,
    }
    missing = [arm for arm in pattern.arms if arm not in arms_run]
    if missing:
        return row | {"verdict": "not applicable", "why": f"no '{missing[0]}' arm (see ARMS)"}
    if intakes < pattern.min_intakes:
        why = f"needs {pattern.min_intakes} intakes, the run has {intakes}"
        return row | {"verdict": "not applicable", "why": why}
    values = np.asarray(pattern.statistic(series), dtype=float)
    interval = paired_difference(values, np.zeros_like(values))
    row |= {"n": interval.n, "mean": interval.mean, "low": interval.low, "high": interval.high}
    if interval.n == 0:
        return row | {"verdict": "not applicable", "why": "the metric is undefined here"}
    if pattern.judged_by == "interval":
        holds = interval.n > 1 and pattern.within(interval.low, interval.high)
    else:
        holds = pattern.within(interval.mean, interval.mean)
    return row | {"verdict": "holds" if holds else "does not hold", "why": ""}


def verdicts(metrics: pd.DataFrame) -> pd.DataFrame:
    """The verdict table of every pattern, from the check's tidy metrics."""
    series = Series(metrics)
    arms_run = set(metrics["variant"].unique())
    intakes = len(series.intakes("catchment").columns)
    return pd.DataFrame([judge(pattern, series, arms_run, intakes) for pattern in PATTERNS])


def _estimate(row: pd.Series) -> str:
    if row["n"] == 0 or not np.isfinite(row["mean"]):
        return "–"
    if not np.isfinite(row["low"]):
        return f"{row['mean']:.3g} (one seed)"
    return f"{row['mean']:.3g} [{row['low']:.3g}, {row['high']:.3g}]"


def validation_markdown(result: CheckResult) -> str:
    """validation.md: what was run, then one row per pattern and the sources."""
    table = result.table
    shown = pd.DataFrame(
        {
            "pattern": table["pattern"],
            "claim": table["claim"],
            "measured": table["measured"],
            "model (mean [95% CI])": table.apply(_estimate, axis=1),
            "band": table["band"] + " (" + table["judged_by"] + ")",
            "verdict": table["verdict"] + table["why"].map(lambda why: f" ({why})" if why else ""),
        }
    )
    sources = "\n".join(
        f"- **{row.pattern}**: {row.source}. Band: {row.band_source}."
        for row in table.itertuples(index=False)
    )
    return (
        f"# Validation of {result.scenario}\n\n"
        f"Written by `edusim check` ({result.replications} paired replications, "
        f"{result.years} school years, root seed {result.seed}; model fingerprint "
        f"`{model_fingerprint()}`). {result.held} of {result.judged} judged patterns hold.\n\n"
        "Each pattern is measured per seed; the interval is the 95% t interval over seeds. "
        "A level is judged by its mean, a direction by its whole interval. Arms: "
        "`catchment` is the scenario without its timeline under single-school catchments; "
        "`zones` switches that arm to multi-school zones in its second year; `no_groups` "
        "removes its groups; `unreformed` takes away the place's standing reform as its "
        "counterfactual does, where it has one (see `edusim/validation/arms.py` and "
        "`patterns.py`).\n\n"
        f"{markdown_table(shown)}\n\n## Sources\n\n{sources}\n"
    )


def run_check(
    scenario_path: str | Path,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    years: int = DEFAULT_YEARS,
    seed: int = 1,
    out: str | Path | None = None,
    workers: int | None = None,
    dask: str | None = None,
    progress: bool = False,
) -> CheckResult:
    """Run (or resume) the check of a scenario; write validation.md and validation.csv."""
    path = Path(scenario_path)
    scenario = load_scenario(path)
    folder = Path(out) if out is not None else Path("results") / "check" / scenario.name
    spec = check_experiment(path, scenario, replications, years, seed)
    execute_experiment(spec, workers=workers, dask=dask, out=folder, progress=progress)
    metrics = pd.read_parquet(folder / METRICS)
    result = CheckResult(folder, verdicts(metrics), scenario.name, replications, years, seed)
    write_text(folder / "validation.csv", result.table.to_csv(index=False, float_format="%.6g"))
    write_text(folder / "validation.md", validation_markdown(result))
    return result
