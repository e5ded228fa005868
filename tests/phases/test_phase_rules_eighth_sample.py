"""Rule-level tests written against survivors of the eighth fresh sample of the phases
(seed 41, docs/testing.md), after that score: not counted as fresh."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.world.schools import FIRST_GRADE, GRADES_PER_STAGE

SEED = 3


def _intake(model: EduModel):
    (intake,) = [phase for phase in model.phases if phase.name == "enrollment"]
    return intake


def test_a_tenant_who_moved_counts_the_rent_the_market_charged(small_city):
    """An entrant that rented in its catchment for the school counts as paid, over the
    stage, the rent the market charges a tenant: `rent_premium_share` x `mortgage_rate`
    x the stage's 6 years, per yuan of its catchment's premium (phases/satisfaction.py,
    the same rate as phases/housing_market.py); one that stayed pays nothing for
    housing. The cost score is 1 - cost in years of income."""
    from edusim.phases.housing_market import flat_price_cny
    from edusim.phases.satisfaction import entrant_satisfaction

    model = EduModel(small_city, seed=SEED, years=2)
    families, table, params = model.families, model.school_table, model.params
    entrants = np.flatnonzero((families.grade == FIRST_GRADE[0]) & (families.school >= 0))
    entrants = entrants[~table.private[families.school[entrants]]][:40]
    home = model.catchments.catchment_of(families.cell[entrants], 0)
    table.premium_share = np.full(len(table), 0.04)
    moved = np.arange(entrants.size) % 2 == 0
    families.moved_for_school[entrants] = moved
    families.owner[entrants] = False
    placed = families.school[entrants]
    record = entrant_satisfaction(
        model, 0, entrants, home, placed, placed, table.reputation[placed], np.zeros(entrants.size)
    )
    rate = params.families.rent_premium_share * params.housing.mortgage_rate * GRADES_PER_STAGE[0]
    premium_cny = 0.04 * flat_price_cny(model)[home]
    cost_years = np.where(moved, premium_cny * rate, 0.0) / families.income_cny[entrants]
    assert cost_years[moved].min() > 0.05 and cost_years[moved].max() < 0.95  # not clipped
    np.testing.assert_allclose(record["components"][:, 4], 1.0 - cost_years)


def test_private_and_empty_schools_get_no_evaluation_score(small_scenario):
    """The yearly evaluation scores the public schools that teach pupils
    (phases/evaluation.py): private schools and a public school left without pupils
    score 0, and the public schools' standardised scores are unchanged by them."""
    core = small_scenario["city"]["districts"][0]
    core["private_schools"] = {"primary": 2, "junior": 1}
    model = EduModel(small_scenario, seed=SEED, years=3)
    model.step()
    (evaluation,) = [phase for phase in model.phases if phase.name == "evaluation"]
    table = model.school_table
    public = np.flatnonzero(~table.private & (table.enrollment > 0) & (table.stage == 0))
    emptied = public[0]
    table.enrollment = np.where(np.arange(len(table)) == emptied, 0, table.enrollment)
    # a year's progress that differs from school to school (it is 0 if before = now)
    before = table.mean_achievement - np.linspace(0.0, 0.3, len(table))
    evaluation._score(table, before, model.teacher_effectiveness())
    score = table.evaluation_score
    assert (table.enrollment[table.private] > 0).all()
    assert (score[table.private] == 0.0).all() and score[emptied] == 0.0
    scored = ~table.private & (table.enrollment > 0)
    for stage in (0, 1):  # standardised within a stage over the scored schools
        assert abs(score[scored & (table.stage == stage)].mean()) < 1e-9
        assert score[scored & (table.stage == stage)].std() > 0.1


def test_a_district_with_exactly_as_many_places_as_entrants_adds_no_class(small_city):
    """Classes are added (扩班) only where a district has fewer entry places than
    entrants (phases/placement.py `_plan_classes`): with the district's places equal to
    its entrants, a school whose residents overflow gets no class (the district's other
    schools have the room); one place fewer and it gets the classes its residents need."""
    model = EduModel(small_city, seed=SEED, years=2)
    intake, families, table = _intake(model), model.families, model.school_table
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])
    in_stage = (table.stage == 0) & ~table.private & table.active
    district = 0
    schools = np.flatnonzero(in_stage & (table.district == district))
    demand = int((families.district[entrants] == district).sum())
    assert schools.size >= 2 and demand > schools.size
    resident = np.zeros(len(table), dtype=np.int64)
    resident[schools[0]] = demand  # every entrant of the district lives in one catchment
    for places, added in ((demand, 0), (demand - 1, demand - 1)):
        table.class_size = np.where(in_stage, 1, table.class_size)
        classes = np.where(in_stage, 0, table.classes_per_grade)
        classes[schools[0]] = 1
        classes[schools[1]] = places - 1
        table.classes_per_grade = classes
        before = table.classes_per_grade.copy()
        intake._plan_classes(2020, 0, entrants, resident, in_stage)
        gained = table.classes_per_grade - before
        assert gained[schools[0]] == added and gained.sum() == added


def test_results_funds_are_paid_once(small_city):
    """Results-based working funds (Ninghe) are paid at the next year's staffing and
    then cleared (phases/staffing.py `_pay_results_funds`): paying again in the same
    year pays nothing and adds no resource money."""
    model = EduModel(small_city, seed=SEED, years=2)
    (staffing,) = [phase for phase in model.phases if phase.name == "staffing"]
    table = model.school_table
    earned = np.zeros(len(table))
    earned[:3] = (1_000.0, 2_000.0, 3_000.0)
    table.results_grant_cny = earned
    resources = table.resource_grant_cny.copy()
    staffing._pay_results_funds(2020)
    assert model.money[2020]["results_fund_cny"] == 6_000.0
    np.testing.assert_allclose(table.resource_grant_cny, resources + earned)
    staffing._pay_results_funds(2020)
    assert model.money[2020]["results_fund_cny"] == 0.0
    np.testing.assert_allclose(table.resource_grant_cny, resources + earned)
    assert (table.results_grant_cny == 0.0).all()
