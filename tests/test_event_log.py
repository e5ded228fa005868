"""The run's event log (edusim/event_log.py): a batch of events reads as the events
logged one by one would, and forgetting the events after a mark leaves the log as it was
at the mark."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edusim.event_log import EventLog

NAMES = np.array(["Xihu-P01", "Xihu-P02", "Binjiang-J01"])


def _postings(rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    return {
        "teacher": rng.integers(0, 10**9, size, dtype=np.int64),
        "from": NAMES[rng.integers(0, NAMES.size, size)],
        "to": NAMES[rng.integers(0, NAMES.size, size)],
        "tier": rng.integers(0, 3, size).astype(np.int8),
    }


def _one_by_one(log: EventLog, year: int, columns: dict[str, np.ndarray], years: int) -> None:
    """The way the rotation logged its postings before batches."""
    for row in range(columns["teacher"].size):
        log.add(
            year,
            "posting",
            "teacher posted",
            {
                "teacher": int(columns["teacher"][row]),
                "from": str(columns["from"][row]),
                "to": str(columns["to"][row]),
                "years": years,
                "tier": int(columns["tier"][row]),
                "scope": "group",
            },
        )


def _batch(log: EventLog, year: int, columns: dict[str, np.ndarray], years: int) -> None:
    log.add_batch(
        year,
        "posting",
        "teacher posted",
        columns,
        constants={"years": years, "scope": "group"},
        order=("teacher", "from", "to", "years", "tier", "scope"),
    )


def _as_stored(events) -> list[tuple]:
    """What events.parquet holds of each event, and the Python types of its detail."""
    return [
        (
            e["year"],
            e["kind"],
            e["label"],
            json.dumps(e["detail"], sort_keys=True, ensure_ascii=False, default=str),
            list(e["detail"]),
            [type(v) for v in e["detail"].values()],
        )
        for e in events
    ]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(0, 6), min_size=1, max_size=5))
def test_a_batch_reads_as_its_events_logged_one_by_one(seed, sizes):
    rng = np.random.default_rng(seed)
    batched, single = EventLog(), EventLog()
    for year, size in enumerate(sizes, start=2020):
        columns = _postings(rng, size)
        for log in (batched, single):
            log.add(year, "group", "formed", {"group": f"g{year}", "members": [1, 2]})
        _batch(batched, year, columns, 3)
        _one_by_one(single, year, columns, 3)
    assert len(batched) == len(single) == sum(sizes) + len(sizes)
    assert _as_stored(batched) == _as_stored(single)
    for position in (0, len(single) // 2, len(single) - 1, -1):
        assert batched[position] == single[position]
    assert batched[1:4] == single[1:4]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(0, 6), min_size=1, max_size=4), st.data())
def test_forgetting_after_a_mark_leaves_the_log_as_it_was(seed, sizes, data):
    """`del log[n:]` at any n, also inside a batch, then more events: as if the
    forgotten ones had never been logged."""
    rng = np.random.default_rng(seed)
    log, reference = EventLog(), EventLog()
    for year, size in enumerate(sizes, start=2020):
        columns = _postings(rng, size)
        _batch(log, year, columns, 1)
        _one_by_one(reference, year, columns, 1)
        log.add(year, "funding", "grants allocated", {"cny": 1.5})
        reference.add(year, "funding", "grants allocated", {"cny": 1.5})
    mark = data.draw(st.integers(0, len(log)))
    del log[mark:]
    del reference[mark:]
    assert len(log) == mark
    later = _postings(rng, 3)
    _batch(log, 2030, later, 2)
    _one_by_one(reference, 2030, later, 2)
    assert _as_stored(log) == _as_stored(reference)


def test_an_empty_batch_logs_nothing_and_bad_batches_are_refused():
    log = EventLog()
    _batch(log, 2020, _postings(np.random.default_rng(0), 0), 1)
    assert len(log) == 0 and list(log) == []
    with pytest.raises(ValueError, match="different lengths"):
        log.add_batch(2020, "posting", "x", {"a": np.arange(2), "b": np.arange(3)})
    with pytest.raises(ValueError, match="order"):
        log.add_batch(2020, "posting", "x", {"a": np.arange(2)}, order=("a", "b"))
    with pytest.raises(TypeError, match="numbers or text"):
        log.add_batch(2020, "posting", "x", {"a": np.array([{}, {}], dtype=object)})
    with pytest.raises(TypeError, match="to the end"):
        del log[0:1]
    with pytest.raises(IndexError):
        log[0]


def test_a_batch_keeps_its_columns_not_a_dictionary_per_event():
    """The point of batches: 10,000 postings take a few hundred KB (eight bytes of teacher
    id, two four-byte codes and a byte of tier each), where as dictionaries they took
    about 380 bytes each."""
    log = EventLog()
    columns = _postings(np.random.default_rng(1), 10_000)
    _batch(log, 2020, columns, 1)
    assert len(log) == 10_000
    log._seal()
    (batch,) = log._parts
    held = sum(
        sum(part.nbytes for part in column) if isinstance(column, tuple) else column.nbytes
        for column in batch.columns.values()
    )
    assert held <= 10_000 * (8 + 4 + 4 + 1) + 2 * NAMES.nbytes
    assert batch.columns["from"][1].dtype == np.int32


def test_consecutive_batches_alike_are_kept_as_one():
    """The rotation posts group by group: a year's postings of one scope, logged in a
    hundred small batches, are kept as one batch (a batch's arrays and dictionaries cost
    several hundred bytes however few its rows); a different scope, year or an event in
    between starts another. Read back, nothing shows it."""
    rng = np.random.default_rng(2)
    log, reference = EventLog(), EventLog()
    for year, scope in ((2020, "group"), (2020, "group"), (2020, "district"), (2021, "district")):
        for _ in range(3):
            columns = _postings(rng, int(rng.integers(0, 4)))
            order = ("teacher", "from", "to", "years", "tier", "scope")
            log.add_batch(
                year, "posting", "teacher posted", columns, {"years": 1, "scope": scope}, order
            )
            reference.add_batch(
                year, "posting", "teacher posted", columns, {"years": 1, "scope": scope}, order
            )
            reference._seal()
        if year == 2020 and scope == "group":
            log.add(year, "rotation", "postings by tier", {"n": 1})
            reference.add(year, "rotation", "postings by tier", {"n": 1})
    assert _as_stored(log) == _as_stored(reference)
    batches = [part for part in log._parts if not isinstance(part, dict)]
    assert len(batches) == 4  # group (before the summary), group, district 2020, 2021
    assert len(batches) < len([part for part in reference._parts if not isinstance(part, dict)])


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.lists(st.integers(0, 5), min_size=1, max_size=4),
    st.sampled_from([1, 2.5, float("nan"), "西湖", {"b": [1, 2], "a": None}, True]),
)
def test_the_table_columns_hold_each_details_json(seed, sizes, constant):
    """`columns()` writes a batch's details without building them: the text is what
    `json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str)` gives each
    event read back, for integer, text, float (NaN and infinities too) and boolean
    columns and constants of any JSON kind."""
    rng = np.random.default_rng(seed)
    log = EventLog()
    names = np.array(["西湖-P01", 'quote"d', "Binjiang-J01"])
    for year, size in enumerate(sizes, start=2020):
        log.add(year, "group", "formed", {"group": "西湖", "share": 0.25, "ids": [3, 1]})
        floats = rng.normal(0, 1, size)
        floats[rng.random(size) < 0.3] = rng.choice([np.nan, np.inf, -np.inf])
        log.add_batch(
            year,
            "posting",
            "teacher posted",
            {
                "teacher": rng.integers(-5, 10**12, size),
                "to": names[rng.integers(0, 3, size)],
                "gain": floats,
                "walks": rng.random(size) < 0.5,
                "tier": rng.integers(0, 3, size).astype(np.uint8),
            },
            constants={"scope": "group", "extra": constant},
        )
    table = log.columns()
    expected = [
        json.dumps(e["detail"], sort_keys=True, ensure_ascii=False, default=str) for e in log
    ]
    assert table["detail"] == expected
    assert table["year"] == [e["year"] for e in log]
    assert table["label"] == [e["label"] for e in log]
    assert table["kind"] == [e["kind"] for e in log]


def test_a_logged_batch_does_not_follow_the_callers_arrays():
    """The log keeps its own copy: the rotation's columns may change after logging."""
    log = EventLog()
    teacher, to = np.array([5, 6]), np.array(["A", "B"])
    log.add_batch(2020, "posting", "teacher posted", {"teacher": teacher, "to": to})
    teacher[0], to[0] = 99, "Z"
    assert [e["detail"] for e in log] == [{"teacher": 5, "to": "A"}, {"teacher": 6, "to": "B"}]


