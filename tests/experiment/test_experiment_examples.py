"""The Python API: the EMA Workbench and SALib examples at tiny sizes, evaluate, compare."""

from __future__ import annotations

import runpy
from pathlib import Path

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


def test_ema_workbench_example_puts_each_runs_outcomes_beside_its_parameters():
    pytest.importorskip("ema_workbench")
    import edusim

    main = runpy.run_path(str(EXPERIMENTS / "ema_workbench_example.py"))["main"]
    table = main(["--scenarios", "2", "--years", "1"])
    assert len(table) == 2 and table["learning__peer_effect"].nunique() == 2
    bounds = {"learning__peer_effect": (0.0, 0.08), "families__quality_taste_mean": (0.1, 0.8)}
    for name, (low, high) in bounds.items():
        assert table[name].between(low, high).all()
    # the outcomes in a row are those of a run with that row's parameters
    row = table.iloc[1]
    parameters = {name: float(row[name]) for name in (*bounds, "housing__adjust_speed")}
    direct = edusim.evaluate(
        EXPERIMENTS.parent / "scenarios" / "demo.yaml", seed=1, years=1, **parameters
    )
    for outcome in ("quality_sd", "ses_gap", "premium_mean_cny"):
        assert row[outcome] == pytest.approx(direct[outcome], rel=1e-12)


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
