"""The run's event log (written as events.parquet): what happened, when, with its details.

Most entries are single events (a group formed, a rule applied, the year's grants), kept
as they are logged. A few phases log one event per agent, many thousand a year (each
teacher posted by the rotation: about 7,000 a year at eight times Hangzhou); those come
as a batch (`add_batch`), kept as columns (numbers as arrays, text as codes into its
distinct values) rather than one dictionary per event, which took about 380 bytes an
event and 53 MiB over 20 years of that city. Read one by one, a batch gives the same
events as logging each would have: the same keys, Python values of the same types,
in the order logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, overload

import numpy as np


@dataclass(frozen=True)
class _Batch:
    """Events of one year, kind and label, one per row of the columns. A text column is
    held as (distinct values, code of each row)."""

    year: int
    kind: str
    label: str
    columns: dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]]
    constants: dict[str, Any]
    order: tuple[str, ...]
    size: int

    def details(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """The rows' details as dictionaries of Python values, keys in logged order."""
        stop = self.size if stop is None else stop
        values = {}
        for name, column in self.columns.items():
            if isinstance(column, tuple):
                distinct, codes = column
                words = [str(word) for word in distinct]
                values[name] = [words[code] for code in codes[start:stop].tolist()]
            else:
                values[name] = column[start:stop].tolist()
        columns = [
            values[name] if name in values else repeat(self.constants[name], stop - start)
            for name in self.order
        ]
        for row in zip(*columns, strict=True):
            yield dict(zip(self.order, row, strict=True))

    def detail_texts(self) -> list[str]:
        """Every row's detail as `detail_json` writes it, without building the
        dictionaries: the values of each key encoded once per column, joined in the
        order of the sorted keys."""
        keys = sorted(self.order)
        parts = []
        for key in keys:
            if key in self.columns:
                parts.append(_value_texts(self.columns[key]))
            else:
                parts.append(repeat(detail_json(self.constants[key]), self.size))
        prefixes = [detail_json(key) + ": " for key in keys]
        return [
            "{" + ", ".join(p + v for p, v in zip(prefixes, row, strict=True)) + "}"
            for row in zip(*parts, strict=True)
        ]

    def event(self, detail: dict[str, Any]) -> dict[str, Any]:
        """One of the batch's events, as a single event is kept."""
        return {"year": self.year, "kind": self.kind, "label": self.label, "detail": detail}

    def head(self, size: int) -> _Batch:
        """The first `size` events."""
        columns = {
            name: (column[0], column[1][:size]) if isinstance(column, tuple) else column[:size]
            for name, column in self.columns.items()
        }
        return _Batch(self.year, self.kind, self.label, columns, self.constants, self.order, size)


def _checked(column: Any) -> np.ndarray:
    """A batch column as an array of numbers or text (a copy: the caller's array may
    change after it is logged)."""
    array = np.array(column, copy=True)
    if array.dtype.kind not in "biufUS":
        raise TypeError(f"a batch column must hold numbers or text, not {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"a batch column must be one value per event, not of shape {array.shape}")
    return array


def _stored(pieces: list[np.ndarray]) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A batch column as kept: text as (distinct values, codes), numbers as an array."""
    array = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    if array.dtype.kind in "US":
        distinct, codes = np.unique(array, return_inverse=True)
        return distinct, codes.astype(np.int32)
    return array


@dataclass
class _Gathering:
    """Batches with the same year, kind, label, constants and key order logged one after
    another (the rotation posts group by group), gathered into one `_Batch`."""

    header: tuple[int, str, str, tuple[str, ...]]
    constants: dict[str, Any]
    pieces: dict[str, list[np.ndarray]]
    size: int

    def batch(self) -> _Batch:
        year, kind, label, order = self.header
        columns = {name: _stored(pieces) for name, pieces in self.pieces.items()}
        return _Batch(year, kind, label, columns, self.constants, order, self.size)


def _size_of(part: dict[str, Any] | _Batch) -> int:
    """Events in a part of the log: a batch's rows, or one."""
    return part.size if isinstance(part, _Batch) else 1


def detail_json(detail: Mapping[str, Any]) -> str:
    """An event's detail as it is stored (events.parquet): JSON, keys sorted, text as it
    is (not escaped to ASCII), values JSON cannot hold as their `str`."""
    return json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str)


def _value_texts(column: np.ndarray | tuple[np.ndarray, np.ndarray]) -> list[str]:
    """Each row's value of a batch column as `detail_json` writes it inside a detail:
    each distinct text encoded once, integers as their digits, other numbers one by
    one."""
    if isinstance(column, tuple):
        distinct, codes = column
        words = [detail_json(str(word)) for word in distinct]
        return [words[code] for code in codes.tolist()]
    if column.dtype.kind in "iu":
        return [str(value) for value in column.tolist()]
    return [detail_json(value) for value in column.tolist()]


