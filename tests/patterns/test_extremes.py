"""Sensible responses to extremes: a mechanism switched off in effect must leave no trace,
money must stop buying quality once there is plenty of it, and a city of one school per
stage has no gap between schools.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edusim.model import EduModel

from .cities import SEEDS, in_county_rule, island_county, member_schools, panel, simulate
from .measured import assert_as_recorded
from .test_rotation_patterns import ZONES

YEARS = 4
TIGHT = [in_county_rule("tight", "primary", 4)]
NO_ROTATION = {"rotation.share_of_eligible": 0.0}


@pytest.mark.parametrize(
    "nobody_rotates",
    [
        pytest.param({"rotation.eligible_years_at_school": 100}, id="nobody-eligible"),
        pytest.param({"rotation.share_of_eligible": 0.001}, id="tiny-share-rounds-to-none"),
    ],
)
def test_when_no_teacher_rotates_tight_groups_run_as_without_rotation(nobody_rotates):
    """Tight groups post staff by assignment; if nobody can be posted, every table equals
    the run with rotation switched off (same seed): rotation has no effect other than
    through postings."""
    for seed in SEEDS[:3]:
        off = simulate(
            island_county(), seed, YEARS, **{"groups.rules": TIGHT, **NO_ROTATION}
        ).tables()
        none = simulate(
            island_county(), seed, YEARS, **{"groups.rules": TIGHT, **nobody_rotates}
        ).tables()
        for name in ("schools", "metrics", "events", "balance"):
            pd.testing.assert_frame_equal(off[name], none[name], check_exact=True, obj=name)


def test_when_nobody_volunteers_zones_run_as_without_rotation():
    """Zones ask for volunteers; with travel so dear that nobody volunteers, every table
    equals the run with rotation off, except that teachers were asked (`volunteer_share`
    is 0 rather than undefined)."""
    for seed in SEEDS[:3]:
        off = simulate(
            island_county(), seed, YEARS, **{"groups.rules": ZONES, **NO_ROTATION}
        ).tables()
        refused = simulate(
            island_county(),
            seed,
            YEARS,
            **{"groups.rules": ZONES, "rotation.travel_cost_cny_per_km": 1e9},
        ).tables()
        for name in ("schools", "events", "balance"):
            pd.testing.assert_frame_equal(off[name], refused[name], check_exact=True, obj=name)
        asked = refused["metrics"].metric == "volunteer_share"
        pd.testing.assert_frame_equal(off["metrics"][~asked], refused["metrics"][~asked])
        assert (refused["metrics"][asked]["value"].dropna() == 0).all()


def test_rotation_that_happens_does_change_the_tables():
    """The two tests above have power: with postings the tables differ."""
    off = simulate(island_county(), 1, YEARS, **{"groups.rules": TIGHT, **NO_ROTATION})
    on = simulate(island_county(), 1, YEARS, **{"groups.rules": TIGHT})
    assert on.tables()["metrics"].query("metric == 'rotations'")["value"].sum() > 0
    assert not off.tables()["schools"].equals(on.tables()["schools"])


MONEY = (0.0, 1e5, 1e6, 1e7, 1e8)


def measure() -> dict[str, list[list[float]]]:
    """The figures of this module (written to measured.json by measure.py): the gains of
    `money_gains_by_seed`, seeds x money levels."""
    return {"money_gains": money_gains_by_seed().tolist()}


@pytest.fixture(scope="module")
def money_gains() -> np.ndarray:
    gains = measure()["money_gains"]
    assert_as_recorded("extremes", {"money_gains": gains})
    return np.array(gains)


def money_gains_by_seed() -> np.ndarray:
    """seeds x money levels: mean teaching quality of the member campuses over the run's
    school years, minus the same with no branch-campus grant (no budget cap)."""
    gains = np.zeros((len(SEEDS), len(MONEY)))
    for row, seed in enumerate(SEEDS):
        for column, money in enumerate(MONEY):
            model = simulate(
                island_county(),
                seed,
                YEARS,
                **{"groups.rules": TIGHT, "funding.branch_campus_cny": money},
            )
            gains[row, column] = (
                panel(model, "quality").loc[member_schools(model)].iloc[:, 1:].mean().mean()
            )
        gains[row] -= gains[row, 0]
    return gains


def test_unlimited_money_has_diminishing_returns(money_gains):
    """Measured when this test was written (live: measured.json['extremes']), seeds 1-6, 4 years, grant per member campus per year of 100,000 /
    1 million / 10 million / 100 million CNY to each member campus of four tight
    primary groups (no budget cap): the campuses' teaching quality rises by 0.015 / 0.047 /
    0.050 / 0.050 pupil SD per year on average over the run (seed 1: 0.012 / 0.044 / 0.048
    / 0.048), i.e. 0.15 / 0.047 / 0.005 / 0.0005 per million yuan; the grant never buys
    more than `funding.resource_effect_max` (0.05).
    Tolerance: more money never buys less beyond the paths' noise (each tenfold changes
    the gain by more than -0.002, and raises it by at least 0.02 from 100,000 to 10
    million); exact ordering of the gain per yuan in every seed; the last tenfold adds
    less than 0.005; no gain above 0.06. The noise: from 1 to 10 million the grant adds
    at most 0.05 - 0.047 = 0.003 by its own rule, and the paths differ by more than that
    (families move, classes are planned and teachers hired differently): since dwellings
    are built where access is dear (ODD 7.4) seed 3 gains 0.0486 with 1 million and
    0.0475 with 10 million, with the same 20 teachers posted in both runs; the guard was
    -0.001 before.
    """
    gains = money_gains[:, 1:]
    per_yuan = gains / np.array(MONEY[1:])
    assert (gains[:, 0] > 0).all()
    assert (np.diff(gains, axis=1) > -0.002).all()  # more money never lowers quality beyond noise
    assert (gains[:, 2] - gains[:, 0] > 0.02).all()  # and buys more until it saturates
    assert (np.diff(per_yuan, axis=1) < 0).all()  # each yuan buys less than the one before
    assert (np.abs(gains[:, -1] - gains[:, -2]) < 0.005).all()  # saturated
    assert (gains < 0.05 + 0.01).all()  # `resource_effect_max`, plus small feedbacks


ONE_SCHOOL_PER_STAGE = {
    "name": "one-school",
    "seed": 1,
    "start_year": 2018,
    "years": 5,
    "city": {
        "districts": [
            {
                "name": "Solo",
                "kind": "urban",
                "area_km2": 10,
                "towns": 1,
                "schools": {"primary": 1, "junior": 1},
                "pupils": {"primary": 600, "junior": 300},
            }
        ]
    },
}
GAP_METRICS = (
    "quality_sd",
    "quality_cv",
    "achievement_sd",
    "achievement_cv",
    "quality_quartile_gap",
    "achievement_quartile_gap",
    "ses_dissimilarity",
    "premium_gini",
)


@pytest.fixture(scope="module")
def one_school_city() -> EduModel:
    return EduModel(ONE_SCHOOL_PER_STAGE, seed=1).run()


def test_a_city_of_one_school_per_stage_runs_and_nobody_moves_for_a_school(one_school_city):
    """Every address gives the same school, so nobody moves for one and whatever premium
    the city was built with (from the school's prestige) melts away: with places to spare
    (`capacity_slack`) demand never exceeds them."""
    model = one_school_city
    assert (model.families.school >= 0).all()
    metrics = model.tables()["metrics"].pivot(index="year", columns="metric", values="value")
    after_intake = metrics.index > model.scenario.start_year
    assert (metrics.loc[after_intake, "movers_share"] == 0).all()
    assert (metrics.loc[after_intake, "out_of_catchment_share"] == 0).all()
    assert (metrics.loc[after_intake, "first_choice_share"] == 1).all()
    premium = metrics["premium_mean_cny"].to_numpy()
    assert (np.diff(premium) <= 0).all() and premium[-1] == 0


def test_a_city_of_one_school_per_stage_has_no_gap_between_schools(one_school_city):
    metrics = one_school_city.tables()["metrics"]
    for name in GAP_METRICS:
        values = metrics[metrics.metric == name]["value"]
        assert values.notna().all(), name
        assert np.allclose(values, 0.0), name
