"""Distances from families' cells to listed schools."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.phases.travel import km_to_schools, km_to_schools_reference


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_compiled_distances_are_bit_identical_to_numpy_hypot(n, width, seed):
    rng = np.random.default_rng(seed)
    model = SimpleNamespace(
        geography=SimpleNamespace(cell_x=rng.uniform(-80, 80, 30), cell_y=rng.uniform(-80, 80, 30)),
        school_table=SimpleNamespace(x_km=rng.uniform(-80, 80, 9), y_km=rng.uniform(-80, 80, 9)),
    )
    cells = rng.integers(0, 30, n)
    schools = rng.integers(-1, 9, (n, width))
    got = km_to_schools(model, cells, schools)
    expected = km_to_schools_reference(model, cells, schools)
    assert got.shape == expected.shape and got.tobytes() == expected.tobytes()
    assert (got[schools < 0] == 0).all()
