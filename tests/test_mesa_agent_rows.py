"""The DataCollector's agent rows kept as columns (mesa_adapter.AgentRows): read back,
they are the tuples Mesa made, value for value and type for type (the model's own
collector: tests/test_mesa_model.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.mesa_adapter import AgentRows

FLOATS = st.floats(allow_nan=False, allow_infinity=True)
REPORTERS = st.sampled_from(
    [
        st.integers(-(2**70), 2**70),
        FLOATS,
        st.booleans(),
        st.sampled_from(["primary", "junior", "Xihu-P01"]),
        st.tuples(FLOATS, FLOATS),
        st.one_of(st.none(), st.integers(0, 50)),
        st.one_of(st.none(), st.sampled_from(["tight", "alliance"])),
        st.one_of(st.integers(0, 5), st.sampled_from(["a", "b"]), st.none()),
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(REPORTERS, min_size=0, max_size=6).flatmap(
    lambda kinds: st.lists(st.tuples(st.integers(0, 10**6), *kinds), max_size=30)
))  # fmt: skip
def test_rows_read_back_as_mesa_made_them(rows):
    rows = [(3, *row) for row in rows]
    kept = AgentRows(7, rows)
    expected = [(7, *row[1:]) for row in rows]
    got = list(kept)
    assert len(kept) == len(rows)
    assert got == expected
    assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in expected]
    if rows:
        assert kept[-1] == expected[-1]


def test_numbers_text_positions_and_optional_values_are_kept_as_arrays():
    """What AgentRows is for: memory. Each reporter of one kind is an array (int64,
    float64, bool, int32 codes of interned words, an (n, 2) float array of positions),
    with a mask only where some values are None; mixed values stay a list."""
    rows = [
        (0, 10 + i, i, 0.5 * i, i % 2 == 0, ["Xihu-P01", "Binjiang-J02"][i % 2], (1.0 * i, 2.0),
         None if i == 1 else i, [1, "a"][i % 2])
        for i in range(4)
    ]  # fmt: skip
    kept = AgentRows(5, rows)
    kinds = [column[0] for column in kept._columns]
    assert kinds == ["int", "int", "float", "bool", "str", "pair", "int", "list"]
    ids, ints, floats, flags, names, positions, optional, mixed = kept._columns
    assert ids[1].dtype == np.int64 and ids[2] is None
    assert ints[1].tolist() == [0, 1, 2, 3] and ints[1].dtype == np.int64
    assert floats[1].dtype == np.float64 and flags[1].dtype == np.bool_
    words, codes = names[1]
    assert codes.dtype == np.int32 and codes.tolist() == [0, 1, 0, 1]
    assert words == ["Xihu-P01", "Binjiang-J02"]
    assert positions[1].shape == (4, 2) and positions[1].dtype == np.float64
    assert optional[2].tolist() == [False, True, False, False]
    assert optional[1].tolist() == [0, 2, 3]
    assert mixed[1] == [1, "a", 1, "a"] and mixed[2] is None
    again = AgentRows(6, rows)
    assert again._columns[4][1][0][0] is words[0]  # one string per name, not one a year
    assert list(kept) == [(5, *row[1:]) for row in rows]


def test_values_of_other_kinds_stay_lists_and_read_back_as_they_were():
    """A reporter AgentRows has no array for keeps its list: numpy scalars (a reporter may
    return them), pairs that are not two floats, triples."""
    columns = [
        [np.float64(0.5), np.float64(1.5)],
        [(1, 2.0), (3, 4.0)],
        [(2.0, 1), (4.0, 3)],
        [(1.0, 2.0, 3.0), (4.0, 5.0, 6.0)],
    ]
    rows = [(0, agent, *(column[agent] for column in columns)) for agent in range(2)]
    kept = AgentRows(1, rows)
    assert [column[0] for column in kept._columns] == ["int", "list", "list", "list", "list"]
    got = list(kept)
    assert got == [(1, *row[1:]) for row in rows]
    for got_row, row in zip(got, rows, strict=True):
        assert [type(v) for v in got_row[1:]] == [type(v) for v in row[1:]]
        assert [type(v[0]) for v in got_row[3:5]] == [type(v[0]) for v in row[3:5]]
