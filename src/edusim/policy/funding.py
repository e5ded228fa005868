"""Money: which schools the reform's grants reach, the budget cap, and diminishing returns.

Requested grants (per member campus, cross-district group, zone, rural studio and
special-grade teacher) are summed over the kinds the cap covers (`capped_grants`); above
the yearly cap each of them is scaled by cap / requested, the others are paid in full. A
zone reward paid as performance pay (`zone_reward_as_pay`, Chongming 二6) is teachers'
pay, not a grant: it is outside the cap and buys nothing for the school. Money per pupil buys school resources and money per teacher buys
development, each with diminishing returns:

    gain = maximum * (1 - exp(-money / scale))
"""

from __future__ import annotations

import numpy as np

RESOURCE_GRANTS: tuple[str, ...] = ("branch_campus", "cross_district_group", "zone")
"""Grants that buy school resources (per pupil)."""
DEVELOPMENT_GRANTS: tuple[str, ...] = ("rural_studio", "special_teacher")
"""Grants that buy teacher development (per teacher)."""


def diminishing_gain(money: np.ndarray, maximum: float, scale: float) -> np.ndarray:
    """Gain bought by `money` (same units as `scale`), saturating at `maximum`."""
    return maximum * (1.0 - np.exp(-np.maximum(money, 0.0) / scale))


def capped(requested: np.ndarray, cap: float | None) -> tuple[np.ndarray, float]:
    """Scale grants down pro rata to a yearly cap; returns the grants and the scale used."""
    total = float(requested.sum())
    if cap is None or total <= cap or total == 0:
        return requested, 1.0
    scale = cap / total
    return requested * scale, scale


def weakest_rural_schools(quality: np.ndarray, rural: np.ndarray, count: int) -> np.ndarray:
    """The `count` weakest rural schools (where studios are set up)."""
    candidates = np.flatnonzero(rural)
    return candidates[np.argsort(quality[candidates], kind="stable")[:count]]
