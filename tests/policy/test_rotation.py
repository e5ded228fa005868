"""Unit tests of the rotation rules."""

from __future__ import annotations

import numpy as np

from edusim.policy.rotation import choose, eligible, principal_ranking, volunteer_utility
from edusim.scenario.rotation import RotationParams


def test_eligibility_needs_six_years_at_home():
    years = np.array([5.0, 6.0, 9.0])
    at_home = np.array([True, True, False])
    assert eligible(years, at_home, RotationParams()).tolist() == [False, True, False]


def test_travel_and_plateau_lower_the_value_of_a_posting():
    params = RotationParams(stipend_cny=30000, promotion_priority=True)
    age = np.array([30.0, 30.0, 50.0])
    retire = np.full(3, 60.0)
    utility = volunteer_utility(age, retire, np.array([5.0, 40.0, 5.0]), np.zeros(3), params)
    assert utility[0] > utility[1]  # farther host
    assert utility[0] > utility[2]  # plateaued teacher responds less to the same incentives
    # exact value for the first teacher: 30000 + 30000 * (30/35) - 10000 - 600*5 - 15000
    assert utility[0] == 30000 + 30000 * 30 / 35 - 10000 - 3000 - 15000


def test_incentives_raise_the_value_of_a_posting():
    bare = volunteer_utility(
        np.array([30.0]), np.array([60.0]), np.array([5.0]), np.zeros(1), RotationParams()
    )
    paid = volunteer_utility(
        np.array([30.0]),
        np.array([60.0]),
        np.array([5.0]),
        np.zeros(1),
        RotationParams(pay_parity=True, workload_credit=True, stipend_cny=20000),
    )
    assert paid[0] - bare[0] == 10000 + 10000 + 20000


def test_bundled_principal_sends_the_strongest_and_the_unbundled_keeps_them():
    effectiveness = np.array([0.1, 0.3, -0.2])
    tier, age = np.zeros(3, np.int8), np.full(3, 40.0)
    bundled = principal_ranking(effectiveness, tier, age, True, "any")
    unbundled = principal_ranking(effectiveness, tier, age, False, "any")
    assert np.argmax(bundled) == 1
    assert np.argmax(unbundled) == 2


def test_choose_respects_count_order_and_backbone_floor():
    candidates = np.array([10, 11, 12, 13, 14])
    key = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    backbone = np.array([False, False, False, False, True])
    chosen = choose(candidates, key, backbone, 3, backbone_min=0.2)
    assert chosen.tolist() == [14, 10, 11]  # one backbone forced in, then by key
    assert choose(candidates, key, backbone, 10, 0.0).size == 5
    assert choose(candidates, key, backbone, 0, 0.5).size == 0


def test_the_selection_rule_decides_who_is_sent_first():
    """`backbone` puts every backbone teacher (tier >= 1) ahead of every ordinary one and
    `young` every teacher under 35 ahead of the older, whatever their effectiveness;
    `any` ranks by effectiveness alone. Teachers: a weak young ordinary one, a strong old
    backbone one, a middling old ordinary one."""
    effectiveness = np.array([-0.3, 0.2, 0.0])
    tier = np.array([0, 2, 0], dtype=np.int8)
    age = np.array([28.0, 50.0, 45.0])

    def order(selection: str, bundled: bool) -> list[int]:
        key = principal_ranking(effectiveness, tier, age, bundled, selection)
        return np.argsort(-key, kind="stable").tolist()

    assert order("backbone", True) == [1, 2, 0]
    assert order("backbone", False) == [1, 0, 2]  # backbone first even when kept back
    assert order("young", True) == [0, 1, 2]
    assert order("young", False) == [0, 2, 1]
    assert order("any", True) == [1, 2, 0]
    assert order("any", False) == [0, 2, 1]
