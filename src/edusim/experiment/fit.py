"""How well a parameter set meets a city's observations: pure functions of metrics tables.

A trial's model value for a target is the metric in the target's year (or its mean over
the target's years) in each of the R paired replications. Its distance to the
observation is counted in units of the uncertainty of the comparison,

    z = (model mean - observed) / sqrt(sd_observed^2 + sd_replications^2 / R),

so a target known to within 1% weighs more than one known to within 30%, and the Monte
Carlo error of the model mean (R replications) is not mistaken for misfit. The loss is
the weighted sum of squared distances, sum(weight x z^2). With unit weights and
independent Gaussian errors it is -2 log-likelihood up to a constant, so the
parameter values whose loss is within `PROFILE_DELTA` (3.84, the 95% point of a
chi-square with one degree of freedom) of the best form an approximate 95% profile
interval for each parameter (the profile here is read from the trials the search ran,
not from a fresh optimisation at each value: it is as good as the search's coverage).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from edusim.scenario.targets import Z95, Target

PROFILE_DELTA = 3.841458820694124
"""Loss above the best within which a trial counts as good: chi-square(1) 95% point."""

IDENTIFIED_SHARE = 0.25
"""A parameter whose good trials span at most this share of its searched range is called
well identified (an assumption for the wording only; the table gives the share)."""

PARTLY_SHARE = 0.6
"""Up to this share it is called partly identified; above it, not identified."""

EDGE_SHARE = 0.05
"""A best value within this share of the range from either end is at the edge: the fit
might improve beyond it, so the range should be widened (where the parameter allows)."""

MIN_GOOD_TRIALS = 5
"""Fewer good trials than this are too few to call a range narrow (assumption)."""


def target_value(metrics: pd.DataFrame, target: Target) -> float:
    """The metric `target` names in one replication: its value in the target's year, or
    its mean over the target's years (NaN if the run has none of them)."""
    rows = metrics[
        (metrics["metric"] == target.metric)
        & (metrics["year"] >= target.first_year)
        & (metrics["year"] <= target.last_year)
    ]
    values = rows["value"].to_numpy(dtype=float)
    return float(values.mean()) if values.size else float("nan")


def replicate_values(
    replications: Sequence[pd.DataFrame], targets: Sequence[Target]
) -> dict[str, np.ndarray]:
    """Each target's value in each replication: {label: array of R values}."""
    return {
        target.label: np.array([target_value(frame, target) for frame in replications])
        for target in targets
    }


def target_fit(values: np.ndarray, target: Target) -> dict[str, float]:
    """Model mean, replication SD, 95% band, distance z and contribution of one target.

    The band is mean +- 1.96 replication SDs: where one city like the modelled one would
    fall (the observed city is one such draw). It is empty (mean alone) with R = 1.
    """
    count = values.size
    mean = float(values.mean()) if count else float("nan")
    spread = float(values.std(ddof=1)) if count > 1 else 0.0
    scale = math.sqrt(target.uncertainty**2 + spread**2 / max(count, 1))
    z = (mean - target.observed) / scale
    return {
        "model_mean": mean,
        "model_sd": spread,
        "band_low": mean - Z95 * spread,
        "band_high": mean + Z95 * spread,
        "z": z,
        "contribution": target.weight * z * z,
    }


def loss(values: Mapping[str, np.ndarray], targets: Sequence[Target]) -> float:
    """Weighted sum of squared distances over the targets (NaN if any model value is)."""
    total = 0.0
    for target in targets:
        total += target_fit(values[target.label], target)["contribution"]
    return total if math.isfinite(total) else float("nan")


def fit_table(values: Mapping[str, np.ndarray], targets: Sequence[Target]) -> pd.DataFrame:
    """One row per target: what was observed and what the model gives."""
    rows = []
    for target in targets:
        rows.append(
            {
                "target": target.label,
                "metric": target.metric,
                "first_year": target.first_year,
                "last_year": target.last_year,
                "observed": target.observed,
                "sd": target.uncertainty,
                "obs_low": target.observed - Z95 * target.uncertainty,
                "obs_high": target.observed + Z95 * target.uncertainty,
                "weight": target.weight,
                **target_fit(values[target.label], target),
                "source": target.source,
            }
        )
    return pd.DataFrame(rows)


def good_trials(trials: pd.DataFrame, delta: float = PROFILE_DELTA) -> pd.DataFrame:
    """Finished trials whose loss is within `delta` of the best."""
    done = trials[trials["state"] == "COMPLETE"]
    if done.empty:
        return done
    return done[done["loss"] <= done["loss"].min() + delta]


def identification(share: float, good: int = MIN_GOOD_TRIALS) -> str:
    """Words for how narrowly the targets pin a parameter down (`good` trials in range)."""
    if not math.isfinite(share):
        return "no finished trial"
    if good < MIN_GOOD_TRIALS and share <= PARTLY_SHARE:
        return f"only {good} good trials: too few to say, run more"
    if share <= IDENTIFIED_SHARE:
        return "well identified"
    if share <= PARTLY_SHARE:
        return "partly identified"
    return "not identified by these targets"


def _edge_note(best: float, low: float, high: float) -> str:
    margin = EDGE_SHARE * (high - low)
    if math.isfinite(best) and (best <= low + margin or best >= high - margin):
        return "; best at the edge of the range: widen it"
    return ""


def profile_table(
    trials: pd.DataFrame,
    ranges: Mapping[str, tuple[float, float]],
    delta: float = PROFILE_DELTA,
) -> pd.DataFrame:
    """For each parameter: its searched range, the best value, and the range of values
    among good trials (loss within `delta` of the best), as a share of the searched one."""
    good = good_trials(trials, delta)
    done = trials[trials["state"] == "COMPLETE"]
    best = done.loc[done["loss"].idxmin()] if not done.empty else None
    rows = []
    for name, (low, high) in ranges.items():
        values = good[name].to_numpy(dtype=float) if not good.empty else np.array([])
        good_low = float(values.min()) if values.size else float("nan")
        good_high = float(values.max()) if values.size else float("nan")
        share = (good_high - good_low) / (high - low) if values.size else float("nan")
        rows.append(
            {
                "parameter": name,
                "low": low,
                "high": high,
                "best": float(best[name]) if best is not None else float("nan"),
                "good_low": good_low,
                "good_high": good_high,
                "share_of_range": share,
                "good_trials": int(values.size),
                "verdict": identification(share, int(values.size))
                + _edge_note(float(best[name]) if best is not None else math.nan, low, high),
            }
        )
    return pd.DataFrame(rows)
