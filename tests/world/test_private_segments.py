"""Private schools' two segments: low-fee schools for migrant families without public
access, elite schools whose fee rises with prestige; the year-0 pupils they hold."""

from __future__ import annotations

import numpy as np

from edusim.randomness import Streams
from edusim.scenario.loader import load_scenario
from edusim.scenario.private import PrivateParams
from edusim.world.private_schools import lacks_public_access, low_fee_sites, private_fees
from edusim.world.synthesis import build_world


def test_low_fee_sites_are_the_least_prestigious_private_sites():
    prestige = np.array([0.5, -1.0, 2.0, 0.0, 1.0, -0.5])
    private = np.array([True, True, True, False, True, True])
    district = np.array([0, 0, 0, 0, 1, 1])
    stage = np.zeros(6, dtype=int)
    # district 0: three private sites, half rounded down is 1 -> the least prestigious
    # district 1: two private sites -> 1, the less prestigious; a lone site stays elite
    low = low_fee_sites(prestige, private, district, stage, PrivateParams(low_fee_site_share=0.5))
    assert low.tolist() == [False, True, False, False, False, True]
    lone = low_fee_sites(
        prestige, private & (district == 1) & (prestige > 0), district, stage, PrivateParams()
    )
    assert not lone.any()
    none = low_fee_sites(prestige, private, district, stage, PrivateParams(low_fee_site_share=0))
    assert not none.any()


def test_fees_by_segment():
    params = PrivateParams(
        fee_cny_per_year=30_000, fee_prestige_slope=0.3, low_fee_cny_per_year=8_000
    )
    fees = private_fees(
        np.array([0.0, 1.0, 1.0, 1.0]),
        np.array([True, True, True, False]),
        np.array([False, False, True, False]),
        params,
    )
    np.testing.assert_allclose(fees, [30_000, 30_000 * np.exp(0.3), 8_000, 0])


def test_only_migrant_families_lack_public_access_at_about_the_set_share():
    uids = np.arange(200_000)
    local = uids % 2 == 0
    lacking = lacks_public_access(
        uids, local, PrivateParams(migrant_no_public_share=0.155), Streams(3)
    )
    assert not lacking[local].any()
    assert abs(lacking[~local].mean() - 0.155) < 0.005
    # fixed per family: the same draw whatever else is drawn
    again = lacks_public_access(
        uids[1::2], local[1::2], PrivateParams(migrant_no_public_share=0.155), Streams(3)
    )
    assert (again == lacking[1::2]).all()


def test_families_without_public_access_fill_the_low_fee_schools_at_the_start(demo_path):
    world = build_world(load_scenario(demo_path, {"private.school_share_junior": 0.4}), Streams(7))
    table, families = world.schools, world.families
    low = table.private & (table.fee_cny_per_year == PrivateParams().low_fee_cny_per_year)
    in_low = np.isin(families.school, np.flatnonzero(low))
    lacking = lacks_public_access(families.uid, families.local_hukou, PrivateParams(), Streams(7))
    assert in_low.any()
    assert lacking[in_low].mean() > 0.9
