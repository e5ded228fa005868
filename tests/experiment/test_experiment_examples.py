"""The Python API: the EMA Workbench and SALib examples at tiny sizes, evaluate, compare."""

from __future__ import annotations

import ast
import inspect
import runpy
from pathlib import Path

import numpy as np
import pytest

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def _salib_outcomes(learning__peer_effect, families__quality_taste_mean, **_):
    """A stand-in for `edusim.evaluate` whose answer is known: `ses_gap` depends only on
    the peer effect and `movers_share` only on the taste for quality."""
    return {"ses_gap": 10.0 * learning__peer_effect, "movers_share": families__quality_taste_mean}


def test_salib_example_attributes_each_outcome_to_the_parameter_that_drives_it(monkeypatch):
    import edusim

    calls = []

    def evaluate(scenario, seed, years, metrics, **parameters):
        assert (
            Path(scenario).name == "demo.yaml"
            and years == 1
            and set(metrics)
            == {
                "ses_gap",
                "movers_share",
            }
        )
        calls.append(parameters)
        return _salib_outcomes(**parameters)

    monkeypatch.setattr(edusim, "evaluate", evaluate)
    main = runpy.run_path(str(EXPERIMENTS / "salib_example.py"))["main"]
    table = main(["--samples", "64", "--years", "1"]).set_index(["outcome", "parameter"])
    assert len(calls) == 64 * (2 + 2)  # Saltelli: N x (parameters + 2) without 2nd order
    assert {"learning__peer_effect", "families__quality_taste_mean"} == set(calls[0])
    # each outcome's variance is all its own parameter's: S1 and ST near 1 there, 0 elsewhere
    for outcome, driver, other in (
        ("ses_gap", "learning.peer_effect", "families.quality_taste_mean"),
        ("movers_share", "families.quality_taste_mean", "learning.peer_effect"),
    ):
        assert table.loc[(outcome, driver), "ST"] == pytest.approx(1.0, abs=0.1)
        assert table.loc[(outcome, driver), "S1"] == pytest.approx(1.0, abs=0.15)
        assert abs(table.loc[(outcome, other), "ST"]) < 0.05


def test_ema_workbench_example_replicates_seeds_and_finds_a_prim_box():
    pytest.importorskip("ema_workbench")
    import edusim

    example = runpy.run_path(str(EXPERIMENTS / "ema_workbench_example.py"))
    table, series = example["explore"](4, 1, seeds=[1, 2])
    assert len(table) == 4 and table["learning__peer_effect"].nunique() == 4
    bounds = {"learning__peer_effect": (0.0, 0.08), "families__quality_taste_mean": (0.1, 0.8)}
    for name, (low, high) in bounds.items():
        assert table[name].between(low, high).all()
    assert series["ses_gap"].shape == (4, 2, 2)  # points, seeds, recorded years
    np.testing.assert_array_equal(series["year"][0, 0], [2018, 2019])
    # a point's outcome is the mean over its seeds of runs with that point's parameters
    row = table.iloc[1]
    parameters = {name: float(row[name]) for name in (*bounds, "housing__adjust_speed")}
    runs = [edusim.evaluate("demo", seed=seed, years=1, **parameters) for seed in (1, 2)]
    assert runs[0]["ses_gap"] != runs[1]["ses_gap"]  # the seeds are replications
    for outcome in ("quality_sd", "ses_gap", "premium_mean_cny"):
        expected = np.mean([run[outcome] for run in runs])
        assert row[outcome] == pytest.approx(expected, rel=1e-12)
    found = example["discover"](table)
    assert found is None or 0 <= found["coverage"] <= 1


def test_the_ema_example_keeps_its_run_under_the_main_guard():
    from edusim.experiment.workers import _is_main_guard

    tree = ast.parse((EXPERIMENTS / "ema_workbench_example.py").read_text(encoding="utf-8"))
    (guard,) = [node for node in tree.body if _is_main_guard(node)]
    assert "main()" in ast.unparse(guard)
    top_level_calls = [
        node
        for node in tree.body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    ]
    assert top_level_calls == []


def test_evaluate_returns_yearly_series_and_takes_the_old_keyword():
    import edusim

    final = edusim.evaluate("demo", years=2, seed=3, metrics=["ses_gap"])
    yearly = edusim.evaluate("demo", years=2, seed=3, metrics=["ses_gap"], series=True)
    np.testing.assert_array_equal(yearly["year"], [2018, 2019, 2020])
    assert yearly["ses_gap"].shape == (3,) and yearly["ses_gap"][-1] == final["ses_gap"]
    with pytest.warns(DeprecationWarning, match="scenario_file"):
        old = edusim.evaluate(scenario="demo", years=2, seed=3, metrics=["ses_gap"])
    assert old == final
    assert "scenario" not in inspect.signature(edusim.evaluate).parameters


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
