"""The experiment store: durable parts, parts verified when read, leftovers cleaned."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from edusim.experiment import run_experiment, store
from edusim.experiment.store import Store
from edusim.experiment.task import Outcome


def outcome(key: str, value: float = 1.0) -> Outcome:
    metrics = pd.DataFrame(
        {
            "scenario": ["demo", "demo"],
            "seed": [7, 7],
            "year": [2018, 2019],
            "metric": ["quality_sd", "quality_sd"],
            "value": [value, value + 1],
        }
    )
    return Outcome(key, 7, metrics, None, 0.5)


def manifest_lines(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]


def test_a_recorded_part_carries_its_checksum_and_counts_as_finished(tmp_path):
    kept = Store(tmp_path)
    kept.record(outcome("a"))
    (line,) = manifest_lines(tmp_path)
    assert line["status"] == "ok"
    assert line["sha256"] == store.file_sha256(kept.part("a"))
    assert kept.finished() == {"a"}


def test_a_torn_part_is_not_finished(tmp_path):
    kept = Store(tmp_path)
    kept.record(outcome("a"))
    kept.record(outcome("b"))
    part = kept.part("a")
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    assert Store(tmp_path).finished() == {"b"}


def test_a_part_swapped_for_another_valid_part_is_not_finished(tmp_path):
    kept = Store(tmp_path)
    kept.record(outcome("a", 1.0))
    kept.record(outcome("b", 2.0))
    kept.part("a").write_bytes(kept.part("b").read_bytes())  # readable, but not a's
    assert Store(tmp_path).finished() == {"b"}


def test_lines_without_a_checksum_need_a_readable_part(tmp_path):
    """Manifests written before checksums existed: the part must read as a part."""
    kept = Store(tmp_path)
    kept.record(outcome("good"))
    kept.record(outcome("torn"))
    kept.record(outcome("other"))
    lines = manifest_lines(tmp_path)
    for line in lines:
        del line["sha256"]
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (tmp_path / "manifest.jsonl").write_text(text)
    kept.part("torn").write_bytes(b"PAR1 not really")
    pd.DataFrame({"x": [1]}).to_parquet(kept.part("other"))  # Parquet, wrong columns
    assert Store(tmp_path).finished() == {"good"}


def test_parts_are_flushed_to_disk_before_they_are_renamed(tmp_path, monkeypatch):
    events: list[tuple[str, str]] = []
    fsync, replace = os.fsync, os.replace

    def logged_fsync(descriptor: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}")))
        fsync(descriptor)

    def logged_replace(source, target) -> None:
        events.append(("replace", str(source)))
        replace(source, target)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to name the file behind a descriptor")
    kept = Store(tmp_path)
    monkeypatch.setattr(os, "fsync", logged_fsync)
    monkeypatch.setattr(os, "replace", logged_replace)
    kept.record(outcome("a"))
    renamed = [path for kind, path in events if kind == "replace"]
    assert len(renamed) == 1 and renamed[0].endswith(".tmp")
    position = events.index(("replace", renamed[0]))
    assert ("fsync", renamed[0]) in events[:position]  # the file itself, before the rename
    assert ("fsync", str(tmp_path / "parts")) in events[position:]  # then the rename
    assert ("fsync", str(tmp_path / "manifest.jsonl")) in events[position:]


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    dead = 2**22 + 1  # above Linux's largest pid: no such process
    removed = [
        parts / f".abc.parquet.{dead}.tmp",
        parts / ".old-style.parquet.tmp",  # written by a version without pids
        tmp_path / f".metrics.parquet.{dead}.tmp",
        tmp_path / f".summary.md.{dead}.tmp",
    ]
    kept = [parts / f".def.parquet.{os.getppid()}.tmp", parts / "done.parquet"]
    for path in removed + kept:
        path.write_bytes(b"half a file")
    opened = Store(tmp_path)
    assert sorted(opened.removed_leftovers) == sorted(removed)
    assert not any(path.exists() for path in removed)
    assert all(path.exists() for path in kept)


def test_resume_reruns_a_task_whose_part_is_torn(tiny, tmp_path):
    first = run_experiment(tiny, replications=1, workers=1, out=tmp_path)
    assert first.ran == 3
    torn = first.plan.tasks["task"].iloc[1]
    part = tmp_path / "parts" / f"{torn}.parquet"
    part.write_bytes(part.read_bytes()[:100])
    again = run_experiment(tiny, replications=1, workers=1, out=tmp_path)
    assert (again.ran, again.reused) == (1, 2)
    pd.testing.assert_frame_equal(again.metrics(), first.metrics())
    pd.testing.assert_frame_equal(again.summary, first.summary)
