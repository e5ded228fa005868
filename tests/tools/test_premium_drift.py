"""tools/premium_drift.py: the split of the top tenth's premium share into the premium in
years of its buyers' income and their income over the flat's price, and the price
scaling of a place's districts (docs/diagnoses/premium-level.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from edusim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _records(seed: int, year: int) -> pd.DataFrame:
    """Twenty in-stage catchments (so a top tenth of two) and one out of stage."""
    n = 21
    frame = pd.DataFrame(
        dict(
            seed=seed,
            year=year,
            in_stage=[True] * 20 + [False],
            stage=[0] * 19 + [1, 0],
            premium_cny=[10.0] * n,
            flat_price=[1000.0] * n,
            buyers=[1] * n,
            mean_income_buyers=[40.0] * n,
        )
    )
    # the top two by share: 0.3 (a junior catchment, buyers' income 100) and 0.1
    # (primary, buyers' income 50); the catchment out of stage is dearer and left out
    frame.loc[19, ["premium_cny", "mean_income_buyers"]] = [300.0, 100.0]
    frame.loc[3, ["premium_cny", "mean_income_buyers"]] = [100.0, 50.0]
    frame.loc[20, ["premium_cny"]] = [900.0]
    return frame


def test_decompose_splits_the_top_tenths_share_by_hand(drift):
    parts = drift.decompose(_records(seed=1, year=2020))
    row = parts.iloc[0]
    assert len(parts) == 1
    assert row.top_share == pytest.approx((0.3 + 0.1) / 2)
    assert row.premium_income_years == pytest.approx((300 / 100 + 100 / 50) / 2)
    assert row.income_to_flat == pytest.approx((100 / 1000 + 50 / 1000) / 2)
    assert row.flat_price_to_income == pytest.approx((1000 / 100 + 1000 / 50) / 2)
    assert row.junior_share == pytest.approx(0.5)


def test_decompose_counts_a_catchment_without_buyers_in_the_share_only(drift):
    frame = _records(seed=1, year=2020)
    frame.loc[3, ["buyers", "mean_income_buyers"]] = [0, 0.0]
    row = drift.decompose(frame).iloc[0]
    assert row.top_share == pytest.approx(0.2)
    assert row.premium_income_years == pytest.approx(3.0)
    assert row.income_to_flat == pytest.approx(0.1)


def test_decompose_gives_one_row_per_seed_and_year(drift):
    frame = pd.concat([_records(1, 2020), _records(1, 2021), _records(2, 2020)])
    frame.loc[(frame.seed == 2) & (frame.index == 19), "premium_cny"] = 500.0
    parts = drift.decompose(frame)
    assert list(zip(parts.seed, parts.year, strict=True)) == [(1, 2020), (1, 2021), (2, 2020)]
    assert parts.top_share.tolist() == pytest.approx([0.2, 0.2, 0.3])


def test_scaled_districts_multiply_the_base_price_only(drift):
    scenario = load_scenario(ROOT / "scenarios" / "ninghe.yaml")
    scaled = drift.scaled_districts(scenario, 2.5)
    assert [d["house_price_cny_per_m2"] for d in scaled] == [22500.0, 12500.0]
    for entry, district in zip(scaled, scenario.city.districts, strict=True):
        assert entry["name"] == district.name
        assert entry["income_level"] == district.income_level
        assert entry["pupils"] == district.pupils.model_dump()
