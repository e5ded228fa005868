"""The DataCollector's agent rows kept as columns (mesa_adapter.AgentRows): read back,
they are the tuples Mesa made, value for value and type for type (the model's own
collector: tests/test_mesa_model.py)."""

from __future__ import annotations

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
