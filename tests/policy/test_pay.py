"""Performance pay (绩效工资): reward pay by school score, unified in groups, what a
posting changes, and the quit response (policy/pay.py, policy/staffing.leaving)."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.policy.pay import posting_pay_change, quit_rate_factor, school_reward_pay
from edusim.policy.rotation import volunteer_utility
from edusim.policy.staffing import leaving
from edusim.scenario.rotation import RotationParams
from edusim.scenario.teachers import TeacherParams


def test_reward_pay_follows_the_score_or_the_groups_mean_score():
    score = np.array([1.0, -1.0, 0.5, -0.5])
    assert school_reward_pay(score, 2000.0).tolist() == [2000.0, -2000.0, 1000.0, -1000.0]
    group = np.array([0, 0, -1, 1])  # schools 0 and 1 share a group; school 3 is alone in 1
    unified = school_reward_pay(score, 2000.0, group)
    assert unified.tolist() == [0.0, 0.0, 1000.0, -1000.0]


def test_a_posting_changes_pay_unless_pay_parity_keeps_the_home_pay():
    home = np.array([3000.0, -1000.0])
    assert posting_pay_change(home, 0.0, False).tolist() == [-3000.0, 1000.0]
    assert posting_pay_change(home, 0.0, True).tolist() == [0.0, 0.0]


def test_the_pay_change_enters_the_value_of_a_posting_one_for_one():
    params = RotationParams()
    args = (np.array([30.0]), np.array([60.0]), np.array([5.0]), np.array([0.0]), params)
    plain = volunteer_utility(*args)
    assert volunteer_utility(*args, pay_change_cny=np.array([-4000.0])) == pytest.approx(
        plain - 4000.0
    )


def test_teachers_paid_above_the_mean_quit_less():
    params = TeacherParams()
    n = 20_000
    draws = np.random.default_rng(1).random(n)
    factor = quit_rate_factor(np.where(np.arange(n) < n // 2, 10_000.0, -10_000.0), 0.1)
    assert factor[0] == pytest.approx(np.exp(-0.1)) and factor[-1] == pytest.approx(np.exp(0.1))
    age, female, kind = np.full(n, 30.0), np.zeros(n, bool), np.full(n, 2)
    _, quits = leaving(age, female, kind, draws, params, factor)
    high, low = quits[: n // 2].mean(), quits[n // 2 :].mean()
    assert high < low
    assert low / high == pytest.approx(np.exp(0.2), rel=0.15)
