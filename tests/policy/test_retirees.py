"""Retired famous teachers re-employed at rural schools: who returns, and where."""

from __future__ import annotations

import numpy as np

from edusim.policy.retirees import returning_retirees, rural_hosts


def test_only_top_tier_retirees_whose_draw_is_below_the_share_return():
    retiring = np.array([True, True, True, False, True])
    tier = np.array([3, 3, 2, 3, 3])
    draw = np.array([0.1, 0.6, 0.0, 0.0, 0.49])
    assert returning_retirees(retiring, tier, draw, 0.5).tolist() == [
        True,
        False,  # draw above the share
        False,  # municipal backbone, not famous or special-grade
        False,  # not retiring this year
        True,
    ]
    assert not returning_retirees(retiring, tier, draw, 0.0).any()


def test_the_strongest_retiree_goes_to_the_weakest_host_of_the_stage_and_around_again():
    # schools: 0-2 primary (host 0 and 2), 3-4 junior (host 4 only), 5 primary not a host
    host = np.array([True, False, True, False, True, False])
    school_stage = np.array([0, 0, 0, 1, 1, 0])
    strength = np.array([0.3, -1.0, 0.1, 0.0, 0.2, -2.0])
    stage = np.array([0, 0, 1, 0, 1])
    effectiveness = np.array([0.1, 0.4, 0.2, 0.3, 0.5])
    hosts = rural_hosts(stage, effectiveness, host, school_stage, strength)
    # primary retirees strongest first (1, 3, 0) to hosts weakest first (2, 0, then 2)
    assert hosts.tolist() == [2, 2, 4, 0, 4]


def test_a_stage_without_hosts_returns_nobody():
    hosts = rural_hosts(
        np.array([1, 1]),
        np.array([0.2, 0.1]),
        np.array([True, False]),
        np.array([0, 1]),
        np.zeros(2),
    )
    assert hosts.tolist() == [-1, -1]
