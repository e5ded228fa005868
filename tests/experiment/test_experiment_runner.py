"""Running experiments: same tables on every executor, resume, failures, the CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from distributed import LocalCluster

from edusim.cli import main
from edusim.experiment import (
    DaskUnavailableError,
    ExperimentFailedError,
    ExperimentResult,
    ReplicationsFailedWarning,
    plan,
    run_experiment,
    runner,
)
from edusim.experiment.plan import replicate_seed
from edusim.experiment.task import FAIL_SEEDS_VARIABLE


def same_tables(result: ExperimentResult, reference: ExperimentResult) -> None:
    pd.testing.assert_frame_equal(result.metrics(), reference.metrics())
    pd.testing.assert_frame_equal(result.summary, reference.summary)


def ok_keys(out: Path) -> list[str]:
    """Tasks recorded as finished, in manifest order (torn lines skipped)."""
    keys = []
    for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record["status"] == "ok":
            keys.append(record["task"])
    return keys


def test_serial_run_is_complete_and_paired(serial_run, tiny):
    metrics = serial_run.metrics()
    assert serial_run.ok and serial_run.ran == 9 and serial_run.reused == 0
    assert list(metrics.columns[:7]) == [
        "scenario",
        "variant",
        "replicate",
        "seed",
        "year",
        "metric",
        "value",
    ]
    seeds = metrics.groupby(["variant", "replicate"])["seed"].first().unstack("variant")
    assert (seeds.nunique(axis=1) == 1).all()  # replicate k has one seed in every variant
    assert seeds.iloc[:, 0].tolist() == [replicate_seed(5, k) for k in range(3)]
    summary = serial_run.summary
    assert set(summary["metric"]) == set(tiny["metrics"])
    moved = summary.query("variant == 'choosy' and metric == 'premium_mean_cny'").iloc[0]
    assert moved["diff_low"] <= moved["diff_mean"] <= moved["diff_high"]
    assert {"summary.csv", "summary.md", "metrics.parquet", "tasks.csv"} <= {
        p.name for p in serial_run.out.iterdir()
    }


def test_two_workers_give_the_same_tables(serial_run, tiny, tmp_path):
    result = run_experiment(tiny, workers=2, out=tmp_path)
    same_tables(result, serial_run)


def test_dask_local_cluster_gives_the_same_tables(serial_run, tiny, tmp_path):
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = run_experiment(tiny, dask=cluster.scheduler_address, out=tmp_path)
    same_tables(result, serial_run)


def test_dask_without_workers_stops_after_the_wait(tiny, tiny_file, tmp_path, capsys):
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(DaskUnavailableError, match="no Dask worker joined"):
            run_experiment(tiny, dask=address, dask_wait=0.5, out=tmp_path / "api")
        command = ["experiment", str(tiny_file), "--dask", address, "--dask-wait", "1"]
        assert main([*command, "--out", str(tmp_path / "cli"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"no Dask worker joined the scheduler at {address} within 1 s" in err
    assert "Traceback" not in err


def test_dask_says_how_many_workers_are_connected(tiny, tmp_path, capsys):
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        run_experiment(
            tiny, replications=1, dask=cluster.scheduler_address, out=tmp_path, progress=True
        )
    assert "1 worker(s) connected, 2 thread(s)" in capsys.readouterr().err


def test_resume_after_kill_reuses_finished_runs(serial_run, tiny_file, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "edusim", "experiment", str(tiny_file)]
    command += ["--workers", "1", "--out", str(out), "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait for two finished runs or for the process to end by itself (no wall-clock limit:
    # a loaded machine only makes the wait longer, and the test holds whichever happens)
    while process.poll() is None:
        if (out / "manifest.jsonl").exists() and len(ok_keys(out)) >= 2:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = set(ok_keys(out))
    assert finished, "the killed run finished nothing"
    with (out / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.write('{"task": "torn')  # a line cut off mid-write
    (out / "parts" / ".stray.parquet.tmp").write_bytes(b"half a file")

    resumed = run_experiment(tiny_file, workers=1, out=out)
    assert not (out / "parts" / ".stray.parquet.tmp").exists()  # cleaned on the next run
    assert resumed.reused == len(finished)
    assert resumed.ran == 9 - len(finished)
    keys = ok_keys(out)
    assert len(keys) == len(set(keys)) == 9  # no run was done twice
    same_tables(resumed, serial_run)

    again = run_experiment(tiny_file, workers=1, out=out)
    assert (again.ran, again.reused) == (0, 9)


def test_more_replications_reuse_the_first(serial_run, tiny, tmp_path):
    first = run_experiment(tiny, replications=2, workers=1, out=tmp_path)
    assert first.ran == 6
    more = run_experiment(tiny, workers=1, out=tmp_path)
    assert (more.ran, more.reused) == (3, 6)
    same_tables(more, serial_run)


def test_runs_of_another_model_version_are_not_reused(tiny, tmp_path, monkeypatch):
    first = run_experiment(tiny, replications=1, workers=1, out=tmp_path)
    assert first.ran == 3
    monkeypatch.setattr(plan, "model_fingerprint", lambda: "another-version-of-the-model")
    again = run_experiment(tiny, replications=1, workers=1, out=tmp_path)
    assert (again.ran, again.reused) == (3, 0)


def test_failing_replication_is_reported_and_the_rest_finish(tiny, tmp_path, monkeypatch):
    bad_seed = replicate_seed(tiny["seed"], 1)
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(bad_seed))
    with pytest.warns(ReplicationsFailedWarning, match="3 of 9 runs .* failed"):
        result = run_experiment(tiny, workers=2, out=tmp_path)
    assert not result.ok
    assert (result.summary["failed"] == 1).all() and (result.summary["n"] == 2).all()
    assert sorted(result.failures["variant"]) == ["baseline", "choosy", "slow-housing"]
    assert set(result.failures["seed"]) == {bad_seed}
    assert result.failures["error"].str.contains("failure injected").all()
    assert (
        result.metrics().groupby("variant")["replicate"].unique().map(sorted).tolist()
        == [[0, 2]] * 3
    )
    records = [json.loads(line) for line in (tmp_path / "manifest.jsonl").open()]
    failed = [r for r in records if r["status"] == "failed"]
    assert len(failed) == 3 and all("Traceback" in r["error"] for r in failed)
    assert "Failed replications" in (tmp_path / "summary.md").read_text(encoding="utf-8")

    monkeypatch.delenv(FAIL_SEEDS_VARIABLE)
    retried = run_experiment(tiny, workers=1, out=tmp_path)
    assert retried.ok and (retried.ran, retried.reused) == (3, 6)


def test_cli_exit_code_says_whether_every_run_finished(
    tiny, tiny_file, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(replicate_seed(tiny["seed"], 1)))
    command = ["experiment", str(tiny_file), "--reps", "2", "--workers", "1", "--quiet"]
    assert main([*command, "--out", str(tmp_path / "a")]) == 1
    printed = capsys.readouterr()
    assert "3 failed" in printed.out
    assert printed.err.count("failed: RuntimeError: failure injected") == 3
    assert "Warning" not in printed.err  # the command lists failures itself
    monkeypatch.delenv(FAIL_SEEDS_VARIABLE)
    assert main([*command, "--out", str(tmp_path / "a")]) == 0
    assert "3 runs done now, 3 reused, 0 failed" in capsys.readouterr().out


def test_cli_says_so_when_every_run_failed(tiny, tiny_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(replicate_seed(tiny["seed"], 0)))
    command = ["experiment", str(tiny_file), "--reps", "1", "--workers", "1", "--quiet"]
    assert main([*command, "--out", str(tmp_path / "a")]) == 1
    err = capsys.readouterr().err
    assert "all 3 runs of experiment 'tiny' failed" in err
    assert "RuntimeError: failure injected" in err and "manifest.jsonl" in err


def test_every_run_failing_raises_instead_of_an_empty_summary(tiny, tmp_path, monkeypatch):
    seed = replicate_seed(tiny["seed"], 0)
    monkeypatch.setenv(FAIL_SEEDS_VARIABLE, str(seed))
    with pytest.raises(ExperimentFailedError, match="all 3 runs of experiment 'tiny' failed"):
        run_experiment(tiny, replications=1, workers=1, out=tmp_path)
    try:
        run_experiment(tiny, replications=1, workers=1, out=tmp_path)
    except ExperimentFailedError as error:
        assert error.out == tmp_path and len(error.failures) == 3
        assert f"failure injected for seed {seed}" in str(error)
    # the folder still says what happened
    assert "Failed replications" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_lost_workers_are_explained_by_the_main_guard_or_memory(serial_run):
    failures = pd.DataFrame(
        {"variant": ["baseline"], "error": ["concurrent.futures.process.BrokenProcessPool: x"]}
    )
    error = runner._all_failed(serial_run.plan, failures, serial_run.out)
    assert 'if __name__ == "__main__":' in str(error) and "lack of memory" in str(error)
