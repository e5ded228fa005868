"""Process rules on hand-built inputs, for mutants of `processes/` that survived
`tools/mutation.py` (docs/testing.md): the sign of an entrant's own shock, and a rule
change whose announcement date comes from the default lead."""

from __future__ import annotations

import numpy as np

from edusim.processes.expectations import rule_news_years
from edusim.processes.learning import entry_achievement
from edusim.scenario.expectations import ExpectationParams
from edusim.scenario.learning import LearningParams
from edusim.scenario.timeline import TimelineEvent


def test_entry_achievement_adds_the_childs_own_shock():
    # rho 0.6: 0.6 * ses + sqrt(1 - 0.36) * shock = 0.6 * ses + 0.8 * shock
    params = LearningParams(entry_ses_effect=0.6)
    got = entry_achievement(np.array([1.0, 0.0]), np.array([1.0, -1.0]), params)
    assert np.allclose(got, [1.4, -0.8])


def test_an_undated_rule_change_is_read_when_the_default_lead_is_long_enough():
    # takes effect 1 September 2021; families decide a month before (1 August): announced by
    # default 4 months before (1 May) it is read; announced on the day (lead 0) it is not
    event = TimelineEvent(date="2021-09-01", set={"enrollment.rule": "zones"})
    early = ExpectationParams(
        model="rule_aware", decision_lead_months=1, announcement_lead_months=4
    )
    late = ExpectationParams(model="rule_aware", decision_lead_months=1, announcement_lead_months=0)
    assert rule_news_years([event], early) == {2021}
    assert rule_news_years([event], late) == set()


# Written for the survivors of the fresh sample of seed 23 (docs/testing.md).


def test_a_single_flat_on_offer_has_a_supply_step():
    # flat price 1.2 M, elasticity e = 2: the step is 1.2 M / (2 x offered), 0 where
    # nothing is offered: offered 0, 1, 4 -> 0, 600,000, 150,000
    from edusim.processes.housing import supply_unit
    from edusim.scenario.housing import HousingParams

    params = HousingParams(other_buyers_elasticity=2.0)
    got = supply_unit(np.full(3, 1.2e6), np.array([0, 1, 4]), params)
    np.testing.assert_allclose(got, [0.0, 600_000.0, 150_000.0])


def test_a_cell_of_one_dwelling_builds_toward_its_premium():
    # stock at its as-built level (log gap 0), premium 10%, elasticity 1, speed 0.2: the
    # stock moves 0.2 of log(1.1), so x (1.1^0.2 - 1) is built; nothing where nothing was
    # built to begin with (as built 0)
    from edusim.processes.housing_supply import new_dwellings

    stock = np.array([0.0, 1.0, 10.0])
    built = new_dwellings(stock, stock, np.full(3, 0.1), np.ones(3), 0.2)
    np.testing.assert_allclose(built, [0.0, 1.1**0.2 - 1.0, 10.0 * (1.1**0.2 - 1.0)])


def test_tiers_at_the_minimum_experience_and_at_a_cut_off():
    # five teachers with exactly the minimum experience, effectiveness 0-4; upper-tail
    # shares 0.5, 0.25, 0.1 put the cut-offs at the 0.5, 0.75, 0.9 quantiles: 2, 3, 3.6.
    # A value at a cut-off reaches that tier: tiers 0, 0, 1, 2, 3
    from edusim.processes.teacher_growth import promoted_tiers
    from edusim.scenario.teachers import TeacherParams

    params = TeacherParams(
        share_backbone=0.25, share_municipal_backbone=0.15, share_famous_special=0.1
    )
    experience = np.full(5, float(params.tier_min_experience_years))
    got = promoted_tiers(np.arange(5.0), experience, np.zeros(5, np.int8), params)
    assert got.tolist() == [0, 0, 1, 2, 3]


# Written for the survivors of the fresh sample of seed 37 (docs/testing.md).


def test_a_gain_of_exactly_nothing_is_never_worth_a_move():
    # one family (2 yuan per SD of access) at access 0.1 weighs schools 0 and 1: buying at
    # 0 gains nothing (0.1 - 0.1), at 1 gains 0.2; renting at 0 gains nothing, and every
    # let flat at 1 is used (1 - used = 0): every gain of exactly 0 is -inf, in the
    # compiled pass and in its array definition alike
    from edusim.processes.family_choice import address_values, address_values_reference

    access = np.array([[0.1, 0.3]])
    args = (np.array([[0, 1]]), np.array([0]), np.array([0]), np.array([0]), access, access,
            np.array([0.0, 1.0]), np.array([0.1]), np.array([0.1]), np.array([2.0]))  # fmt: skip
    for values in (address_values, address_values_reference):
        _, buy, rent = values(*args)
        np.testing.assert_allclose(buy, [[-np.inf, 0.4]])
        assert rent.tolist() == [[-np.inf, -np.inf]]


def test_building_depends_on_the_stock_against_its_as_built_level_not_on_the_cells_size():
    # cells of a quarter, one and forty dwellings as built, each at that level, premium
    # 10%, elasticity 1, speed 0.2: each builds the same share, 1.1^0.2 - 1, of its stock
    from edusim.processes.housing_supply import new_dwellings

    stock = np.array([0.25, 1.0, 40.0])
    built = new_dwellings(stock, stock, np.full(3, 0.1), np.ones(3), 0.2)
    np.testing.assert_allclose(built / stock, np.full(3, 1.1**0.2 - 1.0))


def test_a_teacher_walking_to_school_0_counts_there_by_its_time():
    # teacher 0 (0.0) teaches at school 0 only; teacher 1 (0.4) of school 1 spends half its
    # time at school 0: school 0 (1 x 0.0 + 0.5 x 0.4) / 1.5, school 1 (0.5 x 0.4) / 0.5
    from edusim.processes.learning import teaching_quality

    got = teaching_quality(
        np.array([0.0, 0.4]), np.array([0, 1]), np.zeros(2), np.array([-1, 0]), np.array([0, 0.5])
    )
    np.testing.assert_allclose(got, [0.2 / 1.5, 0.4])


def test_the_yardstick_leaves_out_groups_beyond_those_asked_for():
    # groups 0 (values 0 and 2: spread 1) and 1 (5 and 9); one group asked for: group 1's
    # schools are left out
    from edusim.processes.reputation import results_yardstick

    got = results_yardstick(np.array([0.0, 2.0, 5.0, 9.0]), np.array([0, 0, 1, 1]), 1)
    assert got.tolist() == [1.0]


def test_a_spread_of_rounding_size_next_to_large_results_is_no_spread():
    # results near 1e6: a spread of 1e-4 is below 1e-9 of their size (1e-3), so the
    # yardstick is 0; a spread of 5e-3 is above it and is kept
    from edusim.processes.reputation import results_yardstick

    rounding = results_yardstick(np.array([1e6, 1e6 + 2e-4]), np.zeros(2, dtype=np.int64), 1)
    assert rounding.tolist() == [0.0]
    real = results_yardstick(np.array([1e6, 1e6 + 1e-2]), np.zeros(2, dtype=np.int64), 1)
    np.testing.assert_allclose(real, [5e-3])
