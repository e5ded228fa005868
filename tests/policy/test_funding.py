"""Money: grants, the budget cap and diminishing returns."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.policy.funding import capped, diminishing_gain, weakest_rural_schools

RULES = [
    {"name": "G", "kind": "tight", "formed": "2018-09-01", "stage": "primary", "target_share": 0.6},
    {
        "name": "C",
        "kind": "community",
        "formed": "2018-09-01",
        "stage": "primary",
        "member_pool": ["rural"],
        "cross_district": True,
        "target_share": 0.98,
    },
]


def test_diminishing_gain_saturates():
    money = np.array([0.0, 1000.0, 2000.0, 1e9])
    gain = diminishing_gain(money, maximum=0.05, scale=1000.0)
    assert gain[0] == 0.0
    assert gain[1] == pytest.approx(0.05 * (1 - np.exp(-1)))
    assert gain[2] - gain[1] < gain[1] - gain[0]  # each further yuan buys less
    assert gain[3] == pytest.approx(0.05)


def test_cap_scales_every_grant_pro_rata():
    granted, scale = capped(np.array([600.0, 200.0, 200.0]), cap=500.0)
    np.testing.assert_allclose(granted, [300.0, 100.0, 100.0])
    assert scale == 0.5
    untouched, scale = capped(np.array([1.0, 2.0]), cap=None)
    assert scale == 1.0 and untouched.tolist() == [1.0, 2.0]


def test_gain_is_smooth_below_the_scale():
    # half the scale buys 1 - exp(-0.5) of the maximum (not the nothing a whole-unit
    # rounding of money / scale would give); negative money buys nothing
    gain = diminishing_gain(np.array([500.0, 2500.0, -10.0]), maximum=1.0, scale=1000.0)
    np.testing.assert_allclose(gain, [1 - np.exp(-0.5), 1 - np.exp(-2.5), 0.0])


def test_a_cap_above_the_request_changes_nothing():
    requested = np.array([1.0, 2.0])
    for cap in (10.0, 3.0):  # well above, and exactly the request
        granted, scale = capped(requested, cap=cap)
        assert scale == 1.0 and granted.tolist() == [1.0, 2.0]  # never scaled up


def test_a_small_request_above_a_smaller_cap_is_scaled():
    granted, scale = capped(np.array([0.25, 0.75]), cap=0.5)  # a total of exactly 1
    np.testing.assert_allclose(granted, [0.125, 0.375])
    assert scale == 0.5


def test_nothing_requested_under_a_cap_is_nothing_granted():
    granted, scale = capped(np.zeros(3), cap=5.0)
    assert scale == 1.0 and granted.tolist() == [0.0, 0.0, 0.0]


def test_studios_go_to_the_weakest_rural_schools():
    quality = np.array([0.1, -0.3, 0.0, -0.5])
    rural = np.array([True, True, False, False])
    assert weakest_rural_schools(quality, rural, 1).tolist() == [1]


ILLUSTRATIVE_GRANTS = {
    "funding.branch_campus_cny": 100000.0,
    "funding.cross_district_group_cny": 600000.0,
    "funding.rural_studio_cny": 30000.0,
}
"""Illustrative amounts for these tests (Chongming's and Hangzhou's figures, not defaults)."""


def _money_run(demo_path, **overrides) -> EduModel:
    return EduModel(
        demo_path,
        seed=3,
        years=3,
        overrides={"groups.rules": RULES, **ILLUSTRATIVE_GRANTS, **overrides},
    ).run()


def test_the_schema_pays_no_grant_unless_a_scenario_sets_one(demo_path):
    """Tight groups, cross-district communities and studios with the schema's defaults: no
    place's figures are paid by default, so nothing is requested or spent."""
    model = EduModel(
        demo_path,
        seed=3,
        years=2,
        overrides={"groups.rules": RULES, "funding.rural_studios": 5},
    ).run()
    assert len(model.groups.groups) > 0
    assert all(m["requested_cny"] == 0 for m in model.money.values())
    assert (model.school_table.resource_grant_cny == 0).all()


def test_budget_cap_limits_what_is_spent(demo_path):
    free = _money_run(demo_path, **{"funding.rural_studios": 5})
    capped_run = _money_run(
        demo_path, **{"funding.rural_studios": 5, "funding.budget_cap_cny": 800000}
    )
    for year, money in capped_run.money.items():
        assert money["spent_cny"] == pytest.approx(min(800000, free.money[year]["requested_cny"]))
    metrics = capped_run.tables()["metrics"]
    spent = metrics[metrics.metric == "money_spent_cny"]["value"].dropna()
    assert (spent <= 800000 + 1e-6).all() and len(spent) == 3


def test_more_money_buys_less_and_less_quality(demo_path):
    """Extremes: grants of 1x, 10x and 100x the Chongming branch-campus figure."""
    quality = {}
    for factor in (0, 1, 10, 100):
        model = _money_run(demo_path, **{"funding.branch_campus_cny": 100000.0 * factor})
        members = model.groups.school[model.groups.role == 2]
        quality[factor] = model.school_table.teaching_quality[members].mean()
    # gain per unit of money (one unit = 100,000 CNY per member campus a year)
    first = quality[1] - quality[0]
    second = (quality[10] - quality[1]) / 9
    third = (quality[100] - quality[10]) / 90
    assert first > 0
    assert second < first
    assert third < second / 5  # observed: 7.6e-5 vs 1.9e-3 pupil SD per unit


def test_balance_table_reports_every_district_stage_and_indicator(demo_run):
    balance = demo_run.tables()["balance"]
    assert set(balance["indicator"]) == {
        "backbone_per_100_pupils",
        "qualified_per_100_pupils",
        "spending_cny_per_pupil",
    }
    assert set(balance["limit"]) == {0.50, 0.45}
    assert (balance["within_standard"] == (balance["cv"] <= balance["limit"])).all()
