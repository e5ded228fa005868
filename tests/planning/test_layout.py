"""Layouts: every decoded layout satisfies the plan whatever the plan's constraints and
whatever the optimiser samples (or is rejected for too few groups, and says so)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from edusim.planning.facts import city_facts
from edusim.planning.layout import (
    NONE,
    Group,
    decode,
    encode,
    feasible_pairs,
    layout_cost,
    violations,
)
from edusim.planning.spec import PlanSpec
from edusim.scenario.funding import FundingParams
from edusim.scenario.loader import load_scenario

FUNDING = FundingParams(
    branch_campus_cny=100_000, cross_district_group_cny=600_000, zone_cny=150_000
)
"""Chongming's rates (scenarios/chongming.yaml), so the money budget binds."""


@pytest.fixture(scope="module")
def facts(small_city):
    return city_facts(load_scenario({**small_city, "years": 2}), 3)


def _spec(**changes) -> PlanSpec:
    data = {
        "cores": {"quality_quantile": [0.5, 1.0]},
        "members": {"quality_quantile": [0.0, 0.5]},
        "objectives": [{"metric": "quality_quartile_gap"}],
        **changes,
    }
    return PlanSpec.model_validate(data)


def test_facts_hold_every_public_school_with_quantiles_in_their_district_and_stage(facts):
    schools = facts.schools
    assert len(schools) == 12 and facts.travel_km.shape == (12, 12)
    for _, rows in schools.groupby(["district", "stage"]):
        best = rows.loc[rows["quality"].idxmax(), "quantile"]
        worst = rows.loc[rows["quality"].idxmin(), "quantile"]
        assert (best, worst) == (1.0, 0.0)


def test_options_respect_radius_district_and_island(facts):
    spec = _spec(radius_km=8, same_district=True, same_island=True, same_stage=True)
    encoding = encode(spec, facts)
    index = {name: i for i, name in enumerate(facts.names)}
    schools = facts.schools
    assert encoding.options  # the test would pass vacuously otherwise
    for member, cores in encoding.options.items():
        m = index[member]
        for core in cores:
            c = index[core]
            assert facts.travel_km[c, m] <= 8
            assert schools["district"][c] == schools["district"][m]
            assert schools["island"][c] == schools["island"][m]
            assert schools["stage"][c] == schools["stage"][m]


def test_violations_finds_each_broken_rule(facts):
    spec = _spec(max_members=1, same_district=True, groups={"min": 1, "max": 1})
    names = facts.schools.set_index("name")
    strong = names[names["quantile"] >= 0.5].index.tolist()
    weak = names[names["quantile"] < 0.5].index.tolist()
    layout = (
        Group(strong[0], "alliance", (weak[0], weak[1])),
        Group(weak[2], "tight", (strong[0],)),
    )
    found = " | ".join(violations(layout, spec, facts, FUNDING))
    expected = (
        "2 groups",
        "kind alliance",
        "2 members",
        "may not lead",
        "may not join",
        "two groups",
    )
    for words in expected:
        assert words in found


schools_filter = st.fixed_dictionaries(
    {},
    optional={
        "stage": st.lists(st.sampled_from(["primary", "junior"]), max_size=2, unique=True),
        "districts": st.lists(st.sampled_from(["Core", "Isles"]), max_size=2, unique=True),
        "quality_quantile": st.tuples(
            st.floats(0, 0.6, allow_nan=False), st.floats(0.4, 1, allow_nan=False)
        ).filter(lambda pair: pair[0] <= pair[1]),
        "rural": st.sampled_from([None, True, False]),
    },
)
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
            {"money_cny_per_year": st.one_of(st.none(), st.floats(0, 2e6, allow_nan=False))}
        ),
    }
)


@given(plan=plans, data=st.data())
def test_every_decoded_layout_satisfies_the_plan(facts, plan, data):
    spec = _spec(**plan)
    encoding = encode(spec, facts)
    choices = encoding.choices()
    point = {name: data.draw(st.sampled_from(options)) for name, options in choices.items()}
    layout, reason = decode(point, encoding, spec, facts, FUNDING)
    if reason:
        assert len(layout) < spec.groups.min and "fewer than groups.min" in reason
    else:
        assert violations(layout, spec, facts, FUNDING) == []
    ok = feasible_pairs(spec, facts)
    index = {name: i for i, name in enumerate(facts.names)}
    for group in layout:  # also when rejected: the repair never breaks reach or roles
        assert all(ok[index[group.core], index[m]] for m in group.members)
    limit = spec.budget.money_cny_per_year
    assert limit is None or layout_cost(layout, facts, FUNDING) <= limit


def test_a_school_that_leads_joins_no_other_group(facts):
    spec = _spec(cores={}, members={}, same_district=False, max_members=5)
    encoding = encode(spec, facts)
    names = sorted(encoding.options)
    a, b, c = names[0], names[1], names[2]
    point = {f"member:{name}": NONE for name in names}
    point[f"member:{a}"] = b  # a joins b ...
    point[f"member:{b}"] = c  # ... while b, which leads a, would join c
    layout, reason = decode(point, encoding, spec, facts, FUNDING)
    assert not reason and violations(layout, spec, facts, FUNDING) == []
    assert [(g.core, g.members) for g in layout] == [(b, (a,))]
    assert np.isfinite(layout_cost(layout, facts, FUNDING))
