"""The Python API: the EMA Workbench and SALib examples at tiny sizes, evaluate, compare."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def test_salib_example_runs():
    main = runpy.run_path(str(EXPERIMENTS / "salib_example.py"))["main"]
    table = main(["--samples", "2", "--years", "1"])
    assert set(table["outcome"]) == {"ses_gap", "movers_share"} and len(table) == 4


def test_ema_workbench_example_runs():
    pytest.importorskip("ema_workbench")
    main = runpy.run_path(str(EXPERIMENTS / "ema_workbench_example.py"))["main"]
    table = main(["--scenarios", "2", "--years", "1"])
    assert len(table) == 2 and np.isfinite(table["ses_gap"]).all()


def test_evaluate_returns_final_year_metrics():
    import edusim

    demo = EXPERIMENTS.parent / "scenarios" / "demo.yaml"
    low = edusim.evaluate(demo, years=1, seed=3, learning__peer_effect=0.0)
    high = edusim.evaluate(demo, years=1, seed=3, metrics=["ses_gap"], learning__peer_effect=0.08)
    assert "quality_sd" in low and list(high) == ["ses_gap"]
    assert high["ses_gap"] != low["ses_gap"]


def test_compare_returns_the_paired_summary(tmp_path):
    import edusim

    demo = EXPERIMENTS.parent / "scenarios" / "demo.yaml"
    summary = edusim.compare(
        demo,
        {"baseline": {}, "choosy": {"families.quality_taste_mean": 0.8}},
        replications=2,
        years=1,
        metrics=["premium_mean_cny"],
        workers=1,
        out=tmp_path,
    )
    assert summary["variant"].tolist() == ["baseline", "choosy"]
    assert summary.loc[1, "pairs"] == 2 and summary.loc[1, "diff_mean"] > 0
    assert (tmp_path / "summary.md").exists()
