"""The satisfaction rule of processes/satisfaction.py, entrant by entrant, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.processes.satisfaction import (
    RECORD_KEYS,
    SATISFIED_AT,
    WEIGHTS,
    access_cost_income_years,
    group_means,
    join_stage_records,
    joined_records,
    satisfaction_components,
    satisfaction_index,
)


def test_the_weights_sum_to_one():
    assert WEIGHTS.sum() == pytest.approx(1.0)


def test_components_entrant_by_entrant():
    """Three entrants:
    A: placed at +0.4 SD, expected +0.2, district mean 0.0, first choice, not below its
       catchment school, paid 0.25 income-years: expectation 0.5 + 0.1 = 0.6, quality 0.7,
       fairness 1 (above the mean), access 1, cost 0.75;
    B: placed at -0.6, expected 0.0, district mean 0.0, not its first choice and below its
       catchment school, paid 1.5: expectation 0.2, quality 0.2, fairness 0.4, access 0,
       cost 0 (clipped);
    C: placed at -3 (clipped), expected -3.5, district mean -1.5: expectation 0.75,
       quality 0, fairness 1 - 1.5 clipped to 0, access 0.5 (first choice only), cost 1."""
    components = satisfaction_components(
        placed_reputation=np.array([0.4, -0.6, -3.0]),
        expected_reputation=np.array([0.2, 0.0, -3.5]),
        district_mean_reputation=np.array([0.0, 0.0, -1.5]),
        first_choice_met=np.array([True, False, True]),
        at_least_catchment=np.array([True, False, False]),
        cost_income_years=np.array([0.25, 1.5, 0.0]),
    )
    assert components == pytest.approx(
        np.array(
            [
                [0.6, 0.7, 1.0, 1.0, 0.75],
                [0.2, 0.2, 0.4, 0.0, 0.0],
                [0.75, 0.0, 0.0, 0.5, 1.0],
            ]
        )
    )
    # A: 100 x (0.3 x 0.6 + 0.25 x 0.7 + 0.2 x 1 + 0.15 x 1 + 0.1 x 0.75) = 78
    # B: 100 x (0.06 + 0.05 + 0.08) = 19; C: 100 x (0.225 + 0.075 + 0.1) = 40
    assert satisfaction_index(components) == pytest.approx([78.0, 19.0, 40.0])


def test_a_typical_family_that_got_what_it_expected_is_satisfied():
    """At the stage's typical school (0 SD), as expected, first choice, no cost, no
    shortfall: 100 x (0.15 + 0.125 + 0.2 + 0.15 + 0.1) = 72.5, above the threshold; the
    same family paying a year of income for it (cost 0) is at 62.5, still satisfied; one
    placed 0.5 SD below what it expected and below its district's mean is not."""
    args = dict(
        expected_reputation=np.zeros(3),
        district_mean_reputation=np.zeros(3),
        first_choice_met=np.ones(3, bool),
        at_least_catchment=np.ones(3, bool),
    )
    index = satisfaction_index(
        satisfaction_components(
            placed_reputation=np.array([0.0, 0.0, -0.5]),
            cost_income_years=np.array([0.0, 1.0, 0.0]),
            **args,
        )
    )
    assert index == pytest.approx([72.5, 62.5, 72.5 - 100 * (0.3 * 0.25 + 0.25 * 0.25 + 0.2 * 0.5)])
    assert list(index >= SATISFIED_AT) == [True, True, False]


def test_access_cost_counts_premiums_of_movers_only_and_travel_for_all():
    """Premium 100,000: a moving buyer at 0.5 per yuan pays 50,000 of an income of 100,000
    (0.5 years), a moving tenant at 0.1 per yuan 0.1, a family that stayed nothing; each
    travels 2 km at 0.03 income-years per km (0.06)."""
    cost = access_cost_income_years(
        moved=np.array([True, True, False]),
        owner=np.array([True, False, True]),
        premium_cny=np.full(3, 100_000.0),
        buyer_cost_per_yuan=0.5,
        tenant_cost_per_yuan=0.1,
        km=np.full(3, 2.0),
        km_cost_income_years=0.03,
        income_cny=np.full(3, 100_000.0),
    )
    assert cost == pytest.approx([0.56, 0.16, 0.06])


def test_group_means_leave_empty_groups_nan():
    means = group_means(np.array([1.0, 3.0, 5.0]), np.array([0, 0, 2]), 4)
    assert means[0] == 2.0 and means[2] == 5.0
    assert np.isnan(means[1]) and np.isnan(means[3])


def test_joined_stage_records_are_the_concatenation_and_the_stages_become_its_views():
    """`join_stage_records`: stage 0's rows then stage 1's, each stage's record rebound to
    views of the joined arrays with its values unchanged; no record or no entrant: None."""
    rng = np.random.default_rng(8)

    def record(n: int) -> dict:
        return {
            "index": rng.uniform(0, 100, n),
            "components": rng.uniform(0, 1, (n, 5)),
            "income_cny": rng.uniform(1e4, 1e6, n),
            "district": rng.integers(0, 3, n),
            "school": rng.integers(0, 9, n),
            "home": rng.integers(0, 9, n),
        }

    intake = {1: {"entrants": 2, "satisfaction": record(2)}, 0: {"satisfaction": record(3)}}
    before = {s: {k: v.copy() for k, v in intake[s]["satisfaction"].items()} for s in (0, 1)}
    joined = join_stage_records(intake)
    assert joined["stage"].tolist() == [0, 0, 0, 1, 1]
    for key in RECORD_KEYS:
        expected = np.concatenate([before[0][key], before[1][key]])
        assert joined[key].tobytes() == expected.tobytes()
        for stage in (0, 1):
            view = intake[stage]["satisfaction"][key]
            assert view.tobytes() == before[stage][key].tobytes()
            assert np.shares_memory(view, joined[key])
    assert joined_records(intake)["index"].tobytes() == joined["index"].tobytes()
    assert join_stage_records({}) is None
    assert join_stage_records({0: {"satisfaction": record(0)}, 1: {"entrants": 0}}) is None
