"""The planner's money estimate (planning/estimate.py) against the model's own accounts:
on a small city whose grants come only from the rules the estimate applies (branch
campuses, a trusteeship across districts, a zone, an entrusted new school, a yearly cap
that a timeline event changes), the estimated money each school year equals the money
the model pays (`model.money[year]["spent_cny"]`) within 0.1%."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel
from edusim.planning.estimate import background, estimate, estimator, own_money
from edusim.planning.facts import city_facts
from edusim.planning.layout import Group
from edusim.planning.spec import PlanSpec
from edusim.scenario.loader import load_scenario

TOLERANCE = 1e-3
"""Relative difference allowed between estimated and paid money each year (the rules are
the model's, so only rounding should differ)."""

SEED = 5


def _scenario(small_city: dict, cap: float) -> dict:
    return {
        **small_city,
        "years": 4,
        "funding": {
            "branch_campus_cny": 100_000,
            "cross_district_group_cny": 600_000,
            "zone_cny": 50_000,
            "budget_cap_cny": cap,
            "capped_grants": ["branch_campus", "cross_district_group"],
        },
        "groups": {
            "explicit": [
                {"name": "in-core", "kind": "tight", "core": "Core-P01",
                 "members": ["Core-P03", "Core-P04"], "formed": "2018-09-01"},
                {"name": "across", "kind": "tight", "core": "Core-P02",
                 "members": ["Isles-P03"], "formed": "2019-03-01"},
                {"name": "short", "kind": "entrusted", "core": "Core-J01",
                 "members": ["Core-J02"], "formed": "2018-09-01", "term_years": 2,
                 "renew": False},
            ],
            "rules": [
                {"name": "isles-zone", "kind": "zone", "formed": "2019-09-01",
                 "stage": "junior", "districts": ["Isles"], "max_cores": 1, "max_members": 1},
            ],
        },
        "timeline": [
            {"date": "2020-09-01", "open": {"name": "Isles-P09", "stage": "primary",
             "district": "Isles", "entrusted_to": "Core-P01"}},
            {"date": "2021-09-01", "set": {"funding.budget_cap_cny": cap * 2}},
        ],
    }  # fmt: skip


def _spec() -> PlanSpec:
    return PlanSpec.model_validate(
        {
            "cores": {},
            "members": {},
            "keep": "rules",
            "objectives": [{"metric": "quality_quartile_gap"}],
        }
    )


@pytest.mark.parametrize("cap", [650_000.0, 5_000_000.0])  # binding from 2020, never
def test_the_estimate_matches_the_money_the_model_pays_each_year(small_city, cap):
    scenario = load_scenario(_scenario(small_city, cap))
    facts = city_facts(scenario, SEED)
    est = estimator(scenario, facts)
    back = background(est, scenario, _spec(), facts)
    model = EduModel(scenario, SEED).run()
    paid = np.array([model.money[int(year)]["spent_cny"] for year in est.years])
    estimated = own_money(est, back)
    assert paid.sum() > 0 and len(set(paid)) > 2  # grants change over the years
    np.testing.assert_allclose(estimated, paid, rtol=TOLERANCE)


def test_a_proposal_is_estimated_with_the_groups_the_plan_keeps(small_city):
    """Under keep: rules the explicit groups go, the rule's zone and the entrusted opening
    stay; the proposal's groups form together at the plan's date."""
    scenario = load_scenario(_scenario(small_city, 5_000_000.0))
    facts = city_facts(scenario, SEED)
    est = estimator(scenario, facts)
    spec = _spec()
    back = background(est, scenario, spec, facts)
    layout = (Group("Core-P01", "tight", ("Core-P03",)), Group("Core-P02", "tight", ("Isles-P03",)))
    money = estimate(est, back, layout, spec).money
    # 2018-2019: one branch campus + one trusteeship; 2020 on: + the entrusted new school's
    # trusteeship (zone reward: 50,000 from 2019)
    np.testing.assert_allclose(money, [700_000, 750_000, 1_350_000, 1_350_000])


def test_postings_are_estimated_only_for_members_weaker_than_their_core(small_city):
    """The posting rule sends teachers only to members weaker than their core: on the
    planning city the estimate knows which, and a run on that city (its world seed, any
    run seed) posts where the estimate does and nowhere else."""
    primary = [f"Core-P0{k}" for k in range(1, 5)]
    scenario = load_scenario(
        {**small_city, "years": 1, "world_seed": SEED, "rotation": {"teachers_per_member": 2}}
    )
    facts = city_facts(scenario, 11)
    strength = facts.schools.set_index("name")["strength"]
    core = strength[primary].idxmax()
    weakest = strength[primary].idxmin()
    est = estimator(scenario, facts)
    assert est.requests("tight", core, [weakest], 2018).teachers[0] > 0
    assert est.requests("tight", weakest, [core], 2018).teachers[0] == 0
    for lead, member in ((core, weakest), (weakest, core)):
        expected = est.requests("tight", lead, [member], 2018).teachers[0]
        group = {"name": "g", "kind": "tight", "core": lead, "members": [member],
                 "formed": "2018-09-01"}  # fmt: skip
        for run_seed in (11, 12):
            run = load_scenario(scenario, {"groups.explicit": [group]})
            metrics = EduModel(run, run_seed).run().tables()["metrics"]
            posted = metrics.loc[metrics["metric"] == "rotations_group", "value"].iloc[-1]
            assert (posted > 0) == (expected > 0), (lead, member, run_seed)
