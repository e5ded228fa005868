"""Catchment housing premiums: up with excess demand, down without it, never negative."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.processes.housing import premium_cny, updated_premium
from edusim.scenario.schema import HousingParams

PARAMS = HousingParams(adjust_speed=0.15, max_premium_share=1.5, flat_size_m2=90.0)


def test_updated_premium_by_hand():
    premium = np.array([0.1, 0.1, 1.45, 0.05, 0.2])
    resident = np.array([90, 45, 200, 0, 10])
    places = np.array([45, 45, 45, 45, 0])
    # pressures: +1, 0, +3.44 (capped at the ceiling), -1 (floored at 0), 10 / max(0, 1) - 1 = 9
    np.testing.assert_allclose(
        updated_premium(premium, resident, places, PARAMS), [0.25, 0.1, 1.5, 0.0, 1.5]
    )


def test_premium_in_yuan():
    share = np.array([0.0, 0.1, 0.5])
    price = np.array([50_000.0, 50_000.0, 10_000.0])
    np.testing.assert_allclose(premium_cny(share, price, PARAMS), [0.0, 450_000.0, 450_000.0])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 1.5), st.integers(0, 1000), st.integers(0, 500)),
        min_size=1,
        max_size=30,
    ),
    st.floats(0, 2),
    st.floats(0, 3),
)
def test_premiums_stay_within_zero_and_the_ceiling(rows, speed, ceiling):
    params = HousingParams(adjust_speed=speed, max_premium_share=ceiling)
    premium = np.minimum(np.array([p for p, _, _ in rows]), ceiling)
    resident = np.array([r for _, r, _ in rows])
    places = np.array([c for _, _, c in rows])
    new = updated_premium(premium, resident, places, params)
    assert (new >= 0).all()
    assert (new <= ceiling).all()
    # more demand never lowers the premium
    more = updated_premium(premium, resident + 1, places, params)
    assert (more >= new).all()
    assert (premium_cny(new, np.full(new.size, 30_000.0), params) >= 0).all()


def test_premiums_stay_non_negative_in_a_run(demo_run):
    schools = demo_run.tables()["schools"]
    assert (schools["premium_share"] >= 0).all()
    assert (schools["premium_share"] <= demo_run.params.housing.max_premium_share).all()
    assert (schools["premium_cny"] >= 0).all()
