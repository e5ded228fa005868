"""Calibration: search parameter values that make a scenario meet a city's observations.

Optuna's TPE sampler proposes parameter values; each proposal (a trial) is run for R
paired replications through the experiment runner's pieces (task keys, executor and
store), so trials run in parallel on local processes or Dask, every finished run is
kept on disk at once, and a killed calibration resumes where it stopped. The loss of
a trial is `fit.loss` (weighted squared distances to the targets in units of their
uncertainty).

Determinism. Trials are asked in batches of `batch` (default 8). Trial n of batch b is
proposed by a sampler seeded from (seed, n) that sees exactly the trials of batches
before b, through a throw-away in-memory study, and is then recorded in the stored
study with those values. A trial's values are therefore a function of the seed, the
batch size and the earlier trials' losses alone: not of the number of workers, of the
order in which runs finish, or of where a previous attempt was killed. Every trial
uses the same R replicate seeds (common random numbers), so differences between trials
are differences of parameters, not of luck.

Folder (default results/calibrations/<scenario name>):

    calibration.yaml   the settings; a rerun with other settings is refused
    targets.yaml       the targets as read
    optuna.journal     Optuna's study (JournalStorage, a file; resumable)
    runs/              the runs: parts/<task>.parquet and manifest.jsonl (experiment store)
    trials.csv         one row per trial: values, loss, each target's model mean
    fit.csv            the best trial against each target: observed, model mean, 95% band
    profile.csv        each parameter's range among good trials (fit.PROFILE_DELTA)
    best.yaml          a scenario that extends the input with the best values
    summary.md         all of the above in words

The tables and best.yaml are written at the end, when every trial has finished
(`experiment.calibration_files`).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edusim.checksum import file_sha256
from edusim.experiment.batched_search import (  # OptunaMissingError: re-exported
    OptunaMissingError,  # noqa: F401
    ask_batch,
    open_study,
    optuna_module,
    quiet_optuna,
    resolved_sha256,
    run_tasks,
    start_folder,
    tpe_proposer,
)
from edusim.experiment.calibration_files import trials_table, write_outputs
from edusim.experiment.executor import DASK_WAIT_SECONDS
from edusim.experiment.fit import loss, replicate_values
from edusim.experiment.plan import replicate_seed, task_keys
from edusim.experiment.store import Store
from edusim.experiment.task import Task
from edusim.output_dir import claim_output, safe_component
from edusim.scenario.loader import (
    Problem,
    ScenarioError,
    load_scenario,
)
from edusim.scenario.schema import Scenario
from edusim.scenario.targets import Targets, load_targets

DEFAULT_ROOT = Path("results") / "calibrations"
SETTINGS = "calibration.yaml"
JOURNAL = "optuna.journal"
STUDY = "edusim-calibration"
INPUTS = {"targets_sha256": "targets file", "scenario_resolved_sha256": "resolved scenario"}
"""The hashed inputs of the settings: another file is another question."""
DEFAULT_BATCH = 8
DEFAULT_STARTUP = 10
"""Trials proposed at random before TPE models the history (Optuna's own default)."""


class CalibrationError(ScenarioError):
    """A calibration that cannot start: bad parameters, settings or folder (exit 2)."""

    def __str__(self) -> str:
        lines = [f"invalid calibration {self.source}:"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class CalibrationFailedError(RuntimeError):
    """Every trial failed (its runs failed, or the model gave no finite value for a
    target): nothing fits. The runs' tracebacks are in runs/manifest.jsonl."""


@dataclass(frozen=True)
class ParameterRange:
    """A scenario parameter (dotted path) searched between `low` and `high`."""

    name: str
    low: float
    high: float


def parse_range(text: str) -> ParameterRange:
    """'housing.adjust_speed:0.05:0.5' -> ParameterRange; ValueError says what is wrong."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0]:
        raise ValueError(f"expected PATH:LOW:HIGH, got '{text}'")
    name, low_text, high_text = parts
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ValueError(f"LOW and HIGH of '{text}' must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"'{text}' needs finite LOW < HIGH")
    return ParameterRange(name, low, high)


@dataclass(frozen=True)
class CalibrationResult:
    """What a calibration produced; the folder holds the same tables as files."""

    out: Path
    trials: pd.DataFrame
    fit: pd.DataFrame
    profile: pd.DataFrame
    best: dict[str, float]
    best_loss: float
    ran: int
    reused: int
    wall_seconds: float


def _problems_of_ranges(base: Scenario, ranges: Sequence[ParameterRange]) -> list[Problem]:
    """Each parameter must exist and both ends of its range be valid values."""
    problems, seen = [], set()
    for item in ranges:
        where = f"--params {item.name}"
        if item.name in seen:
            problems.append(Problem(where, "listed twice"))
            continue
        seen.add(item.name)
        for value in (item.low, item.high):
            try:
                load_scenario(base, {item.name: value})
            except ScenarioError as error:
                problems += [Problem(where, problem.message) for problem in error.problems]
                break
    return problems


def _settings(
    scenario_path: Path,
    run_base: Scenario,
    targets_path: Path,
    ranges: Sequence[ParameterRange],
    replications: int,
    batch: int,
    seed: int,
    startup: int,
    years: int,
) -> dict[str, Any]:
    return {
        "scenario": str(scenario_path.resolve()),
        "scenario_resolved_sha256": resolved_sha256(run_base),
        "targets": str(targets_path.resolve()),
        "targets_sha256": file_sha256(targets_path),
        "parameters": {item.name: [item.low, item.high] for item in ranges},
        "replications": replications,
        "batch": batch,
        "seed": seed,
        "startup": startup,
        "years": years,
    }


def _distributions(optuna: Any, ranges: Sequence[ParameterRange]) -> dict[str, Any]:
    return {
        item.name: optuna.distributions.FloatDistribution(item.low, item.high) for item in ranges
    }


def _trial_tasks(
    base: Scenario, values: dict[str, float], seeds: list[int]
) -> tuple[Scenario, list[Task]]:
    scenario = load_scenario(base, values)
    keys = task_keys(scenario, seeds)
    return scenario, [Task(key, scenario, seed) for key, seed in zip(keys, seeds, strict=True)]


def _trial_result(
    store: Store, tasks: list[Task], targets: Targets
) -> tuple[float, dict[str, np.ndarray], str]:
    """Loss, per-target replicate values and the error (empty if none) of one trial."""
    finished = store.finished()
    missing = [task for task in tasks if task.key not in finished]
    if missing:
        record = store.records().get(missing[0].key, {})
        lines = [line for line in str(record.get("error", "")).splitlines() if line.strip()]
        why = lines[-1] if lines else "not run"
        return float("nan"), {}, f"replication with seed {missing[0].seed} failed: {why}"
    frames = [pd.read_parquet(store.part(task.key)) for task in tasks]
    values = replicate_values(frames, targets.items)
    value = loss(values, targets.items)
    if not math.isfinite(value):
        empty = [label for label, array in values.items() if not np.isfinite(array).all()]
        return value, values, f"the model gives no finite value for {', '.join(empty)}"
    return value, values, ""


def calibrate(
    scenario: str | Path,
    targets: str | Path,
    parameters: Sequence[ParameterRange | str],
    *,
    trials: int = 40,
    replications: int = 4,
    batch: int = DEFAULT_BATCH,
    seed: int = 1,
    startup: int = DEFAULT_STARTUP,
    workers: int | None = None,
    dask: str | None = None,
    dask_wait: float = DASK_WAIT_SECONDS,
    out: str | Path | None = None,
    progress: bool = False,
) -> CalibrationResult:
    """Calibrate `scenario` to `targets` over `parameters` ('path:low:high' or ranges).

    Runs (or resumes) `trials` trials of `replications` paired replications each, in
    batches of `batch` (the trials table depends on `batch` and `seed`, never on
    `workers` or `dask`). Runs stop at the last year any target needs. Writes the folder
    `out` (default results/calibrations/<scenario name>) and returns its tables.

    Raises ScenarioError (TargetsError, CalibrationError) for bad input, before any run;
    OptunaMissingError without Optuna; OutputFolderError for a folder that is not this
    calibration's.
    """
    started = time.perf_counter()
    optuna = optuna_module()
    for name, value in (("trials", trials), ("replications", replications), ("batch", batch)):
        if value < 1:
            raise CalibrationError(name, [Problem(name, f"must be at least 1, got {value}")])
    ranges = [parse_range(p) if isinstance(p, str) else p for p in parameters]
    if not ranges:
        raise CalibrationError("--params", [Problem("--params", "name at least one parameter")])
    scenario_path, targets_path = Path(scenario), Path(targets)
    base = load_scenario(scenario_path)
    from edusim.metrics import METRICS

    goal = load_targets(targets_path, base, METRICS)
    years = max(goal.last_year - base.start_year, 1)
    run_base = load_scenario(base, {"years": years})
    problems = _problems_of_ranges(run_base, ranges)
    if problems:
        raise CalibrationError(str(scenario_path), problems)
    settings = _settings(
        scenario_path, run_base, targets_path, ranges, replications, batch, seed, startup, years
    )
    root = Path(out) if out is not None else DEFAULT_ROOT / safe_component(base.name)
    with claim_output(root, "calibration", base.name, resume=True):
        start_folder(
            root, SETTINGS, settings, trials, "calibration", INPUTS, CalibrationError,
            {"targets.yaml": targets_path},
        )  # fmt: skip
        with quiet_optuna(optuna):
            return _search(
                optuna, root, base, run_base, goal, ranges, settings, trials,
                workers, dask, dask_wait, progress, started,
            )  # fmt: skip


def _search(
    optuna: Any,
    root: Path,
    base: Scenario,
    run_base: Scenario,
    goal: Targets,
    ranges: list[ParameterRange],
    settings: dict[str, Any],
    trial_count: int,
    workers: int | None,
    dask: str | None,
    dask_wait: float,
    progress: bool,
    started: float,
) -> CalibrationResult:
    from optuna.trial import TrialState

    study = open_study(optuna, str(root / JOURNAL), STUDY, ["minimize"])
    store = Store(root / "runs")
    seeds = [replicate_seed(settings["seed"], k) for k in range(settings["replications"])]
    say = (lambda text: print(f"edusim: {text}", file=sys.stderr)) if progress else None
    batch = settings["batch"]
    distributions = _distributions(optuna, ranges)
    propose = tpe_proposer(
        optuna, distributions, ["minimize"], settings["seed"], settings["startup"]
    )
    records: list[dict[str, Any]] = []
    trial_values: dict[int, dict[str, np.ndarray]] = {}
    ran = reused = 0
    for first in range(0, trial_count, batch):
        numbers = range(first, min(first + batch, trial_count))
        proposals = ask_batch(optuna, study, numbers, distributions, propose)
        tasks = {n: _trial_tasks(run_base, proposals[n], seeds)[1] for n in numbers}
        done, kept = run_tasks(
            store, [t for n in numbers for t in tasks[n]], workers, dask, dask_wait, say
        )
        ran, reused = ran + done, reused + kept
        states = {t.number: t.state for t in study.get_trials(deepcopy=False)}
        for number in numbers:
            value, values, error = _trial_result(store, tasks[number], goal)
            trial_values[number] = values
            finished = math.isfinite(value)
            if states.get(number) == TrialState.RUNNING:
                if finished:
                    study.tell(number, value)
                else:
                    study.tell(number, state=TrialState.FAIL)
            records.append(
                {
                    "trial": number,
                    "batch": first // batch,
                    "state": "COMPLETE" if finished else "FAIL",
                    "loss": value,
                    **proposals[number],
                    **{
                        f"model: {label}": float(np.mean(array)) if array.size else math.nan
                        for label, array in values.items()
                    },
                    "error": error,
                }
            )
        if say is not None:
            best = min((r["loss"] for r in records if r["state"] == "COMPLETE"), default=math.nan)
            say(
                f"trials {numbers.start}-{numbers.stop - 1} of {trial_count} done; best loss {best:.4g}"
            )
    table = trials_table(records, [item.name for item in ranges], goal)
    if (table["state"] != "COMPLETE").all():
        raise CalibrationFailedError(
            f"every trial of the calibration in {root} failed, so nothing fits; the first: "
            f"{table['error'].iloc[0]} (tracebacks in {root / 'runs' / 'manifest.jsonl'})"
        )
    wall = time.perf_counter() - started
    bounds = {item.name: (item.low, item.high) for item in ranges}
    fit, profile, best, best_loss = write_outputs(
        root, base, goal, bounds, settings, table, trial_values, (ran, reused, wall)
    )
    return CalibrationResult(root, table, fit, profile, best, best_loss, ran, reused, wall)
