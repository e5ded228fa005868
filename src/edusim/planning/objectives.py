"""The objectives of a plan: registered metrics read from a run's metrics table, the
weighted objective against the scenario's own layout, and Pareto ranks.

The weighted objective of a layout is sum_i w_i s_i (x_i - own_i) / |own_i|: each
metric's change from the scenario's own layout on the same seeds, relative to the own
layout's value (1 when that is 0), signed s_i = +1 to minimise and -1 to maximise.
Lower is better; the own layout scores 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from edusim.planning.spec import Plan

TEACHERS_METRIC = "rotations_group"
"""Teachers posted inside groups per year: what the teacher budget limits."""


def metric_directions() -> dict[str, str]:
    """Registered metrics -> 'minimize', 'maximize' or 'information'."""
    from edusim.metrics import METRICS

    words = {"lower is better": "minimize", "higher is better": "maximize"}
    return {name: words.get(m.direction, "information") for name, m in METRICS.items()}


@dataclass(frozen=True)
class Objectives:
    """The plan's objectives with their resolved directions."""

    metrics: tuple[str, ...]
    signs: np.ndarray  # +1 minimise, -1 maximise
    weights: np.ndarray
    years: tuple[int, ...]

    @classmethod
    def of(cls, plan: Plan, directions: dict[str, str]) -> Objectives:
        items = plan.spec.objectives
        signs = [
            1.0 if (o.direction or directions[o.metric]) == "minimize" else -1.0 for o in items
        ]
        return cls(
            tuple(o.metric for o in items),
            np.array(signs),
            np.array([o.weight for o in items]),
            tuple(o.years for o in items),
        )

    def values(self, metrics: pd.DataFrame, final_year: int) -> np.ndarray:
        """Each objective's value in one run's metrics table (mean of its last years)."""
        out = []
        for name, years in zip(self.metrics, self.years, strict=True):
            rows = metrics[(metrics["metric"] == name) & (metrics["year"] > final_year - years)]
            out.append(float(np.nanmean(rows["value"])) if len(rows) else math.nan)
        return np.array(out)

    def score(self, values: np.ndarray, own: np.ndarray) -> float:
        """The weighted objective (lower is better; the own layout scores 0)."""
        scale = np.where(np.abs(own) > 0, np.abs(own), 1.0)
        return float(np.sum(self.weights * self.signs * (values - own) / scale))


def pareto_ranks(points: np.ndarray) -> np.ndarray:
    """Non-dominated sorting (all objectives minimised): 0 for the front, 1 next, ..."""
    n = len(points)
    ranks = np.full(n, -1)
    remaining = np.arange(n)
    level = 0
    while remaining.size:
        sub = points[remaining]
        dominated = np.array(
            [bool(np.any(np.all(sub <= p, axis=1) & np.any(sub < p, axis=1))) for p in sub]
        )
        ranks[remaining[~dominated]] = level
        remaining = remaining[dominated]
        level += 1
    return ranks
