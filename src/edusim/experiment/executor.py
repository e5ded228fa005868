"""Executors: where the tasks run. Each yields outcomes as tasks finish, in any order.

* one worker: in this process, one task after another (no start-up cost);
* several workers: a pool of processes started with an explicit "spawn" context, so
  workers never inherit the parent's state and behave the same on every platform;
* Dask: the same tasks sent to a `dask.distributed` scheduler, e.g. one whose workers
  dask-jobqueue started on a SLURM or PBS cluster (see experiments/README.md).

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
from typing import Any

from edusim.experiment.task import Outcome, Task, failed, run_task

IN_FLIGHT_PER_WORKER = 4
"""Tasks queued per worker: enough to keep workers busy, few enough to keep memory flat."""

DASK_MIN_IN_FLIGHT = 512
"""Tasks queued on a Dask cluster at least, so workers that join later (dask-jobqueue's
adaptive scaling) find work; a queued task is a few kilobytes."""


def default_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _windowed(
    tasks: Iterable[Task],
    submit: Callable[[Task], Any],
    wait_first: Callable[[set[Any]], set[Any]],
    limit: int,
) -> Iterator[Outcome]:
    """Keep at most `limit` futures pending; yield each outcome as its future completes."""
    remaining = iter(tasks)
    pending: dict[Any, Task] = {}
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
                yield failed(task, error)


def _process_outcomes(tasks: Iterable[Task], workers: int) -> Iterator[Outcome]:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        yield from _windowed(
            tasks,
            lambda task: pool.submit(run_task, task),
            lambda futures: wait(futures, return_when=FIRST_COMPLETED).done,
            workers * IN_FLIGHT_PER_WORKER,
        )
    except BrokenProcessPool as error:
        raise RuntimeError(
            "worker processes died or could not start (a script that runs experiments "
            "with several workers needs `if __name__ == '__main__':`)"
        ) from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _dask_outcomes(tasks: Iterable[Task], address: str) -> Iterator[Outcome]:
    from distributed import Client
    from distributed import wait as dask_wait

    client = Client(address)
    try:
        threads = sum(client.nthreads().values())
        yield from _windowed(
            tasks,
            lambda task: client.submit(run_task, task, pure=False),
            lambda futures: dask_wait(futures, return_when="FIRST_COMPLETED").done,
            max(DASK_MIN_IN_FLIGHT, threads * IN_FLIGHT_PER_WORKER),
        )
    finally:
        client.close()


def outcomes(
    tasks: Iterable[Task], *, workers: int | None = None, dask: str | None = None
) -> Iterator[Outcome]:
    """Run `tasks` on the chosen executor and yield their outcomes as they finish."""
    if dask is not None:
        return _dask_outcomes(tasks, dask)
    count = default_workers() if workers is None else workers
    if count < 1:
        raise ValueError(f"workers must be at least 1, got {count}")
    if count == 1:
        return map(run_task, tasks)
    return _process_outcomes(tasks, count)
