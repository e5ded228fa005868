"""Deterministic batched Optuna searches over the experiment runner (shared by
`experiment.calibrate` and `planning.search`).

Trials are asked in batches. Trial n of batch b is proposed by a sampler seeded from
(seed, n) that sees exactly the trials of batches before b, through a throw-away
in-memory study, and is then enqueued into the stored study (a JournalStorage file) and
asked there. A trial's values are therefore a function of the seed, the batch size and
the earlier trials' values alone: not of the number of workers, of the order in which
runs finish, or of where a previous attempt was killed. Runs are experiment tasks kept
in an experiment `Store`, so a killed search resumes with the runs already finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from edusim.experiment.executor import outcomes
from edusim.experiment.store import Store, write_text
from edusim.experiment.task import Task
from edusim.scenario.loader import Problem, ScenarioError, read_mapping
from edusim.scenario.schema import Scenario

INSTALL_HINT = "this search needs Optuna: pip install 'edusim[calibrate]'"

Proposer = Callable[[list[Any], int], dict[str, Any]]
"""(history of earlier batches' frozen trials, trial number) -> the trial's values."""


class OptunaMissingError(RuntimeError):
    """Optuna is not installed (it is the optional extra `calibrate`)."""


def optuna_module() -> Any:
    """The optuna module, or OptunaMissingError with the install line."""
    try:
        import optuna
    except ImportError:
        raise OptunaMissingError(INSTALL_HINT) from None
    return optuna


@contextlib.contextmanager
def quiet_optuna(optuna: Any) -> Iterator[None]:
    """Optuna's per-trial log lines and experimental-feature warnings off, then restored."""
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(level)


def trial_seed(seed: int, number: int) -> int:
    """The sampler seed of trial `number` (a 32-bit SeedSequence draw)."""
    state = np.random.SeedSequence([seed, 1 << 20, number]).generate_state(1, np.uint32)
    return int(state[0])


def tpe_proposer(
    optuna: Any, distributions: dict[str, Any], directions: list[str], seed: int, startup: int
) -> Proposer:
    """Trial n's values from Optuna's TPE (multivariate; multi-objective with several
    directions) seeded from (seed, n), after `startup` random trials, fitted to the
    history only, through a throw-away in-memory study."""

    def propose(history: list[Any], number: int) -> dict[str, Any]:
        sampler = optuna.samplers.TPESampler(
            seed=trial_seed(seed, number), n_startup_trials=startup, multivariate=True
        )
        scratch = optuna.create_study(directions=directions, sampler=sampler)
        scratch.add_trials(history)
        return dict(scratch.ask(distributions).params)

    return propose


def resolved_sha256(scenario: Scenario) -> str:
    """Hash of the resolved scenario: an edited file (or a parent it extends) is another
    question, even under the same name."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_study(optuna: Any, path: str, name: str, directions: list[str]) -> Any:
    """The stored study (JournalStorage in the file `path`), created or resumed."""
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(path))
    return optuna.create_study(
        study_name=name, storage=storage, directions=directions, load_if_exists=True
    )


def ask_batch(
    optuna: Any,
    study: Any,
    numbers: range,
    distributions: dict[str, Any],
    propose: Proposer,
) -> dict[int, dict[str, Any]]:
    """The trials of one batch, asked now or found in the study (a resumed batch).

    `propose(history, number)` gives trial `number`'s values from the frozen trials of
    the batches before this one; they are enqueued and asked in the stored study."""
    stored = {trial.number: trial for trial in study.get_trials(deepcopy=False)}
    history = [stored[n] for n in range(numbers.start) if n in stored]
    values = {}
    waiting = optuna.trial.TrialState.WAITING
    for number in numbers:
        if number in stored and stored[number].state != waiting:
            values[number] = dict(stored[number].params)
            continue
        if number not in stored:  # else enqueued by a run killed before it asked
            study.enqueue_trial(propose(history, number))
        trial = study.ask(distributions)
        if trial.number != number:  # another writer: the folder lock should prevent it
            raise RuntimeError(f"study gave trial {trial.number}, expected {number}")
        values[number] = dict(trial.params)
    return values


def run_tasks(
    store: Store,
    tasks: list[Task],
    workers: int | None,
    dask: str | None,
    dask_wait: float,
    say: Callable[[str], None] | None,
) -> tuple[int, int]:
    """Run the tasks the store has not finished yet; return (ran, reused)."""
    done = store.finished()
    unique = {task.key: task for task in tasks}
    todo = [task for key, task in unique.items() if key not in done]
    if todo:
        count = None if workers is None else min(workers, len(todo))
        for outcome in outcomes(todo, workers=count, dask=dask, dask_wait=dask_wait, say=say):
            store.record(outcome)
    return len(todo), len(unique) - len(todo)


def check_resumable(
    path: Path,
    settings: Mapping[str, Any],
    kind: str,
    inputs: Mapping[str, str],
    error: Callable[[str, list[Problem]], ScenarioError],
) -> None:
    """Refuse to continue the search whose settings file is `path` with other settings:
    its trials would mix two questions (only `trials` may change). `inputs` names the
    hashed input files (settings key -> words); `kind` the search ('calibration')."""
    if not path.is_file():
        return
    stored = read_mapping(path)
    stored.pop("trials", None)
    for key, value in settings.items():
        if stored.get(key) == value:
            continue
        if key in inputs:
            message = (
                f"the {inputs[key]} differs from the one this folder's {kind} began with; "
                "choose another --out (its trials answer another question)"
            )
        else:
            message = (
                f"this folder holds a {kind} with {key} {stored.get(key)!r}, not {value!r}; "
                "choose another --out, or rerun with the same settings (only --trials may "
                "change)"
            )
        raise error(str(path.parent), [Problem(key, message)])


def start_folder(
    root: Path,
    settings_file: str,
    settings: Mapping[str, Any],
    trials: int,
    kind: str,
    inputs: Mapping[str, str],
    error: Callable[[str, list[Problem]], ScenarioError],
    copies: Mapping[str, Path],
) -> None:
    """Check that the folder `root` holds no search with other settings, then write the
    settings (with the trials asked now) and a copy of each input file (name -> path)."""
    check_resumable(root / settings_file, settings, kind, inputs, error)
    text = yaml.safe_dump({**settings, "trials": trials}, sort_keys=False)
    write_text(root / settings_file, text)
    for name, source in copies.items():
        write_text(root / name, source.read_text(encoding="utf-8"))
