"""Running an experiment: plan, skip what is finished, execute the rest, summarise.

The parent process holds one outcome at a time: each is written to its own Parquet
part and the manifest as soon as it arrives, then dropped. Summaries are computed at
the end from the parts, read back through the store.

Failures are never silent: if some replications failed, the result lists them
(`failures`, the summary's `failed` column) and a `ReplicationsFailedWarning` says how
many; if every one failed, `ExperimentFailedError` is raised once the folder (with the
failures in summary.md and the tracebacks in manifest.jsonl) is written.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from tqdm.auto import tqdm

from edusim.experiment.executor import (
    DASK_WAIT_SECONDS,
    MAIN_GUARD_HINT,
    default_workers,
    outcomes,
)
from edusim.experiment.plan import Plan, build_plan
from edusim.experiment.spec import load_experiment
from edusim.experiment.store import MANIFEST, METRICS, Store, write_text
from edusim.experiment.summary import (
    final_values,
    sensitivity_summary,
    summary_markdown,
    summary_table,
)
from edusim.output_dir import claim_output, safe_component

DEFAULT_ROOT = Path("results") / "experiments"

LOST_WORKER = "BrokenProcessPool"
"""How a run whose worker process died or never started is recorded."""


class ExperimentFailedError(RuntimeError):
    """Every planned run failed: there is nothing to summarise.

    `what` says what failed and why; `out` is the folder whose manifest.jsonl holds every
    traceback (None once it is gone, e.g. a temporary folder); `failures` the failed runs
    as in `ExperimentResult.failures`.
    """

    def __init__(self, what: str, out: Path | None, failures: pd.DataFrame):
        where = (
            f"the tracebacks are in {out / MANIFEST}"
            if out is not None
            else "pass out= to keep their tracebacks"
        )
        super().__init__(f"{what}; {where}")
        self.what = what
        self.out = out
        self.failures = failures


class ReplicationsFailedWarning(UserWarning):
    """Some, not all, replications failed; the others are summarised."""


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
    store: Store,
    plan: Plan,
    workers: int | None,
    dask: str | None,
    dask_wait: float,
    progress: bool,
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
        say = (lambda text: tqdm.write(text, file=sys.stderr)) if progress else None
        for outcome in outcomes(todo, workers=workers, dask=dask, dask_wait=dask_wait, say=say):
            store.record(outcome)
            failed += not outcome.ok
            bar.update(1)
            if failed:
                bar.set_postfix(failed=failed)
    return len(todo), reused


def _all_failed(plan: Plan, failures: pd.DataFrame, out: Path) -> ExperimentFailedError:
    errors = failures["error"]
    if errors.str.contains(LOST_WORKER).all():
        cause = (
            "their worker processes died or could not start "
            f"({MAIN_GUARD_HINT}; a worker killed for lack of memory ends the same way)"
        )
    else:
        cause = f"the first error was {errors.iloc[0]}"
    what = (
        f"all {plan.task_count} runs of experiment '{plan.experiment.spec.name}' failed, "
        f"so there is nothing to summarise: {cause}"
    )
    return ExperimentFailedError(what, out, failures)


def warn_failures(result: ExperimentResult, *, kept: bool = True, stacklevel: int = 3) -> None:
    """Warn that some replications failed (from the caller's caller by default);
    `kept`: whether the folder, with summary.md and the tracebacks, stays."""
    if result.failures.empty:
        return
    failed = result.failures
    where = f", and {result.out / 'summary.md'}" if kept else ""
    warnings.warn(
        f"{failed['task'].nunique()} of {result.plan.task_count} runs of experiment "
        f"'{result.plan.experiment.spec.name}' failed and are left out of the summary "
        f"(see .failures and the summary's 'failed' column{where}); "
        f"the first error was {failed['error'].iloc[0]}",
        ReplicationsFailedWarning,
        stacklevel=stacklevel,
    )


def execute_experiment(
    experiment: str | Path | Mapping[str, Any],
    *,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    dask_wait: float = DASK_WAIT_SECONDS,
    out: str | Path | None = None,
    progress: bool = False,
) -> ExperimentResult:
    """`run_experiment` without the warning about partly failed experiments (callers that
    report failures themselves, such as `compare` and the command line, use this).

    The folder must be missing, empty or this experiment's own (output_dir.claim_output),
    and is locked while the experiment runs."""
    started = time.perf_counter()
    plan = build_plan(load_experiment(experiment), replications)
    name = plan.experiment.spec.name
    root = Path(out) if out is not None else DEFAULT_ROOT / safe_component(name, "name")
    with claim_output(root, "experiment", name, resume=True):  # only its own folder, locked
        return _run_claimed(Store(root), plan, workers, dask, dask_wait, progress, started)


def _run_claimed(
    store: Store,
    plan: Plan,
    workers: int | None,
    dask: str | None,
    dask_wait: float,
    progress: bool,
    started: float,
) -> ExperimentResult:
    _write_plan(store, plan)
    ran, reused = _execute(store, plan, workers, dask, dask_wait, progress)
    finished = store.finished()
    store.write_metrics(plan.tasks, finished)
    rows = store.select_metrics(plan.tasks["final_year"], plan.experiment.spec.metric_names)
    final = final_values(rows, plan)
    failures = _failures(store, plan, finished)
    summary = summary_table(final, plan, failures)
    sensitivity = sensitivity_summary(final, plan)
    write_text(store.root / "summary.csv", summary.to_csv(index=False, float_format="%.10g"))
    if sensitivity is not None:
        text = sensitivity.to_csv(index=False, float_format="%.10g")
        write_text(store.root / "sensitivity.csv", text)
    write_text(store.root / "summary.md", summary_markdown(plan, summary, sensitivity, failures))
    if plan.task_count and not finished & set(plan.tasks["task"]):
        raise _all_failed(plan, failures, store.root)
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


def run_experiment(
    experiment: str | Path | Mapping[str, Any],
    *,
    replications: int | None = None,
    workers: int | None = None,
    dask: str | None = None,
    dask_wait: float = DASK_WAIT_SECONDS,
    out: str | Path | None = None,
    progress: bool = False,
) -> ExperimentResult:
    """Run (or resume) an experiment and write its folder; return its summaries.

    `experiment` is an experiment file or mapping; `replications` overrides the file's;
    `workers` local processes (default: every core; 1 runs in this process) or `dask`,
    a scheduler address, with `dask_wait` seconds to wait for it and a first worker;
    `out` the folder (default: results/experiments/<name>). Rerunning with the same
    folder skips every run already finished.

    Raises `ExperimentFailedError` if every run failed, `MainGuardError` if the calling
    script lacks its `if __name__ == "__main__":` guard and would start the experiment
    again in each worker, `DaskUnavailableError` if Dask has no scheduler or worker;
    warns (`ReplicationsFailedWarning`) if only some failed.
    """
    result = execute_experiment(
        experiment,
        replications=replications,
        workers=workers,
        dask=dask,
        dask_wait=dask_wait,
        out=out,
        progress=progress,
    )
    warn_failures(result)
    return result