class EventLog(Sequence[dict[str, Any]]):
    """The events of a run in the order logged; each read as {"year", "kind", "label",
    "detail"}. `del log[n:]` forgets everything logged after the first n events (the
    intake's rehearsals undo their entries that way)."""

    def __init__(self) -> None:
        self._parts: list[dict[str, Any] | _Batch] = []
        self._size = 0
        self._gathering: _Gathering | None = None

    def _seal(self) -> None:
        """The batches being gathered become one part."""
        if self._gathering is not None:
            self._parts.append(self._gathering.batch())
            self._gathering = None

    def add(self, year: int, kind: str, label: str, detail: Mapping[str, Any]) -> None:
        """Log one event."""
        self._seal()
        self._parts.append({"year": year, "kind": kind, "label": label, "detail": dict(detail)})
        self._size += 1

    def add_batch(
        self,
        year: int,
        kind: str,
        label: str,
        columns: Mapping[str, Any],
        constants: Mapping[str, Any] | None = None,
        order: Sequence[str] | None = None,
    ) -> None:
        """Log one event per row of `columns` (arrays of equal length: numbers, or text);
        each event's detail has every column's value of its row and the `constants`,
        keys in `order` (default: the columns, then the constants). Consecutive batches
        alike but for their rows are kept as one."""
        constants = dict(constants or {})
        arrays = {name: _checked(column) for name, column in columns.items()}
        sizes = {array.size for array in arrays.values()}
        if len(sizes) > 1:
            raise ValueError(f"batch columns of different lengths: {sorted(sizes)}")
        if not sizes:
            raise ValueError("a batch needs at least one column (one value per event)")
        size = sizes.pop()
        keys = tuple(order) if order is not None else (*arrays, *constants)
        if set(keys) != set(arrays) | set(constants) or len(keys) != len(set(keys)):
            raise ValueError("order must name every column and constant once")
        if not size:
            return
        header = (year, kind, label, keys)
        gathering = self._gathering
        if (
            gathering is None
            or gathering.header != header
            or gathering.constants != constants
            or set(gathering.pieces) != set(arrays)
            or any(gathering.pieces[n][0].dtype.kind != a.dtype.kind for n, a in arrays.items())
        ):
            self._seal()
            gathering = self._gathering = _Gathering(header, constants, {n: [] for n in arrays}, 0)
        for name, array in arrays.items():
            gathering.pieces[name].append(array)
        gathering.size += size
        self._size += size

    def __len__(self) -> int:
        return self._size

    def columns(self) -> dict[str, list[Any]]:
        """The log as the columns of events.parquet: year, kind, label and the detail as
        JSON text (`detail_json`), in the order logged."""
        self._seal()
        table: dict[str, list[Any]] = {"year": [], "kind": [], "label": [], "detail": []}
        for part in self._parts:
            if isinstance(part, _Batch):
                table["year"] += [part.year] * part.size
                table["kind"] += [part.kind] * part.size
                table["label"] += [part.label] * part.size
                table["detail"] += part.detail_texts()
            else:
                for name in ("year", "kind", "label"):
                    table[name].append(part[name])
                table["detail"].append(detail_json(part["detail"]))
        return table

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._seal()
        for part in self._parts:
            if isinstance(part, _Batch):
                yield from map(part.event, part.details())
            else:
                yield part

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        self._seal()
        if isinstance(index, slice):
            return list(self)[index]
        position = index + self._size if index < 0 else index
        if not 0 <= position < self._size:
            raise IndexError("event log index out of range")
        for part in self._parts:
            if position < _size_of(part):
                if isinstance(part, _Batch):
                    (detail,) = part.details(position, position + 1)
                    return part.event(detail)
                return part
            position -= _size_of(part)
        raise IndexError("event log index out of range")  # pragma: no cover - sizes agree

    def __delitem__(self, index: slice) -> None:
        """Forget the events from `index.start` on (only `del log[n:]`)."""
        if not isinstance(index, slice) or index.stop is not None or index.step is not None:
            raise TypeError("only the events from one position to the end can be deleted")
        self._seal()
        keep = range(self._size)[index.start or 0 :].start if self._size else 0
        kept: list[dict[str, Any] | _Batch] = []
        size = 0
        for part in self._parts:
            part_size = _size_of(part)
            if size + part_size <= keep:
                kept.append(part)
                size += part_size
            elif size < keep:  # a batch cut through
                kept.append(part.head(keep - size))  # type: ignore[union-attr]
                size = keep
            else:
                break
        self._parts, self._size = kept, size
