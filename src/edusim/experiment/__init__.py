"""Experiments: paired replications of variants or designs, run locally or on Dask.

Modules, one job each: `spec` (the experiment file), `design` (points of grid, LHS,
Morris and Sobol designs), `plan` (arms, seeds, task keys), `task` (one replication),
`executor` (processes or Dask), `workers` (their lifetime and the `__main__` guard),
`store` (parts, manifest, final tables), `stats` (paired and Welch intervals),
`sensitivity` (SALib indices), `summary` (tables and markdown), `runner`
(`run_experiment`), `api` (`compare`, `evaluate`).
"""

from edusim.experiment.api import compare, evaluate
from edusim.experiment.executor import DaskUnavailableError, ExecutorError, MainGuardError
from edusim.experiment.runner import (
    ExperimentFailedError,
    ExperimentResult,
    ReplicationsFailedWarning,
    run_experiment,
)
from edusim.experiment.spec import ExperimentError, load_experiment

__all__ = [
    "DaskUnavailableError",
    "ExecutorError",
    "ExperimentError",
    "ExperimentFailedError",
    "ExperimentResult",
    "MainGuardError",
    "ReplicationsFailedWarning",
    "compare",
    "evaluate",
    "load_experiment",
    "run_experiment",
]
