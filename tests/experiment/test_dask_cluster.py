"""Dask workers with other edusim code are refused, and the README's SLURM recipe builds
a cluster whose jobs start the shared environment's Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from distributed import LocalCluster

import edusim.provenance as provenance
from edusim.cli import main
from edusim.experiment import DaskUnavailableError, executor, run_experiment
from edusim.experiment.task import Task, run_task
from edusim.scenario.loader import load_scenario

README = Path(__file__).resolve().parents[2] / "experiments" / "README.md"


def test_workers_with_other_code_are_refused_before_any_task(
    tiny, tiny_file, tmp_path, monkeypatch, capsys
):
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        # the worker lives in this process: make it report "other" code
        monkeypatch.setattr(executor, "worker_model_hash", lambda: "0" * 24)
        address = cluster.scheduler_address
        with pytest.raises(DaskUnavailableError, match="run other edusim model code"):
            run_experiment(tiny, dask=address, dask_wait=5, out=tmp_path / "api")
        command = ["experiment", str(tiny_file), "--dask", address, "--dask-wait", "5"]
        assert main([*command, "--out", str(tmp_path / "cli"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "(same commit) on the workers" in err and "Traceback" not in err
    assert not (tmp_path / "api" / "parts").exists() or not any(
        (tmp_path / "api" / "parts").iterdir()
    )


def test_a_worker_refuses_a_task_planned_with_other_code(demo_path):
    scenario = load_scenario(demo_path, {"years": 1})
    refused = run_task(Task("k", scenario, 1, model_hash="f" * 24))
    assert not refused.ok and "CodeMismatchError" in refused.error
    assert "install the same edusim" in refused.error
    assert run_task(Task("k", scenario, 1, model_hash=provenance.model_hash())).ok


def _readme_cluster_arguments() -> dict:
    block = re.search(r"```python\n(# cluster\.py.*?)```", README.read_text(), re.S).group(1)
    (call,) = [
        node
        for node in ast.walk(ast.parse(block))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "SLURMCluster"
    ]
    return {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}


def test_the_readmes_slurm_recipe_starts_the_shared_environment():
    jobqueue = pytest.importorskip("dask_jobqueue")
    arguments = _readme_cluster_arguments()
    assert arguments["python"].startswith("/shared/")
    arguments["scheduler_options"] = {"port": 0, "dashboard_address": None}  # a free port
    with jobqueue.SLURMCluster(**arguments) as cluster:
        script = cluster.job_script()
    assert f"{arguments['python']} -m distributed.cli.dask_worker" in script
    for line in arguments["job_script_prologue"]:
        assert line in script
    prologue_at = script.index(arguments["job_script_prologue"][-1])
    assert prologue_at < script.index(arguments["python"] + " -m")
    assert "#SBATCH -A my-project" in script and "#SBATCH -p normal" in script
