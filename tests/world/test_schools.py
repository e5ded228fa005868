"""School sites, names, prestige, famous schools and planned classes."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.world.geography import build_geography
from edusim.world.schools import (
    classes_needed,
    initial_prestige,
    place_school_sites,
    scenario_school_names,
    school_name,
)


@pytest.fixture(scope="module")
def demo(demo_path):
    scenario = load_scenario(demo_path)
    geo = build_geography(scenario.city, Streams(2).generator("world.geography"))
    return scenario, geo


def test_school_names():
    assert school_name("Xihu", 0, 7) == "Xihu-P07"
    assert school_name("Xihu", 1, 3) == "Xihu-J03"
    assert school_name("Old Town", 0, 12) == "Old Town-P12"


def test_scenario_school_names_list_every_site(demo_path):
    scenario = load_scenario(demo_path)
    names = scenario_school_names(scenario)
    total = sum(d.schools.primary + d.schools.junior for d in scenario.city.districts)
    assert len(names) == total == 63
    assert names["Old Town-P08"] == (0, 0)
    # 11% of junior sites are private: one of Hill County's six, numbered on its own
    assert names["Hill County-J05"] == (3, 1)
    assert names["Hill County-MJ01"] == (3, 1)
    assert "Hill County-J06" not in names
    assert "Old Town-P09" not in names
    assert sum("-M" in name for name in names) == 4


def test_a_district_can_set_its_private_schools(demo_path):
    scenario = load_scenario(
        demo_path, ["city.districts[0].private_schools={primary: 2, junior: 0}"]
    )
    names = scenario_school_names(scenario)
    assert {"Old Town-MP01", "Old Town-MP02", "Old Town-P06"} <= set(names)
    assert "Old Town-P07" not in names and "Old Town-MJ01" not in names


def test_classes_needed_by_hand():
    cohort = np.array([0, 1, 45, 46, 90, 41])
    size = np.array([45, 45, 45, 45, 45, 45])
    np.testing.assert_array_equal(classes_needed(cohort, size, 0.0), [1, 1, 1, 2, 2, 1])
    # 41 * 1.1 = 45.1 needs a second class
    np.testing.assert_array_equal(classes_needed(cohort, size, 0.1), [1, 1, 2, 2, 3, 2])


def test_sites_are_distinct_cells_of_their_district(demo):
    scenario, geo = demo
    stage, district, cell = place_school_sites(scenario, geo, Streams(2).generator("world.sites"))
    assert stage.size == district.size == cell.size == 63
    assert (geo.cell_district[cell] == district).all()
    for s in (0, 1):
        assert np.unique(cell[stage == s]).size == (stage == s).sum()
    # ordered by district, then stage
    order = np.lexsort((stage, district))
    np.testing.assert_array_equal(order, np.arange(stage.size))
    for d, entry in enumerate(scenario.city.districts):
        assert ((district == d) & (stage == 0)).sum() == entry.schools.primary
        assert ((district == d) & (stage == 1)).sum() == entry.schools.junior


def test_famous_schools_are_the_most_prestigious_of_their_district_and_stage(demo):
    scenario, geo = demo
    stage, district, _ = place_school_sites(scenario, geo, Streams(2).generator("world.sites"))
    size = np.full(stage.size, 100.0)
    no_private = np.zeros(stage.size, dtype=bool)
    params = scenario.schools
    shares = {
        0: params.famous_share_urban,
        1: params.famous_share_suburban,
        2: params.famous_share_rural,
    }
    for seed in range(5):
        prestige, famous = initial_prestige(
            scenario, geo, stage, district, size, no_private, np.random.default_rng(seed)
        )
        for d in range(len(scenario.city.districts)):
            for s in (0, 1):
                members = np.flatnonzero((district == d) & (stage == s))
                expected = shares[int(geo.district_kind[d])] * members.size
                assert int(expected) <= famous[members].sum() <= int(expected) + 1
                if famous[members].any() and (~famous[members]).any():
                    assert prestige[members][famous[members]].min() > (
                        prestige[members][~famous[members]].max()
                    )


def test_prestige_is_higher_in_urban_districts_and_in_larger_schools(demo):
    scenario, geo = demo
    stage, district, _ = place_school_sites(scenario, geo, Streams(2).generator("world.sites"))
    kind = geo.district_kind[district]
    urban, rural = [], []
    for seed in range(30):
        prestige, _ = initial_prestige(
            scenario,
            geo,
            stage,
            district,
            np.full(stage.size, 100.0),
            np.zeros(stage.size, dtype=bool),
            np.random.default_rng(seed),
        )
        urban.append(prestige[kind == 0].mean())
        rural.append(prestige[kind == 2].mean())
    assert np.mean(urban) - np.mean(rural) > scenario.schools.prestige_kind_shift_sd
    # school size: same draws (same rng seed), one school made much larger
    size = np.full(stage.size, 100.0)
    base, _ = initial_prestige(
        scenario,
        geo,
        stage,
        district,
        size,
        np.zeros(stage.size, dtype=bool),
        np.random.default_rng(1),
    )
    size[10] = 1000.0
    bigger, _ = initial_prestige(
        scenario,
        geo,
        stage,
        district,
        size,
        np.zeros(stage.size, dtype=bool),
        np.random.default_rng(1),
    )
    slope = scenario.schools.prestige_size_slope
    # gains slope x log(10), plus the famous boost if that made it famous
    gain = bigger[10] - base[10]
    assert gain >= slope * np.log(10.0) - 1e-9
    others = np.arange(stage.size) != 10
    assert (bigger[others] <= base[others] + 1e-9).all()


def test_private_schools_are_shifted_in_prestige_and_never_famous(demo):
    scenario, geo = demo
    stage, district, _ = place_school_sites(scenario, geo, Streams(2).generator("world.sites"))
    size = np.full(stage.size, 100.0)
    private = np.zeros(stage.size, dtype=bool)
    private[::4] = True
    public_only, _ = initial_prestige(
        scenario,
        geo,
        stage,
        district,
        size,
        np.zeros(stage.size, dtype=bool),
        np.random.default_rng(3),
    )
    prestige, famous = initial_prestige(
        scenario, geo, stage, district, size, private, np.random.default_rng(3)
    )
    assert not famous[private].any()
    shift = prestige[private] - public_only[private]
    # the same draws, plus the private shift (minus the famous boost a site may have lost)
    boost = scenario.schools.famous_prestige_boost_sd
    assert np.all(
        np.isclose(shift, scenario.private.prestige_shift_sd)
        | np.isclose(shift, scenario.private.prestige_shift_sd - boost)
    )