def test_batches_of_other_columns_or_value_kinds_are_not_gathered_together():
    """Consecutive batches alike in year, kind, label and constants are gathered only if
    they have the same columns of the same kinds of values: an integer column followed by
    a float one keeps each event's own type."""
    log = EventLog()
    log.add_batch(2020, "posting", "x", {"a": np.array([1, 2])})
    log.add_batch(2020, "posting", "x", {"a": np.array([0.5])})
    log.add_batch(2020, "posting", "x", {"b": np.array([3])})
    details = [e["detail"] for e in log]
    assert details == [{"a": 1}, {"a": 2}, {"a": 0.5}, {"b": 3}]
    assert [type(d.get("a", d.get("b"))) for d in details] == [int, int, float, int]
    assert len(log._parts) == 3
    assert log.columns()["detail"] == ['{"a": 1}', '{"a": 2}', '{"a": 0.5}', '{"b": 3}']
    scoped = EventLog()
    for scope in ("group", "district"):
        scoped.add_batch(2020, "posting", "x", {"a": np.array([1])}, constants={"scope": scope})
    assert [e["detail"]["scope"] for e in scoped] == ["group", "district"]


def test_details_json_cannot_hold_are_stored_as_text():
    """A single event's values that JSON has no type for (a numpy integer, a date) are
    written as their `str`, as before the event log was columns."""
    import datetime

    log = EventLog()
    log.add(2020, "run", "city built", {"n": np.int64(7), "on": datetime.date(2020, 9, 1)})
    assert log.columns()["detail"] == ['{"n": "7", "on": "2020-09-01"}']


def test_batches_without_columns_or_of_tables_and_reads_past_the_end_are_refused():
    log = EventLog()
    with pytest.raises(ValueError, match="at least one column"):
        log.add_batch(2020, "posting", "x", {}, constants={"scope": "group"})
    with pytest.raises(ValueError, match="one value per event"):
        log.add_batch(2020, "posting", "x", {"a": np.zeros((2, 2))})
    log.add(2020, "run", "city built", {})
    assert len(log) == 1
    with pytest.raises(IndexError, match="out of range"):
        log[1]
    with pytest.raises(IndexError, match="out of range"):
        log[-2]
