"""One replication as an independent task, and what a worker sends back.

`run_task` is what every executor calls, in this process, a spawned process or a Dask
worker. It never raises: a failing run comes back as an outcome with its traceback, so
one bad replication cannot sink the others. Workers return the tidy metrics table only
(a few hundred rows), never the model.

Test hook: the environment variable `EDUSIM_EXPERIMENT_FAIL_SEEDS` (comma-separated
seeds) makes the runs with those seeds raise before they start. It exists so the tests
can check failure handling in spawned workers; nothing else sets it.
"""

from __future__ import annotations

import gc
import os
import time
import traceback
from dataclasses import dataclass

import pandas as pd

from edusim.heap import give_back_freed_memory
from edusim.scenario.schema import Scenario

FAIL_SEEDS_VARIABLE = "EDUSIM_EXPERIMENT_FAIL_SEEDS"
PART_COLUMNS: tuple[str, ...] = ("scenario", "seed", "year", "metric", "value")


@dataclass(frozen=True)
class Task:
    """One run: a resolved scenario, its seed, the key that identifies the pair, and the
    hash of the client's model code (`provenance.model_hash`, which the key holds; a
    worker with other code refuses the task)."""

    key: str
    scenario: Scenario
    seed: int
    model_hash: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a worker returns: the metrics table, or the error and its traceback."""

    key: str
    seed: int
    metrics: pd.DataFrame | None
    error: str | None
    wall_seconds: float

    @property
    def ok(self) -> bool:
        """Whether the run finished."""
        return self.error is None


def _injected_failure(seed: int) -> None:
    listed = os.environ.get(FAIL_SEEDS_VARIABLE, "")
    if str(seed) in {text.strip() for text in listed.split(",")}:
        raise RuntimeError(f"failure injected for seed {seed} by {FAIL_SEEDS_VARIABLE}")


def release_memory() -> None:
    """After a run, free its model now and give the freed heap back to the system.

    A finished model is a reference cycle (Mesa's agents point back to it), so it waits
    for the cyclic collector, which counts objects rather than bytes and may let several
    dead cities pile up; and glibc keeps freed pages of its heap. Together they made a
    worker's resident memory creep up over demo runs (321 -> 385 MiB from 25 to 200 runs)
    although no model stayed alive. A collection takes milliseconds next to a run."""
    gc.collect()
    give_back_freed_memory()


class CodeMismatchError(RuntimeError):
    """A worker runs other edusim model code than the client that planned the task."""


def code_mismatch(client_hash: str | None, worker_hash: str) -> str | None:
    """Why a worker must refuse a task planned with `client_hash`, or None if it may run."""
    if client_hash is None or client_hash == worker_hash:
        return None
    return (
        f"this worker runs edusim model code {worker_hash}, the client planned the task with "
        f"{client_hash}; install the same edusim (same commit) on the workers as on the client"
    )


def run_task(task: Task) -> Outcome:
    """Run one replication; return its metrics table or the traceback of its failure.

    A worker whose model code differs from the client's refuses the task (its results
    would be stored under a key that names other code)."""
    from edusim.experiment.interrupts import user_interrupt
    from edusim.provenance import model_hash
    from edusim.results import run_scenario

    started = time.perf_counter()
    metrics, error = None, None
    try:
        mismatch = code_mismatch(task.model_hash, model_hash())
        if mismatch is not None:
            raise CodeMismatchError(mismatch)
        _injected_failure(task.seed)
        metrics = run_scenario(task.scenario, task.seed).tables["metrics"]
    except Exception as failure:
        interrupt = user_interrupt(failure)
        if interrupt is not None:  # Ctrl-C inside a kernel: not the run's failure
            raise interrupt from None
        error = traceback.format_exc()
    seconds = time.perf_counter() - started
    release_memory()  # out of the except block: its traceback no longer holds the model
    if error is not None:
        return Outcome(task.key, task.seed, None, error, seconds)
    return Outcome(task.key, task.seed, metrics.loc[:, list(PART_COLUMNS)], None, seconds)


def failed(task: Task, error: BaseException) -> Outcome:
    """The outcome of a task whose worker died or could not be reached."""
    text = "".join(traceback.format_exception(error))
    return Outcome(task.key, task.seed, None, text, 0.0)
