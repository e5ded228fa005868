"""The metrics registry: one place defines every outcome the model reports.

Each metric has a name, unit, direction (which way is better), description, formula and
a function of the model state. The model computes all of them after every school year
(and for the initial state); Mesa `DataCollector` reporters are generated from here.
Metrics register themselves, by concept, in the sibling modules (a `register` call after
each plain function); the package imports
them in a fixed order, which is the row order of every result table."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edusim.model import EduModel


@dataclass(frozen=True)
class Metric:
    """One registered outcome."""

    name: str
    unit: str
    direction: str  # "lower is better", "higher is better" or "information"
    description: str
    formula: str
    compute: Callable[[EduModel], float]


SCALE_MEAN, SCALE_SD = 500.0, 100.0
"""Achievement is reported on a scale score (500 + 100 x SD units) where a ratio is needed."""


METRICS: dict[str, Metric] = {}


def register(
    compute: Callable[[EduModel], float],
    name: str,
    unit: str,
    direction: str,
    description: str,
    formula: str,
) -> Callable[[EduModel], float]:
    """Register `compute` as metric `name`. The concept modules call this after each plain
    function definition rather than decorating it, so that mutation testing (mutmut skips
    decorated functions) reaches the metric bodies; the call order is the row order."""
    if name in METRICS:
        raise ValueError(f"metric '{name}' registered twice")
    METRICS[name] = Metric(name, unit, direction, description, formula, compute)
    return compute


def metric(name: str, unit: str, direction: str, description: str, formula: str):
    """Register the decorated function as metric `name` (the same as `register`, as a
    decorator; the metric modules use `register` so that their bodies can be mutated)."""

    def decorate(compute: Callable[[EduModel], float]) -> Callable[[EduModel], float]:
        return register(compute, name, unit, direction, description, formula)

    return decorate


def metrics_markdown() -> str:
    """The text of docs/metrics.md, generated from the registry."""
    lines = [
        "# Metrics",
        "",
        "Generated from the registry in `src/edusim/metrics/` (`python -m edusim.metrics`);",
        "do not edit by hand. Each is computed after every school year and for the city as",
        "built, and written to `metrics.parquet` (tidy: scenario, replicate, seed, year,",
        "metric, value).",
        "",
        "| metric | unit | direction | description | formula |",
        "|---|---|---|---|---|",
    ]
    for entry in METRICS.values():
        cells = [f"`{entry.name}`", entry.unit, entry.direction, entry.description, entry.formula]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def metric_info_json() -> str:
    """The text of `src/edusim/metric_info.json`: every metric's unit, direction,
    description and formula in registry order, the static copy that figures, reports and
    the headline table read without importing the simulator (`edusim.metric_info`; a test
    checks it is current). Regenerate with `python -m edusim.metrics --info`."""
    info = {
        entry.name: {
            "unit": entry.unit,
            "direction": entry.direction,
            "description": entry.description,
            "formula": entry.formula,
        }
        for entry in METRICS.values()
    }
    return json.dumps(info, ensure_ascii=False, indent=1) + "\n"


def compute_all(model: EduModel) -> dict[str, float]:
    """Every registered metric for the model's current state. The metrics read one state,
    so what several of them need is computed once (`model.metric_memo`, dropped after)."""
    model.metric_memo = {}
    try:
        return {name: float(entry.compute(model)) for name, entry in METRICS.items()}
    finally:
        model.metric_memo = None
