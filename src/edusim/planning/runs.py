"""The runs of a plan search in its store: the tasks of a scenario on the search's seeds,
and a finished run's metrics table (None while it is not finished)."""

from __future__ import annotations

import pandas as pd

from edusim.experiment.plan import task_keys
from edusim.experiment.store import Store
from edusim.experiment.task import Task
from edusim.scenario.schema import Scenario


def tasks_of(scenario: Scenario, seeds: list[int]) -> list[Task]:
    """One task per seed (keyed by the model, the resolved scenario and the seed)."""
    keys = task_keys(scenario, seeds)
    return [Task(key, scenario, seed) for key, seed in zip(keys, seeds, strict=True)]


def metrics_of(store: Store, task: Task) -> pd.DataFrame | None:
    """A finished task's metrics table (None if it has not finished)."""
    if task.key not in store.finished():
        return None
    return pd.read_parquet(store.part(task.key))
