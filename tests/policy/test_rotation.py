"""Unit tests of the rotation rules."""

from __future__ import annotations

import numpy as np

from edusim.policy.rotation import (
    choose,
    choose_by_unit,
    eligible,
    host_allocation,
    principal_ranking,
    sent_back,
    volunteer_utility,
)
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


def test_an_honour_is_worth_its_value_to_a_teacher_before_the_plateau_and_less_after():
    ages, retire = np.array([30.0, 55.0]), np.array([60.0, 60.0])
    args = (ages, retire, np.array([5.0, 5.0]), np.zeros(2))
    bare = volunteer_utility(*args, RotationParams())
    honoured = volunteer_utility(*args, RotationParams(honour_value_cny=4000))
    plateau = RotationParams().plateau_response
    assert honoured[0] - bare[0] == 4000
    assert honoured[1] - bare[1] == 4000 * plateau


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
        key = principal_ranking(effectiveness, tier, age, 1.0 if bundled else 0.0, selection)
        return np.argsort(-key, kind="stable").tolist()

    assert order("backbone", True) == [1, 2, 0]
    assert order("backbone", False) == [1, 0, 2]  # backbone first even when kept back
    assert order("young", True) == [0, 1, 2]
    assert order("young", False) == [0, 2, 1]
    assert order("any", True) == [1, 2, 0]
    assert order("any", False) == [0, 2, 1]


def _host_allocation_by_loop(count, member_staff, member_strength):
    """The round-robin dealing written as the loop it replaces (reference)."""
    weights = np.maximum(member_staff, 1).astype(float)
    exact = count * weights / weights.sum()
    quota = np.floor(exact).astype(np.int64)
    quota[np.argsort(-(exact - quota), kind="stable")[: count - quota.sum()]] += 1
    hosts = []
    while len(hosts) < count:
        for position in np.argsort(member_strength, kind="stable"):
            if quota[position] > 0:
                hosts.append(position)
                quota[position] -= 1
    return np.array(hosts, dtype=np.int64)


def test_vectorised_host_allocation_deals_like_the_round_robin_loop():
    rng = np.random.default_rng(3)
    for _ in range(200):
        members = int(rng.integers(1, 9))
        count = int(rng.integers(0, 40))
        staff = rng.integers(0, 60, members)
        strength = rng.normal(size=members).round(1)  # ties included
        got = host_allocation(count, staff, strength)
        assert got.tolist() == _host_allocation_by_loop(count, staff, strength).tolist()


def test_choose_by_unit_is_choose_for_every_unit_at_once():
    rng = np.random.default_rng(5)
    for _ in range(100):
        n = int(rng.integers(1, 60))
        unit = rng.integers(0, 5, n)
        key = rng.normal(size=n)
        backbone = rng.random(n) < 0.3
        quota = rng.integers(0, 6, 5)
        share = float(rng.choice([0.0, 0.2, 0.5, 1.0]))
        mask = choose_by_unit(unit, key, backbone, quota, share)
        for u in range(5):
            rows = np.flatnonzero(unit == u)
            expected = choose(rows, key[rows], backbone[rows], int(quota[u]), share)
            assert sorted(np.flatnonzero(mask & (unit == u))) == sorted(expected)


def test_principal_ranking_is_continuous_in_the_member_weight():
    """Strongest first when members weigh enough (w n/m > 1 - w), weakest first below,
    indifferent at w = m / (n + m); bundled (w = 1) and own-school (w = 0) as before."""
    effectiveness = np.array([0.1, 0.3, -0.2])
    tier, age = np.zeros(3, np.int8), np.full(3, 40.0)

    def first(weight, ratio=1.0):
        return int(np.argmax(principal_ranking(effectiveness, tier, age, weight, "any", ratio)))

    assert first(1.0) == first(0.6) == 1
    assert first(0.0) == first(0.4) == 2
    assert first(0.4, ratio=2.0) == 1  # a large core gives up less by sending its best
    flat = principal_ranking(effectiveness, tier, age, 0.5, "any", 1.0)
    assert np.allclose(flat, 0.0)


def test_each_member_sends_back_its_youngest_one_for_each_posting_it_receives():
    # teachers 0-2 at member 5 (ages 40, 30, 50), 3 at member 6 (age 25), none at 7
    age = np.array([40.0, 30.0, 50.0, 25.0])
    tier = np.array([0, 0, 2, 1])
    home = np.array([5, 5, 5, 6])
    hosts = np.array([5, 6, 5, 7, 6])
    returned = sent_back(hosts, lambda school: np.flatnonzero(home == school), age, tier)
    # member 5's two postings take its two youngest (1, then 0); member 6 has one teacher
    # for two postings; member 7 nobody
    np.testing.assert_array_equal(returned, [1, 3, 0, -1, -1])
