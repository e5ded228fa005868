"""Loss, fit table and profile of a calibration, by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from edusim.experiment.fit import (
    PROFILE_DELTA,
    fit_table,
    identification,
    loss,
    profile_table,
    target_fit,
    target_value,
)
from edusim.scenario.loader import load_scenario
from edusim.scenario.targets import Z95, Target


def _target(**changes) -> Target:
    fields = {"metric": "movers_share", "year": 2020, "observed": 1.0, "sd": 0.3, "source": "x"}
    return Target(**{**fields, **changes})


def test_distance_counts_the_monte_carlo_error_of_the_mean():
    # mean 1.5, replicate SD 0.4 (ddof 1) over R = 2: scale sqrt(0.3^2 + 0.16 / 2) = 0.412...
    fit = target_fit(np.array([1.5 - 0.4 / math.sqrt(2), 1.5 + 0.4 / math.sqrt(2)]), _target())
    scale = math.sqrt(0.09 + 0.08)
    assert fit["model_mean"] == pytest.approx(1.5)
    assert fit["model_sd"] == pytest.approx(0.4)
    assert fit["z"] == pytest.approx(0.5 / scale)
    assert fit["band_low"] == pytest.approx(1.5 - 1.959964 * 0.4)
    assert fit["contribution"] == pytest.approx((0.5 / scale) ** 2)


def test_loss_is_the_weighted_sum_of_squared_distances():
    a = _target(name="a")  # one replication at 1.6: z = 0.6 / 0.3 = 2
    b = _target(name="b", observed=0.0, interval=[-0.1 * Z95, 0.1 * Z95], sd=None, weight=3.0)
    values = {"a": np.array([1.6]), "b": np.array([0.1])}  # b: sd 0.1, z = 1
    assert loss(values, [a, b]) == pytest.approx(4.0 + 3.0 * 1.0, rel=1e-6)
    values["b"] = np.array([math.nan])
    assert math.isnan(loss(values, [a, b]))
    table = fit_table({"a": np.array([1.6]), "b": np.array([0.1])}, [a, b])
    assert list(table["target"]) == ["a", "b"]
    assert table["sd"].tolist() == pytest.approx([0.3, 0.1], rel=1e-6)


def test_target_value_is_the_year_or_the_mean_over_the_years():
    metrics = pd.DataFrame(
        {
            "metric": ["movers_share"] * 3 + ["private_share"],
            "year": [2019, 2020, 2021, 2020],
            "value": [0.1, 0.2, 0.6, 9.0],
        }
    )
    assert target_value(metrics, _target()) == pytest.approx(0.2)
    assert target_value(metrics, _target(year=None, years=[2019, 2021])) == pytest.approx(0.3)
    assert math.isnan(target_value(metrics, _target(year=2030)))


def test_profile_is_the_range_of_good_trials():
    trials = pd.DataFrame(
        {
            "trial": [0, 1, 2, 3, 4],
            "state": ["COMPLETE", "COMPLETE", "COMPLETE", "FAIL", "COMPLETE"],
            "loss": [10.0, 1.0, 1.0 + PROFILE_DELTA - 0.01, math.nan, 1.0 + PROFILE_DELTA + 0.01],
            "p": [0.9, 0.4, 0.6, 0.5, 0.2],
        }
    )
    row = profile_table(trials, {"p": (0.0, 1.0)}).iloc[0]
    assert (row["best"], row["good_low"], row["good_high"]) == (0.4, 0.4, 0.6)
    assert row["good_trials"] == 2
    assert row["share_of_range"] == pytest.approx(0.2)
    assert row["verdict"].startswith("only 2 good trials")
    assert identification(0.2, 5) == "well identified"
    assert identification(0.5, 5) == "partly identified"
    assert identification(0.7, 2) == "not identified by these targets"


def test_best_scenario_through_a_list_carries_the_whole_list(tmp_path: Path, small_city):
    from edusim.experiment.calibration_files import best_scenario_text

    (tmp_path / "city.yaml").write_text(yaml.safe_dump(small_city), encoding="utf-8")
    names = ["city.districts[Isles].income_level", "families.quality_taste_mean"]
    best = load_scenario(tmp_path / "city.yaml", {names[0]: 0.55, names[1]: 0.33})
    out = tmp_path / "cal"
    out.mkdir()
    text = best_scenario_text(tmp_path / "city.yaml", out, best, names, ["fitted", ""])
    assert text.startswith("# fitted\n#\nextends: ../city.yaml\n")
    (out / "best.yaml").write_text(text, encoding="utf-8")
    again = load_scenario(out / "best.yaml")
    assert again.city.districts[1].income_level == 0.55
    assert again.city.districts[0].income_level == 1.2
    assert again.families.quality_taste_mean == 0.33
    assert set(yaml.safe_load(text)) == {"extends", "name", "city", "families"}


def test_few_good_trials_are_not_called_a_narrow_range():
    trials = pd.DataFrame(
        {"trial": [0, 1], "state": ["COMPLETE"] * 2, "loss": [1.0, 50.0], "p": [0.4, 0.9]}
    )
    row = profile_table(trials, {"p": (0.0, 1.0)}).iloc[0]
    assert row["verdict"] == "only 1 good trials: too few to say, run more"


def test_a_best_value_at_the_edge_asks_for_a_wider_range():
    trials = pd.DataFrame(
        {"trial": [0, 1], "state": ["COMPLETE"] * 2, "loss": [1.0, 2.0], "p": [0.98, 0.5]}
    )
    row = profile_table(trials, {"p": (0.0, 1.0)}).iloc[0]
    assert row["verdict"].endswith("; best at the edge of the range: widen it")
