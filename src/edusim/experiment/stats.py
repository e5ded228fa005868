"""Differences between arms: paired over common-random-number replicates, and unpaired.

With common random numbers, replicate k of a variant and of the baseline share their
seed, so most of the run-to-run noise cancels in their difference. The paired interval
uses the differences within replicates; the Welch interval treats the two arms as
independent samples. Their ratio of widths says how much pairing bought.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean difference and its confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def width(self) -> float:
        """high - low."""
        return self.high - self.low


def paired_difference(treated: np.ndarray, baseline: np.ndarray, level: float = LEVEL) -> Interval:
    """Mean of treated - baseline over pairs where both are finite, with a t interval."""
    difference = np.asarray(treated, float) - np.asarray(baseline, float)
    difference = difference[np.isfinite(difference)]
    n = difference.size
    if n < 2:
        return Interval(float("nan"), float("nan"), float("nan"), n)
    mean = float(difference.mean())
    half = stats.t.ppf(0.5 + level / 2, n - 1) * difference.std(ddof=1) / np.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def welch_difference(treated: np.ndarray, baseline: np.ndarray, level: float = LEVEL) -> Interval:
    """Mean of treated minus mean of baseline as independent samples (Welch's t interval)."""
    a = np.asarray(treated, float)
    b = np.asarray(baseline, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        return Interval(float("nan"), float("nan"), float("nan"), min(a.size, b.size))
    mean = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return Interval(mean, mean, mean, min(a.size, b.size))
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return Interval(mean, mean - half, mean + half, min(a.size, b.size))


def narrowing(paired: Interval, unpaired: Interval) -> float:
    """How many times narrower the paired interval is than the unpaired one."""
    if not (np.isfinite(paired.width) and np.isfinite(unpaired.width)):
        return float("nan")
    if paired.width == 0:
        return float("inf") if unpaired.width > 0 else float("nan")
    return float(unpaired.width / paired.width)
