"""The budget repair (planning/repair.py): it moves a layout's estimate into the budget
when single moves can, never makes the estimate worse, and never breaks a constraint of
the plan (a property test over random plans, budgets and sampled points; hypothesis runs
derandomized, tests/conftest.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.planning.budget import MONEY_METRIC
from edusim.planning.estimate import background, estimator
from edusim.planning.facts import city_facts
from edusim.planning.layout import Group, decode, encode, violations
from edusim.planning.objectives import TEACHERS_METRIC
from edusim.planning.repair import Repairer, bands
from edusim.planning.spec import PlanSpec
from edusim.scenario.loader import load_scenario

FUNDING = {"branch_campus_cny": 100_000, "cross_district_group_cny": 600_000}


@pytest.fixture(scope="module")
def scenario(small_city):
    return load_scenario({**small_city, "years": 4, "funding": FUNDING})


@pytest.fixture(scope="module")
def facts(scenario):
    return city_facts(scenario, 3)


def _spec(**changes) -> PlanSpec:
    data = {
        "cores": {"quality_quantile": [0.5, 1.0]},
        "members": {"quality_quantile": [0.0, 0.5]},
        "objectives": [{"metric": "quality_quartile_gap"}],
        **changes,
    }
    return PlanSpec.model_validate(data)


def _repairer(spec, scenario, facts, own):
    est = estimator(scenario, facts)
    back = background(est, scenario, spec, facts)
    return Repairer(spec, encode(spec, facts), facts, scenario.funding, est, back, own)


def test_too_many_members_are_dropped_until_the_money_is_equal(scenario, facts):
    spec = _spec(
        cores={},
        members={},
        same_district=True,
        max_members=4,
        budget={"money_cny_per_year": "equal", "tolerance": 0.1},
    )
    repairer = _repairer(spec, scenario, facts, {MONEY_METRIC: 200_000, TEACHERS_METRIC: 0})
    layout = (Group("Core-P01", "tight", ("Core-P02", "Core-P03", "Core-P04")),)
    assert repairer.estimated(layout)[MONEY_METRIC] == 300_000
    repaired, moves = repairer.repair(layout)
    assert moves == 1 and repairer.estimated(repaired)[MONEY_METRIC] == 200_000
    assert violations(repaired, spec, facts, scenario.funding) == []


def test_too_few_members_are_added_until_the_money_is_equal(scenario, facts):
    spec = _spec(
        cores={},
        members={},
        same_district=True,
        max_members=4,
        budget={"money_cny_per_year": "equal", "tolerance": 0.1},
    )
    repairer = _repairer(spec, scenario, facts, {MONEY_METRIC: 300_000, TEACHERS_METRIC: 0})
    layout = (Group("Core-P01", "tight", ("Core-P02",)),)
    repaired, moves = repairer.repair(layout)
    assert moves == 2 and repairer.estimated(repaired)[MONEY_METRIC] == 300_000
    assert violations(repaired, spec, facts, scenario.funding) == []


def test_without_a_budget_judged_on_runs_nothing_moves(scenario, facts):
    spec = _spec(cores={}, members={}, budget={"money_cny_per_year": 1e6})
    repairer = _repairer(spec, scenario, facts, {MONEY_METRIC: 1.0, TEACHERS_METRIC: 1.0})
    layout = (Group("Core-P01", "tight", ("Core-P02", "Core-P03")),)
    assert not repairer.active and repairer.repair(layout) == (layout, 0)


def test_the_band_is_half_the_tolerance_or_half_the_teachers_slack():
    spec = _spec(
        budget={"money_cny_per_year": "equal", "teachers_per_year": "own", "tolerance": 0.2}
    )
    found = bands(spec, {MONEY_METRIC: 1000.0, TEACHERS_METRIC: 4.0})
    assert (found[MONEY_METRIC].low, found[MONEY_METRIC].high) == (900.0, 1100.0)
    assert found[TEACHERS_METRIC].high == 4.0
    slack = _spec(budget={"teachers_per_year": "equal", "teachers_slack": 2})
    band = bands(slack, {MONEY_METRIC: 0.0, TEACHERS_METRIC: 4.0})[TEACHERS_METRIC]
    assert (band.low, band.high) == (3.0, 5.0)


schools_filter = st.fixed_dictionaries(
    {},
    optional={
        "stage": st.lists(st.sampled_from(["primary", "junior"]), max_size=2, unique=True),
        "districts": st.lists(st.sampled_from(["Core", "Isles"]), max_size=2, unique=True),
        "quality_quantile": st.tuples(
            st.floats(0, 0.6, allow_nan=False), st.floats(0.4, 1, allow_nan=False)
        ).filter(lambda pair: pair[0] <= pair[1]),
    },
)
limits = st.sampled_from([None, "own", "equal"])
plans = st.fixed_dictionaries(
    {
        "cores": schools_filter,
        "members": schools_filter,
        "kinds": st.lists(
            st.sampled_from(["tight", "alliance", "zone", "entrusted"]),
            min_size=1,
            max_size=3,
            unique=True,
        ),
        "max_members": st.integers(1, 4),
        "radius_km": st.one_of(st.none(), st.floats(1, 40, allow_nan=False)),
        "same_stage": st.booleans(),
        "same_district": st.booleans(),
        "same_island": st.booleans(),
        "groups": st.integers(1, 3).flatmap(
            lambda low: st.fixed_dictionaries({"min": st.just(low), "max": st.integers(low, 4)})
        ),
        "budget": st.fixed_dictionaries(
            {
                "money_cny_per_year": limits,
                "teachers_per_year": limits,
                "tolerance": st.floats(0, 0.5, allow_nan=False),
                "teachers_slack": st.floats(0, 2, allow_nan=False),
            }
        ),
    }
)


@settings(max_examples=60)
@given(
    plan=plans,
    own_money=st.floats(0, 3e6, allow_nan=False),
    own_teachers=st.floats(0, 20, allow_nan=False),
    data=st.data(),
)
def test_a_repaired_layout_keeps_every_constraint_and_comes_no_further_from_budget(
    scenario, facts, plan, own_money, own_teachers, data
):
    spec = _spec(**plan)
    own = {MONEY_METRIC: own_money, TEACHERS_METRIC: own_teachers}
    repairer = _repairer(spec, scenario, facts, own)
    encoding = repairer.encoding
    point = {
        name: data.draw(st.sampled_from(options)) for name, options in encoding.choices().items()
    }
    layout, reason = decode(point, encoding, spec, facts, scenario.funding)
    if reason:
        return
    repaired, moves = repairer.repair(layout)
    assert violations(repaired, spec, facts, scenario.funding) == []
    before = sum(b.distance(repairer.estimated(layout)[m]) for m, b in repairer.bands.items())
    after = sum(b.distance(repairer.estimated(repaired)[m]) for m, b in repairer.bands.items())
    assert after <= before + 1e-12
    assert (moves == 0) == (repaired == layout) or moves > 0
    assert repairer.repair(repaired)[1] == 0 or after > 0  # inside: a second pass is idle


def test_a_teacher_budget_is_met_by_swapping_the_core(small_city, scenario):
    """Postings depend on the core's eligible teachers and go only to members weaker
    than the core: the repair moves the members to a core that posts as many as the own
    layout's."""
    probe = city_facts(scenario, 3).schools
    primary = probe[probe["stage"] == "primary"].sort_values("eligible_teachers")
    weak = primary["name"].iloc[0]
    by_strength = primary[primary["name"] != weak].sort_values("strength")
    members = by_strength["name"].iloc[:2].tolist()  # the two weakest teaching staffs
    above = primary[primary["strength"] > by_strength["strength"].iloc[1]]
    strong = above["name"].iloc[-1]  # the most eligible teachers of the cores above them
    own_group = {"name": "own", "kind": "tight", "core": strong, "members": members,
                 "formed": "2018-09-01"}  # fmt: skip
    with_own = load_scenario(
        {**small_city, "years": 4, "funding": FUNDING, "groups": {"explicit": [own_group]}}
    )
    facts = city_facts(with_own, 3)
    spec = _spec(
        cores={"schools": [strong, weak]},
        members={"schools": members},
        same_district=False,
        radius_km=None,
        budget={"teachers_per_year": "equal", "teachers_slack": 0, "tolerance": 0.1},
    )
    est = estimator(with_own, facts)
    posts = est.group(Group(strong, "tight", tuple(members)), 2018, 6).teachers.mean()
    assert posts > est.group(Group(weak, "tight", tuple(members)), 2018, 6).teachers.mean()
    repairer = _repairer(spec, with_own, facts, {MONEY_METRIC: 0.0, TEACHERS_METRIC: posts})
    layout = (Group(weak, "tight", tuple(sorted(members))),)
    repaired, moves = repairer.repair(layout)
    assert moves >= 1 and [g.core for g in repaired] == [strong]
    assert repairer.estimated(repaired)[TEACHERS_METRIC] == pytest.approx(posts)
    assert violations(repaired, spec, facts, with_own.funding) == []
