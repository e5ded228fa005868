"""Province metrics on a two-city toy, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from edusim.province.aggregate import province_metrics


def _metrics(rows: list[tuple[int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "metric", "value"])


@pytest.fixture
def table() -> pd.DataFrame:
    alpha = _metrics(
        [
            (2018, "pupils", 100.0),
            (2018, "teachers", 10.0),
            (2018, "quality_sd", 0.2),
            (2018, "rotations", np.nan),
        ]
    )
    beta = _metrics(
        [
            (2018, "pupils", 300.0),
            (2018, "teachers", 25.0),
            (2018, "quality_sd", 0.4),
            (2018, "rotations", 7.0),
        ]
    )
    return province_metrics({"Alpha": alpha, "Beta": beta}).set_index("metric")


def test_counts_add_up_over_cities(table):
    assert table.at["pupils", "value"] == 400.0
    assert table.at["teachers", "value"] == 35.0
    assert table.at["teachers", "aggregate"] == "sum"
    assert math.isnan(table.at["teachers", "range"])


def test_other_metrics_are_pupil_weighted_means_with_gaps_between_cities(table):
    row = table.loc["quality_sd"]
    assert row["aggregate"] == "pupil-weighted mean"
    assert row["value"] == pytest.approx(0.25 * 0.2 + 0.75 * 0.4)  # 0.35
    assert row["range"] == pytest.approx(0.2)
    # weighted SD around 0.35: sqrt(0.25 * 0.15^2 + 0.75 * 0.05^2) = sqrt(0.0075)
    assert row["sd_between"] == pytest.approx(math.sqrt(0.0075))
    assert (row["city_min"], row["city_max"]) == ("Alpha", "Beta")
    assert row["cities"] == 2 and row["pupils"] == 400.0


def test_a_city_without_a_value_is_left_out(table):
    row = table.loc["rotations"]
    assert row["value"] == 7.0 and row["cities"] == 1 and row["pupils"] == 300.0
