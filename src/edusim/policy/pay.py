"""Performance pay (绩效工资): the part of a teacher's pay tied to the evaluation of the
school where the teacher teaches, and what it does to teachers' choices.

A school's reward pay per teacher is `performance_pay_cny_per_sd` times its last
evaluation score (policy/evaluation.py: a sum of z-scores within stage, so the city's mean
is about 0 and pay is redistributed, not added). Under unified performance pay in groups
(Sanming's 六统一), every school of a group pays by the mean score of the group's schools.
Pay acts on two choices, both assumptions in their form:

- rotation: a posting changes a teacher's reward pay by host pay minus home pay, unless
  pay parity keeps the sending school's pay (policy/rotation.volunteer_utility);
- staying: the yearly quit rate is multiplied by exp(-quit_pay_response * pay / 10,000),
  so teachers at schools that score low quit more and those at schools that score high
  quit less.
"""

from __future__ import annotations

import numpy as np


def school_reward_pay(
    score: np.ndarray,
    cny_per_sd: float,
    group_of_school: np.ndarray | None = None,
) -> np.ndarray:
    """Reward pay per teacher at each school (CNY/year); with `group_of_school` (-1 for
    schools in no group) the schools of a group pay by the group's mean score."""
    basis = score.astype(float)
    if group_of_school is not None and (group_of_school >= 0).any():
        in_group = group_of_school >= 0
        groups = group_of_school[in_group]
        sums = np.bincount(groups, weights=score[in_group])
        counts = np.bincount(groups)
        basis = basis.copy()
        basis[in_group] = sums[groups] / counts[groups]
    return cny_per_sd * basis


def posting_pay_change(
    home_pay: np.ndarray, host_pay: np.ndarray | float, pay_parity: bool
) -> np.ndarray:
    """Change of a posted teacher's reward pay (0 under pay parity)."""
    if pay_parity:
        return np.zeros(np.shape(home_pay))
    return np.asarray(host_pay, float) - home_pay


def quit_rate_factor(pay_cny: np.ndarray, response_per_10k: float) -> np.ndarray:
    """Multiplier of the quit rate for a teacher paid `pay_cny` above the mean."""
    return np.exp(-response_per_10k * pay_cny / 10_000.0)
