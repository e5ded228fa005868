"""Running and writing results: complete atomic directories, checksums, byte-identical reruns."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd
import pytest

import edusim.results as results
from edusim.metrics import METRICS
from edusim.model import EduModel
from edusim.results import (
    TABLE_NAMES,
    OutputExistsError,
    RunResult,
    default_run_dir,
    headline_table,
    markdown_table,
    run_scenario,
    write_run,
    write_table,
)
from edusim.scenario.loader import load_scenario

FILES = {f"{name}.parquet" for name in TABLE_NAMES} | {
    "scenario.resolved.yaml",
    "manifest.json",
    "summary.md",
    ".edusim-run",
}


@pytest.fixture(scope="module")
def result(demo_path) -> RunResult:
    return run_scenario(demo_path, 3, years=2)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_scenario_returns_tables_and_writes_nothing(demo_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    run = run_scenario(demo_path, 3, years=2, overrides={"learning.peer_effect": 0.05})
    elapsed = time.perf_counter() - started
    assert run.seed == 3
    assert run.scenario.years == 2
    assert run.scenario.learning.peer_effect == 0.05
    assert set(run.tables) == set(TABLE_NAMES)
    assert sorted(run.tables["metrics"]["year"].unique()) == [2018, 2019, 2020]
    # the run's own clock covers building and running the model, inside the call's time
    assert 0.2 * elapsed < run.wall_seconds <= elapsed
    assert list(tmp_path.iterdir()) == []


def test_a_run_directory_is_complete_and_its_manifest_checks_out(result, tmp_path):
    out = write_run(result, tmp_path / "run", "parquet", ["edusim", "run", "x"])
    assert out == tmp_path / "run"
    assert {p.name for p in out.iterdir()} == FILES
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["seed"] == 3
    assert manifest["years"] == 2
    assert manifest["scenario"] == "demo"
    assert manifest["format"] == "parquet"
    assert manifest["command"] == ["edusim", "run", "x"]
    assert {"mesa", "numpy", "pandas"} <= set(manifest["packages"])
    for name in TABLE_NAMES:
        entry = manifest["tables"][name]
        assert entry["file"] == f"{name}.parquet"
        assert entry["rows"] == len(result.tables[name])
        assert entry["sha256"] == _sha256(out / entry["file"])
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / entry["file"]), result.tables[name], check_dtype=False
        )
    summary = (out / "summary.md").read_text()
    assert summary.startswith("# demo: seed 3")
    assert "quality_sd" in summary
    # nothing is left beside the run directory
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_csv_tables(result, tmp_path):
    out = write_run(result, tmp_path / "csv", "csv")
    assert {p.name for p in out.iterdir()} == {f"{n}.csv" for n in TABLE_NAMES} | (
        FILES - {f"{n}.parquet" for n in TABLE_NAMES}
    )
    metrics = pd.read_csv(out / "metrics.csv")
    assert list(metrics.columns) == ["scenario", "replicate", "seed", "year", "metric", "value"]
    assert set(metrics["metric"]) == set(METRICS)
    original = result.tables["metrics"]["value"].to_numpy()
    assert metrics["value"].to_numpy() == pytest.approx(original, rel=1e-9, nan_ok=True)


def test_same_seed_same_bytes_other_seed_other_bytes(demo_path, tmp_path):
    paths = {}
    for label, seed in (("a", 5), ("b", 5), ("c", 6)):
        paths[label] = write_run(run_scenario(demo_path, seed, years=2), tmp_path / label)
    for name in ("metrics", "schools", "events"):
        a, b, c = ((paths[x] / f"{name}.parquet").read_bytes() for x in "abc")
        assert a == b, f"{name}.parquet differs between two runs with the same seed"
        assert a != c, f"{name}.parquet is the same under another seed"


def test_the_resolved_scenario_reproduces_the_run(result, tmp_path):
    out = write_run(result, tmp_path / "first")
    manifest = json.loads((out / "manifest.json").read_text())
    scenario = load_scenario(out / "scenario.resolved.yaml")
    assert scenario == result.scenario
    again = write_run(run_scenario(scenario, manifest["seed"]), tmp_path / "again")
    for name in ("metrics", "schools", "events"):
        assert (out / f"{name}.parquet").read_bytes() == (again / f"{name}.parquet").read_bytes()


def test_output_directory_rules(result, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert {p.name for p in write_run(result, empty).iterdir()} == FILES
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="not empty"):
        write_run(result, full)
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    assert (full / "keep.txt").read_text() == "mine"
    with pytest.raises(OutputExistsError, match="not empty"):  # a finished run is not redone
        write_run(result, empty)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(OutputExistsError, match="is a file"):
        write_run(result, a_file)
    assert a_file.read_text() == "x"


def test_a_run_is_written_in_place_so_a_folder_that_cannot_be_renamed_works(
    result, tmp_path, monkeypatch
):
    """An empty mount point cannot be renamed over (EBUSY): nothing renames the folder."""
    out = tmp_path / "mounted"
    out.mkdir()
    real_rename, real_replace = results.os.rename, results.os.replace

    def refuse_out(rename):
        def guarded(source, target, *args, **kwargs):
            if Path(target) == out:
                raise OSError(16, "Device or resource busy")
            return rename(source, target, *args, **kwargs)

        return guarded

    monkeypatch.setattr(results.os, "rename", refuse_out(real_rename))
    monkeypatch.setattr(results.os, "replace", refuse_out(real_replace))
    assert {p.name for p in write_run(result, out).iterdir()} == FILES


def test_a_killed_runs_leftovers_are_cleaned_by_the_next_run(result, tmp_path):
    """SIGKILL leaves a marker, an unheld lock and `.run.partial-PID`; a later run into the
    same folder takes it over, and one next to it removes it."""
    dead = _dead_pid()
    for name in ("same", "old"):
        folder = tmp_path / name
        (folder / f".run.partial-{dead}").mkdir(parents=True)
        (folder / f".run.partial-{dead}" / "metrics.parquet").write_bytes(b"torn")
        (folder / ".edusim-run").write_text('{"kind": "run", "name": "demo"}')
        (folder / ".edusim.lock").write_text(json.dumps({"pid": dead, "host": "here"}))
    assert {p.name for p in write_run(result, tmp_path / "same").iterdir()} == FILES
    assert not (tmp_path / "old").exists()


def _dead_pid() -> int:
    """The id of a process that has exited."""
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def test_a_failed_write_leaves_nothing_behind(result, tmp_path, monkeypatch):
    written = []

    def failing(frame, path, fmt):
        if written:  # the second table fails
            raise OSError("disk full")
        written.append(path)
        return write_table(frame, path, fmt)

    monkeypatch.setattr(results, "write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        write_run(result, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_write_table_refuses_unknown_formats(result, tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        write_table(result.tables["metrics"], tmp_path / "metrics", "xlsx")
    assert list(tmp_path.iterdir()) == []


def test_headline_table_first_last_and_change(result):
    headline = headline_table(result.tables["metrics"])
    assert list(headline.columns) == ["metric", "unit", "direction", "2018", "2020", "change"]
    assert list(headline["metric"]) == list(METRICS)
    metrics = result.tables["metrics"]
    pupils = headline.set_index("metric").loc["pupils"]
    values = metrics[metrics.metric == "pupils"].set_index("year")["value"]
    assert pupils["2018"] == values[2018]
    assert pupils["2020"] == values[2020]
    assert pupils["change"] == values[2020] - values[2018]
    assert result.headline().equals(headline)


def test_markdown_table_by_hand():
    frame = pd.DataFrame({"metric": ["a", "b"], "value": [1.234567, 100000.0], "n": [1, 2]})
    assert markdown_table(frame) == (
        "| metric | value | n |\n|---|---|---|\n| a | 1.235 | 1 |\n| b | 1e+05 | 2 |"
    )


def test_default_run_dirs_are_unique(tmp_path):
    first = default_run_dir(tmp_path, "demo", 3)
    assert first.parent == tmp_path / "demo"
    assert first.name.endswith("-seed3")
    assert not first.exists()
    first.mkdir(parents=True)
    second = default_run_dir(tmp_path, "demo", 3)
    assert second != first and not second.exists()
    assert second.parent == tmp_path / "demo"


def test_replicates_are_recorded(demo_path):
    model = EduModel(demo_path, seed=2, years=1, replicate=4).run()
    for frame in model.tables().values():
        assert (frame["replicate"] == 4).all()
