"""End to end: the demo runs, writes complete results, and reproduces itself."""

from __future__ import annotations

import pandas as pd

from edusim.cli import main
from edusim.metrics import METRICS


def test_demo_run_records_every_metric_each_year(demo_run):
    metrics = demo_run.tables()["metrics"]
    assert set(metrics["metric"]) == set(METRICS)
    assert sorted(metrics["year"].unique()) == [2018, 2019, 2020, 2021, 2022]


def test_cli_run_writes_complete_directory(tmp_path, demo_path):
    out = tmp_path / "run"
    assert main(["run", str(demo_path), "--years", "2", "--out", str(out), "--quiet"]) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {
        "metrics.parquet",
        "schools.parquet",
        "memberships.parquet",
        "events.parquet",
        "balance.parquet",
        "city.parquet",
        "scenario.resolved.yaml",
        "manifest.json",
        "summary.md",
        ".edusim-run",
        "figures",
        "tables",
        "report.md",
        "report.html",
    }
    schools = pd.read_parquet(out / "schools.parquet")
    assert (schools["enrollment"] <= schools["capacity"]).all()
