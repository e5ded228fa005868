"""Catchment housing premiums (学区房): they rise with excess demand and fall without it.

    premium' = clip(premium + adjust_speed * (demand / places - 1), 0, max_premium_share)

demand is the number of entering pupils resident in the catchment after this year's
moves; places is the school's hard entry capacity. Premiums are shares of the district's
base price per m²; in yuan they are share x base price x flat size.
"""

from __future__ import annotations

import numpy as np

from edusim.scenario.schema import HousingParams


def updated_premium(
    premium_share: np.ndarray,
    resident_entrants: np.ndarray,
    entry_places: np.ndarray,
    params: HousingParams,
) -> np.ndarray:
    """New premium shares after one intake (per school catchment)."""
    pressure = resident_entrants / np.maximum(entry_places, 1) - 1.0
    return np.clip(premium_share + params.adjust_speed * pressure, 0.0, params.max_premium_share)


def premium_cny(
    premium_share: np.ndarray, base_price_cny_per_m2: np.ndarray, params: HousingParams
) -> np.ndarray:
    """Premium of a typical flat in yuan."""
    return premium_share * base_price_cny_per_m2 * params.flat_size_m2
