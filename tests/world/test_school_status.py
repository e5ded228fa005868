"""Owner level (市属 / 区属 / 县属) and each school's own urban or rural status."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.randomness import Streams
from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.world.schools import OWNER_CITY, OWNER_COUNTY, OWNER_DISTRICT
from edusim.world.synthesis import build_world


@pytest.fixture(scope="module")
def demo_world(demo_path):
    scenario = load_scenario(demo_path)
    return scenario, build_world(scenario, Streams(3))


def test_owner_levels_follow_the_rule(demo_world):
    _scenario, world = demo_world
    table, kind = world.schools, world.geography.district_kind[world.schools.district]
    assert (table.owner[kind == 2] == OWNER_COUNTY).all()
    city = table.owner == OWNER_CITY
    # half of the urban districts' famous public schools, the most prestigious first
    urban_famous = table.famous & ~table.private & (kind == 0)
    assert city.sum() == np.floor(0.5 * urban_famous.sum() + 0.5) > 0  # half rounded up
    assert (city <= urban_famous).all()
    assert table.prestige[city].min() >= np.median(table.prestige[urban_famous])
    assert (table.owner[(kind != 2) & ~city] == OWNER_DISTRICT).all()


def test_suburban_villages_are_rural_and_county_seats_urban(demo_world):
    _scenario, world = demo_world
    table, geo = world.schools, world.geography
    kind = geo.district_kind[table.district]
    assert not table.rural[kind == 0].any()
    suburban = kind == 1
    assert 0 < table.rural[suburban].sum() < suburban.sum()  # village schools exist
    rural_county = kind == 2
    assert 0 < table.rural[rural_county].sum() < rural_county.sum()  # the county seat is urban
    # in each district the non-rural schools all lie in one town, the seat
    for d in np.flatnonzero(geo.district_kind > 0):
        towns = np.unique(table.town[(table.district == d) & ~table.rural])
        assert towns.size == 1


def test_scenario_overrides_a_schools_status(demo_path):
    plain = build_world(load_scenario(demo_path), Streams(3)).schools
    name = str(plain.name[(plain.owner == OWNER_DISTRICT) & ~plain.rural][0])
    changed = load_scenario(
        demo_path,
        {"school_status.owners": {name: "city"}, "school_status.rural": {name: True}},
    )
    table = build_world(changed, Streams(3)).schools
    index = list(table.name).index(name)
    assert table.owner[index] == OWNER_CITY and table.rural[index]
    others = np.arange(len(table)) != index
    assert (table.owner[others] == plain.owner[others]).all()


def test_switching_the_rules_off_leaves_rural_only_outside_seats_of_counties(demo_path):
    scenario = load_scenario(
        demo_path,
        {"school_status.county_seat_urban": False, "school_status.suburban_villages_rural": False},
    )
    world = build_world(scenario, Streams(3))
    kind = world.geography.district_kind[world.schools.district]
    assert (world.schools.rural == (kind == 2)).all()


def test_an_unknown_school_in_the_overrides_is_named_with_its_path(demo_path):
    with pytest.raises(ScenarioError) as error:
        load_scenario(demo_path, {"school_status.rural": {"Nowhere-P01": True}})
    assert "school_status.rural.Nowhere-P01" in str(error.value)
