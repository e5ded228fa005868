"""Preallocated population storage: adding, keeping and assigning columns give the same
columns as appending and masking fresh arrays (the storage it replaced), in any order."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.agents.population import Population


class Toy(Population):
    fields: ClassVar[dict[str, type]] = {"x": np.float64, "flag": np.bool_, "n": np.int16}


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 9)),
        st.tuples(st.just("keep"), st.integers(0, 2**31)),
        st.tuples(st.just("assign"), st.integers(0, 2**31)),
        st.tuples(st.just("bump"), st.integers(0, 2**31)),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_storage_matches_fresh_arrays(steps):
    toy = Toy()
    plain = {"uid": np.empty(0, np.int64), "x": np.empty(0), "flag": np.empty(0, bool)}
    plain["n"] = np.empty(0, np.int16)
    for kind, seed in steps:
        rng = np.random.default_rng(seed)
        size = len(toy)
        if kind == "add":
            x = rng.normal(size=seed)
            uids = toy.add(seed, x=x, flag=True, n=seed)
            plain["uid"] = np.concatenate([plain["uid"], uids])
            plain["x"] = np.concatenate([plain["x"], x])
            plain["flag"] = np.concatenate([plain["flag"], np.ones(seed, bool)])
            plain["n"] = np.concatenate([plain["n"], np.full(seed, seed, np.int16)])
        elif kind == "keep":
            mask = rng.random(size) < 0.6
            toy.keep(mask)
            plain = {name: column[mask] for name, column in plain.items()}
        elif kind == "assign":  # a whole new column, as a yearly rule writes one
            toy.x = toy.x * 2.0 + 1.0
            plain["x"] = plain["x"] * 2.0 + 1.0
        else:  # changed in place through the attribute
            toy.n += 1
            toy.flag[::2] = False
            plain["n"] += 1
            plain["flag"][::2] = False
        assert len(toy) == plain["uid"].size
        for name, column in plain.items():
            got = getattr(toy, name)
            assert got.dtype == column.dtype, name
            np.testing.assert_array_equal(got, column)
    assert (np.diff(toy.uid) > 0).all()  # ids stay in order, never reused


def test_a_column_of_the_wrong_length_is_refused():
    toy = Toy()
    toy.add(3, x=1.0, flag=False, n=0)
    with pytest.raises(ValueError, match="one value per agent"):
        toy.x = np.zeros(4)
    with pytest.raises(ValueError, match="mask"):
        toy.keep(np.ones(2, bool))


def test_adding_grows_buffers_by_a_quarter_and_keeping_does_not_reallocate():
    toy = Toy()
    toy.add(40, x=0.0, flag=False, n=0)
    toy.add(1, x=0.0, flag=False, n=0)
    buffer = toy._buffers["x"]
    assert buffer.size == 50  # 40 and a quarter, not 41
    toy.add(9, x=0.0, flag=False, n=0)
    toy.keep(np.arange(50) % 2 == 0)
    assert toy._buffers["x"] is buffer and len(toy) == 25
