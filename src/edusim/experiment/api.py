"""Notebook and toolkit entry points: compare variants, or evaluate one parameter set.

`compare` builds a comparison in memory and returns its summary DataFrame.

`evaluate` is the plain function EMA Workbench and SALib expect: keyword parameters in
(dotted scenario paths with `__` for each dot), a dict of outcomes out (each metric's
final-year value, or with `series=True` its yearly values). With EMA Workbench:

    from ema_workbench import Constant, Model, RealParameter, ScalarOutcome, perform_experiments
    import edusim

    model = Model("edusim", function=edusim.evaluate)
    model.uncertainties = [RealParameter("learning__peer_effect", 0.0, 0.1)]
    model.constants = [Constant("scenario_file", "demo"), Constant("years", 2)]
    model.outcomes = [ScalarOutcome("quality_sd"), ScalarOutcome("ses_gap")]
    experiments, outcomes = perform_experiments(model, scenarios=8)

With SALib, call it once per sampled row:
`edusim.evaluate("demo", years=2, learning__peer_effect=x[0])["ses_gap"]`.
See experiments/ema_workbench_example.py and experiments/salib_example.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from edusim.experiment.runner import ExperimentFailedError, execute_experiment, warn_failures
from edusim.scenario.library import locate


def compare(
    scenario: str | Path,
    variants: Mapping[str, Mapping[str, Any] | str | Path],
    *,
    baseline: str | None = None,
    replications: int = 5,
    years: int | None = None,
    seed: int = 1,
    metrics: Sequence[str] | None = None,
    workers: int | None = None,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Paired comparison of variants of `scenario`; returns the final-year summary table.

    Each variant is a mapping of dotted overrides (`{"housing.adjust_speed": 0.3}`; `{}`
    is the scenario as it is) or another scenario file. `baseline` defaults to the first
    variant. `workers` as for `run_experiment` (default: every core). Results are
    written to `out` if given, else to a temporary folder removed afterwards.

    Replications that failed are counted in the table's `failed` column and announced by
    a `ReplicationsFailedWarning`; if every one failed, `ExperimentFailedError` is raised
    (its message says why; a script needs `if __name__ == "__main__":` around the call
    when it uses several workers).
    """
    spec: dict[str, Any] = {
        "name": "compare",
        "scenario": str(locate(scenario).resolve()),
        "replications": replications,
        "seed": seed,
        "variants": {
            name: {"set": dict(value)}
            if isinstance(value, Mapping)
            else {"scenario": str(locate(value).resolve())}
            for name, value in variants.items()
        },
        "design": {"kind": "compare", "baseline": baseline},
    }
    if years is not None:
        spec["years"] = years
    if metrics is not None:
        spec["metrics"] = list(metrics)
    if out is not None:
        result = execute_experiment(spec, workers=workers, out=out)
    else:
        with tempfile.TemporaryDirectory(prefix="edusim-compare-") as folder:
            try:
                result = execute_experiment(spec, workers=workers, out=folder)
            except ExperimentFailedError as error:  # its folder is about to go
                raise ExperimentFailedError(error.what, None, error.failures) from None
    warn_failures(result, kept=out is not None)
    return result.summary


def evaluate(
    scenario_file: str | Path | None = None,
    *,
    seed: int | None = None,
    years: int | None = None,
    metrics: Sequence[str] | None = None,
    series: bool = False,
    **parameters: Any,
) -> dict[str, Any]:
    """Run one scenario with `parameters` (`learning__peer_effect=0.05`) and return its
    metrics: {metric: final-year value}, or with `series=True` {metric: numpy array of
    the value in every recorded year, first to last} plus "year" (the years), the shape
    EMA Workbench's `TimeSeriesOutcome` takes.

    `scenario_file` is a shipped scenario's name or a file (default "demo"); it is not
    called `scenario`, the name of EMA Workbench's own column of scenario ids (the old
    keyword `scenario=` still works, with a DeprecationWarning). `seed=None` uses the
    scenario's seed; pass seeds as EMA replications for several runs per point.
    `metrics` picks outcomes (default: every metric).
    """
    import warnings

    import numpy as np

    from edusim.results import run_scenario

    if "scenario" in parameters:
        if scenario_file is not None:
            raise TypeError("evaluate() got both scenario_file and scenario; pass one")
        warnings.warn(
            "evaluate(scenario=...) is renamed evaluate(scenario_file=...) (EMA Workbench "
            "uses 'scenario' for its own column)",
            DeprecationWarning,
            stacklevel=2,
        )
        scenario_file = parameters.pop("scenario")
    if scenario_file is None:
        scenario_file = "demo"
    overrides = {name.replace("__", "."): value for name, value in parameters.items()}
    table = run_scenario(scenario_file, seed, years=years, overrides=overrides).tables["metrics"]
    wide = table.pivot(index="year", columns="metric", values="value").sort_index()
    names = list(wide.columns) if metrics is None else list(metrics)
    if series:
        outcomes: dict[str, Any] = {name: wide[name].to_numpy(dtype=float) for name in names}
        outcomes["year"] = np.asarray(wide.index, dtype=float)
        return outcomes
    final = wide.iloc[-1]
    return {name: float(final[name]) for name in names}
