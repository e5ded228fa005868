"""Executors: where the tasks run. Each yields outcomes as tasks finish, in any order.

* one worker: in this process, one task after another (no start-up cost);
* several workers: a pool of processes started with an explicit "spawn" context, so
  workers never inherit the parent's state and behave the same on every platform; they
  die with the parent, and a script without its `__main__` guard is refused before any
  worker starts (see `workers`);
* Dask: the same tasks sent to a `dask.distributed` scheduler, e.g. one whose workers
  dask-jobqueue started on a SLURM or PBS cluster (see experiments/README.md). The
  runner waits a bounded time for the scheduler and for a first worker, then says how
  many are connected, or stops with `DaskUnavailableError`.

Only a bounded number of tasks is in flight at once, so the runner's memory does not
grow with the number of replications. Results never depend on the executor: each task
is a pure function of its scenario and seed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from edusim.experiment.task import failed, run_task
from edusim.experiment.workers import die_with_parent, unguarded_main_line

IN_FLIGHT_PER_WORKER = 4
"""Tasks queued per worker: enough to keep workers busy, few enough to keep memory flat."""

DASK_MIN_IN_FLIGHT = 512
"""Tasks queued on a Dask cluster at least, so workers that join later (dask-jobqueue's
adaptive scaling) find work; a queued task is a few kilobytes."""

DASK_WAIT_SECONDS = 60.0
"""Default wait for the Dask scheduler to answer and for its first worker (assumption:
long enough for a batch job's workers that are already queued to start)."""

T = TypeVar("T")
R = TypeVar("R")

MAIN_GUARD_HINT = (
    'a script that runs experiments with several workers needs `if __name__ == "__main__":` '
    "around that code (or workers=1)"
)


class ExecutorError(RuntimeError):
    """The chosen executor cannot run tasks at all (a set-up problem, not a failed run)."""


class MainGuardError(ExecutorError):
    """The main script would start the experiment again in every spawned worker."""


class DaskUnavailableError(ExecutorError):
    """No Dask scheduler answered, or no worker joined it, within the wait; or the workers
    run other edusim code than this process."""


def worker_model_hash() -> str:
    """The model-code hash of the edusim a worker imports (run on each Dask worker)."""
    from edusim.provenance import model_hash

    return model_hash()


def _check_worker_code(client: Any, address: str, expected: str) -> None:
    """Refuse a cluster whose workers run other edusim model code than this process."""
    found = client.run(worker_model_hash)
    other = {worker: code for worker, code in found.items() if code != expected}
    if other:
        listed = ", ".join(f"{worker} ({code})" for worker, code in sorted(other.items()))
        raise DaskUnavailableError(
            f"{len(other)} of {len(found)} Dask worker(s) at {address} run other edusim model "
            f"code than this process ({expected}): {listed}; install the same edusim "
            "(same commit) on the workers, e.g. one shared environment (experiments/README.md)"
        )


def default_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _windowed(
    tasks: Iterable[T],
    submit: Callable[[T], Any],
    wait_first: Callable[[set[Any]], set[Any]],
    limit: int,
    lost: Callable[[T, BaseException], R],
) -> Iterator[R]:
    """Keep at most `limit` futures pending; yield each outcome as its future completes."""
    remaining = iter(tasks)
    pending: dict[Any, T] = {}
    while True:
        while len(pending) < limit and (task := next(remaining, None)) is not None:
            pending[submit(task)] = task
        if not pending:
            return
        for future in wait_first(set(pending)):
            task = pending.pop(future)
            try:
                yield future.result()
            except Exception as error:  # the worker died or was lost, not the run
                yield lost(task, error)


def _check_main_guard() -> None:
    where = unguarded_main_line()
    if where is not None:
        path, line = where
        raise MainGuardError(
            f"{path} starts the experiment at line {line} outside "
            '`if __name__ == "__main__":`, so every spawned worker would start it again; '
            "put that code under the guard (or use workers=1)"
        )


def _process_outcomes(
    tasks: Iterable[T],
    workers: int,
    run: Callable[[T], R],
    lost: Callable[[T, BaseException], R],
    in_flight: int,
) -> Iterator[R]:
    _check_main_guard()
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        yield from _windowed(
            tasks,
            lambda task: pool.submit(run, task),
            lambda futures: wait(futures, return_when=FIRST_COMPLETED).done,
            workers * in_flight,
            lost,
        )
    except BrokenProcessPool as error:
        raise ExecutorError(
            f"worker processes died or could not start ({MAIN_GUARD_HINT}; a worker "
            "killed for lack of memory ends the same way)"
        ) from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _connect(address: str, wait_seconds: float) -> Any:
    """A Dask client with at least one worker, or DaskUnavailableError after the wait."""
    from distributed import Client

    try:
        client = Client(address, timeout=wait_seconds)
    except (OSError, TimeoutError) as error:
        raise DaskUnavailableError(
            f"no Dask scheduler answered at {address} within {wait_seconds:g} s ({error})"
        ) from None
    try:
        client.wait_for_workers(1, timeout=wait_seconds)
    except (OSError, TimeoutError):
        client.close()
        raise DaskUnavailableError(
            f"no Dask worker joined the scheduler at {address} within {wait_seconds:g} s; "
            f"start workers (`dask worker {address}`) or wait longer "
            "(--dask-wait; dask_wait= in Python)"
        ) from None
    return client


def _dask_outcomes(
    tasks: Iterable[T],
    address: str,
    wait_seconds: float,
    say: Callable[[str], None] | None,
    run: Callable[[T], R],
    lost: Callable[[T, BaseException], R],
    in_flight: int,
) -> Iterator[R]:
    from distributed import wait as dask_wait

    from edusim.provenance import model_hash

    client = _connect(address, wait_seconds)
    try:
        _check_worker_code(client, address, model_hash())
        threads = client.nthreads()
        if say is not None:
            say(
                f"Dask scheduler {address}: {len(threads)} worker(s) connected, "
                f"{sum(threads.values())} thread(s)"
            )
        yield from _windowed(
            tasks,
            lambda task: client.submit(run, task, pure=False),
            lambda futures: dask_wait(futures, return_when="FIRST_COMPLETED").done,
            max(DASK_MIN_IN_FLIGHT, sum(threads.values()) * in_flight),
            lost,
        )
    finally:
        client.close()


def outcomes(
    tasks: Iterable[Any],
    *,
    workers: int | None = None,
    dask: str | None = None,
    dask_wait: float = DASK_WAIT_SECONDS,
    say: Callable[[str], None] | None = None,
    run: Callable[[Any], Any] | None = None,
    lost: Callable[[Any, BaseException], Any] | None = None,
    in_flight: int = IN_FLIGHT_PER_WORKER,
) -> Iterator[Any]:
    """Run `tasks` on the chosen executor and yield their outcomes as they finish.

    With `dask`, wait up to `dask_wait` seconds for the scheduler and for a first worker,
    and tell `say` how many workers are connected. `run` is what a worker calls on a task
    (an importable function: replications by default, a province's cities for
    `edusim.province`), `lost` what a task whose worker died becomes, and `in_flight` the
    tasks queued per worker (a city's result is large: the province queues one).
    """
    run = run_task if run is None else run  # looked up now, so tests may patch run_task
    lost = failed if lost is None else lost
    if dask is not None:
        if not dask_wait > 0:
            raise ValueError(f"dask_wait must be a positive number of seconds, got {dask_wait}")
        return _dask_outcomes(tasks, dask, dask_wait, say, run, lost, in_flight)
    count = default_workers() if workers is None else workers
    if count < 1:
        raise ValueError(f"workers must be at least 1, got {count}")
    if count == 1:
        return map(run, tasks)
    return _process_outcomes(tasks, count, run, lost, in_flight)
