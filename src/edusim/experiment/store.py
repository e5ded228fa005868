"""The experiment's folder: one Parquet part per finished run, a manifest, the final tables.

Layout of an output folder:

    experiment.yaml     the experiment as validated (written at every start)
    tasks.csv           the plan: variant, replicate, seed, task key, final year
    points.csv          parameter values of each design point (designs other than compare)
    parts/<task>.parquet  the metrics table of one finished run
    manifest.jsonl      one JSON line per finished or failed run, appended as it happens
    metrics.parquet     all runs of the plan, tidy, in plan order (written at the end)
    summary.csv, summary.md, sensitivity.csv   the summaries (written at the end)

A part is written under a temporary name, flushed to disk (fsync), renamed, and only
then is its manifest line, with the part's SHA-256, appended and flushed. A run counts
as finished only when its line says "ok" and its part is in place with that checksum (a
line written by an older version, without a checksum, needs a part that reads as
Parquet with the part's columns). An interrupted experiment therefore keeps every run
that finished; a rerun skips them and runs again any whose part is missing or torn.

Temporary files carry the writer's process id (`.<name>.<pid>.tmp`); opening the store
removes those of processes that no longer exist, i.e. what a killed run left behind.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from edusim.checksum import file_sha256
from edusim.experiment.task import PART_COLUMNS, Outcome

MANIFEST = "manifest.jsonl"
PARTS = "parts"
METRICS = "metrics.parquet"
BATCH_ROWS = 10_000
"""Rows per write to, and per read from, metrics.parquet (bounds the runner's memory)."""


TEMPORARY = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.tmp$")
"""Names of temporary files: `.<name>.<pid>.tmp` (older versions: `.<name>.tmp`)."""


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _sync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make renames in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _publish(temporary: Path, path: Path) -> None:
    """Flush a finished temporary file to disk, then rename it into place durably."""
    _sync_file(temporary)
    os.replace(temporary, path)
    _sync_folder(path.parent)


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (temporary name, fsync, then rename)."""
    temporary = _temporary(path)
    temporary.write_text(text, encoding="utf-8")
    _publish(temporary, path)


def _write_parquet(table: pa.Table, path: Path) -> str:
    """Write `table` atomically to `path`; return the file's SHA-256."""
    temporary = _temporary(path)
    pq.write_table(table, temporary)
    digest = file_sha256(temporary)
    _publish(temporary, path)
    return digest


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or we cannot tell: leave its file alone
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files in `folder` whose writer no longer runs; return them.

    A file of this process or of a live process is kept (it may be being written);
    a file without a process id (older versions) is always a leftover.
    """
    removed = []
    for path in folder.glob(".*.tmp"):
        match = TEMPORARY.match(path.name)
        if match is None or not path.is_file():
            continue
        pid = match["pid"]
        if pid is not None and (int(pid) == os.getpid() or _process_exists(int(pid))):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def part_is_sound(path: Path, record: dict[str, Any]) -> bool:
    """Whether the part at `path` is the one its manifest `record` describes: the same
    SHA-256 if the record has one, else a Parquet file with the part's columns."""
    if not path.is_file():
        return False
    expected = record.get("sha256")
    if expected is not None:
        return file_sha256(path) == expected
    try:
        names = pq.read_schema(path).names
    except (OSError, pa.ArrowException):
        return False
    return set(PART_COLUMNS) <= set(names)


class Store:
    """Reads and writes one experiment's output folder."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.parts = self.root / PARTS
        self.manifest = self.root / MANIFEST
        self.parts.mkdir(parents=True, exist_ok=True)
        self._end_torn_line()
        self.removed_leftovers = remove_leftovers(self.root) + remove_leftovers(self.parts)

    def _end_torn_line(self) -> None:
        """Close a last line cut off by a crash, so the next record starts on its own line."""
        if not self.manifest.exists() or self.manifest.stat().st_size == 0:
            return
        with self.manifest.open("rb+") as manifest:
            manifest.seek(-1, os.SEEK_END)
            if manifest.read(1) != b"\n":
                manifest.write(b"\n")

    def part(self, key: str) -> Path:
        """Where the metrics of task `key` live."""
        return self.parts / f"{key}.parquet"

    def records(self) -> dict[str, dict[str, Any]]:
        """The latest manifest line of every task (a torn last line is ignored)."""
        latest: dict[str, dict[str, Any]] = {}
        if not self.manifest.exists():
            return latest
        with self.manifest.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                latest[record["task"]] = record
        return latest

    def finished(self) -> set[str]:
        """Tasks that finished: recorded ok in the manifest, with a sound part in place
        (see `part_is_sound`); a torn or replaced part makes its task run again."""
        return {
            key
            for key, record in self.records().items()
            if record["status"] == "ok" and part_is_sound(self.part(key), record)
        }

    def _append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self.manifest.open("a", encoding="utf-8") as manifest:
            manifest.write(line)
            manifest.flush()
            os.fsync(manifest.fileno())

    def record(self, outcome: Outcome) -> None:
        """Store one outcome: the part first (atomically), then its manifest line."""
        record: dict[str, Any] = {
            "task": outcome.key,
            "seed": outcome.seed,
            "wall_seconds": round(outcome.wall_seconds, 3),
            "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if outcome.metrics is not None:
            table = pa.Table.from_pandas(outcome.metrics, preserve_index=False)
            digest = _write_parquet(table, self.part(outcome.key))
            record.update(status="ok", rows=table.num_rows, sha256=digest)
        else:
            record.update(status="failed", error=outcome.error)
        self._append(record)

    def write_metrics(self, labels: pd.DataFrame, finished: set[str]) -> Path:
        """Gather the parts of `labels` (variant, replicate, task rows) into metrics.parquet.

        Rows follow `labels`; tasks not in `finished` are left out. Parts are read one at
        a time and written in batches, so memory stays flat however many runs there are.
        """
        path = self.root / METRICS
        temporary = _temporary(path)
        writer: pq.ParquetWriter | None = None
        batch: list[pa.Table] = []
        try:
            for row in labels.itertuples(index=False):
                if row.task not in finished:
                    continue
                part = pq.read_table(self.part(row.task))
                rows = part.num_rows
                table = pa.table(
                    {
                        "scenario": part["scenario"],
                        "variant": pa.array([row.variant] * rows, pa.string()),
                        "replicate": pa.array([row.replicate] * rows, pa.int64()),
                        "seed": part["seed"],
                        "year": part["year"],
                        "metric": part["metric"],
                        "value": part["value"],
                        "task": pa.array([row.task] * rows, pa.string()),
                    }
                )
                batch.append(table)
                if sum(t.num_rows for t in batch) >= BATCH_ROWS:
                    writer = _flush(batch, writer, temporary)
            writer = _flush(batch, writer, temporary)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:  # nothing finished: an empty table with the same columns
            pq.write_table(_empty_metrics(), temporary)
        _publish(temporary, path)
        return path

    def select_metrics(self, years: Iterable[int], metrics: Iterable[str]) -> pd.DataFrame:
        """Rows of metrics.parquet in `years` and `metrics`, read a batch at a time."""
        wanted_years = pa.array(sorted(set(years)), pa.int64())
        wanted_metrics = pa.array(sorted(set(metrics)), pa.string())
        kept = []
        for batch in pq.ParquetFile(self.root / METRICS).iter_batches(batch_size=BATCH_ROWS):
            mask = pc.and_(
                pc.is_in(batch["year"], value_set=wanted_years),
                pc.is_in(batch["metric"], value_set=wanted_metrics),
            )
            kept.append(batch.filter(mask))
        schema = pq.read_schema(self.root / METRICS)
        return pa.Table.from_batches(kept, schema=schema).to_pandas()


def _flush(batch: list[pa.Table], writer: pq.ParquetWriter | None, path: Path):
    if not batch:
        return writer
    table = pa.concat_tables(batch)
    batch.clear()
    if writer is None:
        writer = pq.ParquetWriter(path, table.schema)
    writer.write_table(table)
    return writer


def _empty_metrics() -> pa.Table:
    columns: Iterable[tuple[str, pa.DataType]] = (
        ("scenario", pa.string()),
        ("variant", pa.string()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
        ("year", pa.int64()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("task", pa.string()),
    )
    return pa.schema(list(columns)).empty_table()
