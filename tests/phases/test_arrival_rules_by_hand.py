"""Each year's grade-1 newcomers, by hand (phases/arrivals.py): how many settle in each
district, which ids and addresses they get, and every column they arrive with, each from
its documented rule and the family's own draws.

Written after the phases' fresh mutation sample of seed 27 (docs/testing.md)."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel
from edusim.phases.arrivals import arrive
from edusim.world.households import sample_cells

SEED = 3


def test_arrivals_grow_with_the_cohort_and_settle_district_by_district_in_id_order(
    small_city,
):
    """`cohort_growth` 0.1 from 2018: the 2020 cohort is grown 1.1^3 = 1.331 times the
    first grade as built, 200 x 1.331 = 266.2 -> 266 in Core and 100 x 1.331 = 133.1 ->
    133 in the Isles. Ids follow on from the population's next id, Core's first, and each
    family's address is its own `families.address` draw in its own district."""
    model = EduModel(small_city, seed=SEED, years=3, overrides={"families.cohort_growth": 0.1})
    families = model.families
    first = families.next_uid
    before = len(families)
    arrive(model, 2020)
    new = np.arange(before, len(families))
    np.testing.assert_array_equal(families.uid[new], first + np.arange(266 + 133))
    np.testing.assert_array_equal(families.district[new], np.repeat([0, 1], [266, 133]))
    for district, rows in ((0, new[:266]), (1, new[266:])):
        draws = model.streams.uniform("families.address", None, families.uid[rows])
        np.testing.assert_array_equal(
            families.cell[rows], sample_cells(model.geography, district, draws)
        )
        assert (model.geography.cell_district[families.cell[rows]] == district).all()


def test_an_arriving_family_starts_with_each_column_by_its_rule(small_city):
    """Every newcomer is in grade 1, unplaced (-1), with no school gain, no move for a
    school and no sibling yet; its taste for reputation is max(0, mean + slope x SES + SD
    x its `families.taste` normal); its entry achievement rho x SES + sqrt(1 - rho^2) x
    its `learning.entry` normal (rho = `learning.entry_ses_effect`); it is local when its
    `families.hukou` draw is at least `migrant_share`, and owns when its
    `families.tenure` draw is under the owner share of its registration."""
    model = EduModel(small_city, seed=SEED, years=2)
    families, params, streams = model.families, model.params, model.streams
    before = len(families)
    arrive(model, 2019)
    new = np.arange(before, len(families))
    assert new.size == 300
    uid, ses = families.uid[new], families.ses_z[new]
    assert (families.grade[new] == 1).all() and (families.school[new] == -1).all()
    assert (families.school_gain[new] == 0).all() and (families.sibling_school[new] == -1).all()
    assert not families.moved_for_school[new].any()
    p = params.families
    taste = np.maximum(
        0.0,
        p.quality_taste_mean
        + p.taste_income_slope * ses
        + p.quality_taste_sd * streams.normal("families.taste", None, uid),
    )
    np.testing.assert_allclose(families.quality_taste[new], taste, rtol=0, atol=1e-12)
    assert (taste == 0).sum() > 0  # the floor at 0 binds for some (16 of 300 here)
    rho = params.learning.entry_ses_effect
    achievement = rho * ses + np.sqrt(1 - rho**2) * streams.normal("learning.entry", None, uid)
    np.testing.assert_allclose(families.achievement[new], achievement, rtol=0, atol=1e-12)
    assert 0 < rho < 1
    local = streams.uniform("families.hukou", None, uid) >= p.migrant_share
    owner_share = np.where(local, p.owner_share_local, p.owner_share_migrant)
    owner = streams.uniform("families.tenure", None, uid) < owner_share
    np.testing.assert_array_equal(families.local_hukou[new], local)
    np.testing.assert_array_equal(families.owner[new], owner)
    assert local.any() and (~local).any() and owner.any() and (~owner).any()
