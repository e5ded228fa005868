"""Claiming output folders: only missing, empty or own folders; locks; safe names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edusim.output_dir import (
    LOCK,
    MARKERS,
    OutputFolderError,
    claim_output,
    remove_dead_partials,
    safe_component,
)

HOLDER = """
import sys
from edusim.output_dir import claim_output
with claim_output(sys.argv[1], sys.argv[2], sys.argv[3], resume=True):
    print("holding", flush=True)
    sys.stdin.read()
"""


def dead_pid() -> int:
    """The id of a process that has exited (and was reaped)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def claim_once(path: Path, kind: str, name: str, *, resume: bool = False) -> None:
    """Claim a folder and let it go at once."""
    with claim_output(path, kind, name, resume=resume):
        pass


@pytest.fixture
def holder() -> Iterator:
    """holder(folder, kind, name) -> a live process holding the claim until the test ends."""
    started: list[subprocess.Popen] = []

    def start(folder: Path, kind: str = "run", name: str = "demo") -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(folder), kind, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout.readline().strip() == "holding"
        return process

    yield start
    for process in started:
        process.stdin.close()
        process.wait()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("demo", "demo"),
        ("杭州 集团化", "杭州 集团化"),
        ("../../etc", "_.._etc"),
        (".hidden", "hidden"),
        ("a/b", "a_b"),
        ("a\\b\x00c", "a_b_c"),
    ],
)
def test_names_become_one_safe_path_component(name, expected):
    cleaned = safe_component(name)
    assert cleaned == expected
    assert Path(cleaned).name == cleaned and len(Path(cleaned).parts) == 1


@pytest.mark.parametrize("name", ["", "..", ".", "  ", "x" * 300])
def test_names_that_cannot_be_a_folder_are_refused_naming_the_key(name):
    with pytest.raises(OutputFolderError, match=r"^name: "):
        safe_component(name, "name")


def test_a_missing_folder_is_created_marked_and_left_unlocked(tmp_path):
    out = tmp_path / "a" / "run"
    with claim_output(out, "run", "demo"):
        lock = json.loads((out / LOCK).read_text())
        assert lock["pid"] == os.getpid() and lock["kind"] == "run" and lock["name"] == "demo"
        (out / "metrics.parquet").write_bytes(b"x")
    assert sorted(p.name for p in out.iterdir()) == [MARKERS["run"], "metrics.parquet"]


def test_a_failure_inside_the_claim_removes_a_folder_it_created(tmp_path):
    with pytest.raises(KeyboardInterrupt), claim_output(tmp_path / "run", "run", "demo"):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RuntimeError), claim_output(empty, "run", "demo"):
        raise RuntimeError("simulation failed")
    assert empty.is_dir() and list(empty.iterdir()) == []  # the user's folder stays


def test_folders_that_are_not_ours_are_refused_untouched(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "summary.md").write_text("mine")
    for kind in ("run", "experiment"):
        with pytest.raises(OutputFolderError, match="not empty"):
            claim_once(foreign, kind, "demo", resume=True)
    assert [p.name for p in foreign.iterdir()] == ["summary.md"]
    assert (foreign / "summary.md").read_text() == "mine"


def test_an_experiment_resumes_only_its_own_folder(tmp_path):
    out = tmp_path / "exp"
    with claim_output(out, "experiment", "peer"):
        (out / "manifest.jsonl").write_text("")
    with claim_output(out, "experiment", "peer", resume=True):  # its own: resumed
        pass
    with pytest.raises(OutputFolderError, match="holds the experiment 'peer', not 'other'"):
        claim_once(out, "experiment", "other", resume=True)
    with pytest.raises(OutputFolderError, match="edusim experiment"):
        claim_once(out, "run", "peer")


def test_an_experiment_does_not_write_into_a_run_folder(tmp_path):
    run = tmp_path / "run"
    with claim_output(run, "run", "demo"):
        (run / "metrics.parquet").write_bytes(b"run")
    with pytest.raises(OutputFolderError, match="results of an edusim run"):
        claim_once(run, "experiment", "demo", resume=True)
    assert (run / "metrics.parquet").read_bytes() == b"run"


def test_an_experiment_folder_from_before_markers_is_resumed_by_name(tmp_path):
    out = tmp_path / "exp"
    out.mkdir()
    (out / "experiment.yaml").write_text("name: peer\n")
    with claim_output(out, "experiment", "peer", resume=True):
        pass
    assert json.loads((out / MARKERS["experiment"]).read_text())["name"] == "peer"
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "experiment.yaml").write_text("name: peer\n")
    with pytest.raises(OutputFolderError), claim_output(legacy, "experiment", "other"):
        pass


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_a_file_or_device_is_named_as_such(tmp_path, target):
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not path.exists():
        path.write_text("x")
    if not path.exists():
        pytest.skip("no /dev/null here")
    expected = "is a file" if path.is_file() else "is a device or special file, not a folder"
    with pytest.raises(OutputFolderError, match=expected):
        claim_once(path, "run", "demo")


def test_a_live_lock_is_refused_with_its_owner(tmp_path, holder):
    out = tmp_path / "busy"
    process = holder(out, "experiment", "peer")
    with pytest.raises(OutputFolderError) as caught:
        claim_once(out, "experiment", "peer", resume=True)
    message = str(caught.value)
    assert f"in use by edusim experiment 'peer' (PID {process.pid} on " in message
    assert "wait for it to finish or choose another --out" in message


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "stale"
    out.mkdir()
    (out / MARKERS["run"]).write_text('{"kind": "run", "name": "demo"}')
    (out / LOCK).write_text(json.dumps({"pid": dead_pid(), "host": "h", "kind": "run"}))
    with claim_output(out, "run", "demo"):
        assert json.loads((out / LOCK).read_text())["pid"] == os.getpid()
    assert not (out / LOCK).exists()


def test_a_lock_released_by_its_holder_can_be_taken(tmp_path, holder):
    out = tmp_path / "released"
    process = holder(out)
    process.stdin.close()
    assert process.wait() == 0
    with claim_output(out, "run", "demo", resume=True):
        pass


def test_dead_staging_folders_are_removed_live_ones_kept(tmp_path, holder):
    live = holder(tmp_path / "other")
    dead = dead_pid()
    for name in (f".run.partial-{dead}", f".report.partial-{dead}", f".report-zh.partial-{dead}"):
        (tmp_path / name).mkdir()
    kept = [f".run.partial-{live.pid}", "keep.partial-1", f".other.partial-{dead}"]
    for name in kept:
        (tmp_path / name).mkdir()
    removed = remove_dead_partials(tmp_path)
    assert len(removed) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "other"])
