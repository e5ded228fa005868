"""Experiments: paired replications of variants or designs, run locally or on Dask.

Modules, one job each: `spec` (the experiment file), `design` (points of grid, LHS,
Morris and Sobol designs), `plan` (arms, seeds, task keys), `task` (one replication),
`executor` (processes or Dask), `workers` (their lifetime and the `__main__` guard),
`store` (parts, manifest, final tables), `stats` (paired and Welch intervals),
`sensitivity` (SALib indices), `summary` (tables and markdown), `runner`
(`run_experiment`), `api` (`compare`, `evaluate`).

The names below are imported on first use (PEP 562), so that reading one light module
(`experiment.stats` for a figure's intervals, `experiment.fit` for a calibration report)
does not import the runner and with it the whole simulator.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_API = {
    "compare": "edusim.experiment.api",
    "evaluate": "edusim.experiment.api",
    "DaskUnavailableError": "edusim.experiment.executor",
    "ExecutorError": "edusim.experiment.executor",
    "MainGuardError": "edusim.experiment.executor",
    "ExperimentFailedError": "edusim.experiment.runner",
    "ExperimentResult": "edusim.experiment.runner",
    "ReplicationsFailedWarning": "edusim.experiment.runner",
    "run_experiment": "edusim.experiment.runner",
    "ExperimentError": "edusim.experiment.spec",
    "load_experiment": "edusim.experiment.spec",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'edusim.experiment' has no attribute {name!r}")
