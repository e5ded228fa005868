"""Running an experiment: plan, skip what is finished, execute the rest, summarise.

The parent process holds one outcome at a time: each is written to its own Parquet
part and the manifest as soon as it arrives, then dropped. Summaries are computed at
the end from the parts, read back through the store.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from tqdm import tqdm

from edusim.experiment.executor import default_workers, outcomes
from edusim.experiment.plan import Plan, build_plan
from edusim.experiment.spec import load_experiment
from edusim.experiment.store import METRICS, Store, write_text
from edusim.experiment.summary import (
    final_values,
    sensitivity_summary,
    summary_markdown,
    summary_table,
)
from edusim.output_dir import claim_output, safe_component

DEFAULT_ROOT = Path("results") / "experiments"


@dataclass(frozen=True)
class ExperimentResult:
    """What an experiment produced; the tables are DataFrames, the folder holds the files."""

    out: Path
    plan: Plan
    summary: pd.DataFrame
    sensitivity: pd.DataFrame | None
    failures: pd.DataFrame
    ran: int
    reused: int
    wall_seconds: float

    @property
    def ok(self) -> bool:
        """Whether every planned run finished."""
        return self.failures.empty

    def metrics(self) -> pd.DataFrame:
        """Every run's metrics, tidy: scenario, variant, replicate, seed, year, metric, value."""
        return pd.read_parquet(self.out / METRICS)


def _write_plan(store: Store, plan: Plan) -> None:
    spec = plan.experiment.spec
    text = yaml.safe_dump(spec.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    write_text(store.root / "experiment.yaml", text)
    columns = ["variant", "replicate", "seed", "task", "final_year"]
    write_text(store.root / "tasks.csv", plan.tasks[columns].to_csv(index=False))
    if plan.points is not None:
        write_text(store.root / "points.csv", plan.points.to_csv())


def _failures(store: Store, plan: Plan, finished: set[str]) -> pd.DataFrame:
    """Planned runs that did not finish, with the last line of each error."""
    records = store.records()
    rows = []
    for row in plan.tasks.itertuples(index=False):
        record = records.get(row.task)
        if row.task in finished or record is None or record["status"] != "failed":
            continue
        lines = [line for line in record["error"].splitlines() if line.strip()]
        rows.append(
            {
                "variant": row.variant,
                "replicate": row.replicate,
                "seed": row.seed,
                "task": row.task,
                "error": lines[-1] if lines else "",
            }
        )
    return pd.DataFrame(rows, columns=["variant", "replicate", "seed", "task", "error"])


def _execute(
    store: Store, plan: Plan, workers: int | None, dask: str | None, progress: bool
) -> tuple[int, int]:
    """Run the plan's unfinished tasks; return (ran, reused)."""
    done = store.finished()
    todo = [task for task in plan.unique_tasks() if task.key not in done]
    reused = plan.task_count - len(todo)
    if not todo:
        return 0, reused
    if dask is None:
        workers = min(default_workers() if workers is None else workers, len(todo))
    bar = tqdm(
        total=plan.task_count,
        initial=reused,
        desc=plan.experiment.spec.name,
        unit="run",
        disable=not progress,
        file=sys.stderr,
        smoothing=0.1,
    )
    failed = 0
    with bar:
        for outcome in outcomes(todo, workers=workers, dask=dask):
            store.record(outcome)
            failed += not outcome.ok
            bar.update(1)
            if failed:
                bar.set_postfix(failed=failed)
    return len(todo), reused


def run_experiment(
    experiment: str | Path | Mapping[str, Any],
    *,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    out: str | Path | None = None,
    progress: bool = False,
) -> ExperimentResult:
    """Run (or resume) an experiment and write its folder; return its summaries.

    `experiment` is an experiment file or mapping; `replications` overrides the file's;
    `workers` local processes (default: every core; 1 runs in this process) or `dask`,
    a scheduler address; `out` the folder (default: results/experiments/<name>).
    Rerunning with the same folder skips every run already finished. The folder must be
    missing, empty or this experiment's own (output_dir.claim_output), and is locked
    while the experiment runs.
    """
    started = time.perf_counter()
    plan = build_plan(load_experiment(experiment), replications)
    name = plan.experiment.spec.name
    root = Path(out) if out is not None else DEFAULT_ROOT / safe_component(name, "name")
    with claim_output(root, "experiment", name, resume=True):  # only its own folder, locked
        return _run_claimed(Store(root), plan, workers, dask, progress, started)


def _run_claimed(
    store: Store,
    plan: Plan,
    workers: int | None,
    dask: str | None,
    progress: bool,
    started: float,
) -> ExperimentResult:
    _write_plan(store, plan)
    ran, reused = _execute(store, plan, workers, dask, progress)
    finished = store.finished()
    store.write_metrics(plan.tasks, finished)
    rows = store.select_metrics(plan.tasks["final_year"], plan.experiment.spec.metric_names)
    final = final_values(rows, plan)
    summary = summary_table(final, plan)
    sensitivity = sensitivity_summary(final, plan)
    failures = _failures(store, plan, finished)
    write_text(store.root / "summary.csv", summary.to_csv(index=False, float_format="%.10g"))
    if sensitivity is not None:
        text = sensitivity.to_csv(index=False, float_format="%.10g")
        write_text(store.root / "sensitivity.csv", text)
    write_text(store.root / "summary.md", summary_markdown(plan, summary, sensitivity, failures))
    return ExperimentResult(
        store.root,
        plan,
        summary,
        sensitivity,
        failures,
        ran,
        reused,
        time.perf_counter() - started,
    )
