"""Housing: catchment premiums in CNY and as a share of price, oversubscription."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from edusim.metrics.common import gini, has_catchment
from edusim.metrics.registry import register

if TYPE_CHECKING:
    from edusim.model import EduModel


def catchment_premium_cny(model: EduModel) -> np.ndarray:
    """Housing premium of each school's catchment for a typical flat, in yuan."""
    table = model.school_table
    price = model.geography.district_price_cny_per_m2[table.district]
    return table.premium_share * price * model.params.housing.flat_size_m2


def _catchment_premiums(model: EduModel) -> np.ndarray:
    """Premiums of the schools that have a catchment (open public schools)."""
    return catchment_premium_cny(model)[has_catchment(model)]


def _premium_mean(model: EduModel) -> float:
    return float(_catchment_premiums(model).mean())


register(
    _premium_mean,
    "premium_mean_cny",
    "CNY",
    "lower is better",
    "mean catchment housing premium",
    "mean over catchments (public schools) of premium share x district base price x flat size",
)


def _premium_top_decile(model: EduModel) -> float:
    premium = np.sort(_catchment_premiums(model))
    return float(premium[-max(1, premium.size // 10) :].mean())


register(
    _premium_top_decile,
    "premium_top_decile_cny",
    "CNY",
    "lower is better",
    "housing premium of the dearest tenth of catchments",
    "mean premium of the 10% of catchments (public schools) with the highest premiums",
)


def _premium_shares(model: EduModel) -> np.ndarray:
    """Premium shares of the base price of the schools that have a catchment."""
    return model.school_table.premium_share[has_catchment(model)]


def _premium_median_share(model: EduModel) -> float:
    return float(np.median(_premium_shares(model)))


register(
    _premium_median_share,
    "premium_median_share",
    "share of base price",
    "lower is better",
    "median catchment premium, as a share of the flat's price",
    "median over catchments (public schools) of the premium as a share of the district's base price (the clearing price of processes/housing.py)",
)


def _premium_top_decile_share(model: EduModel) -> float:
    share = np.sort(_premium_shares(model))
    return float(share[-max(1, share.size // 10) :].mean())


register(
    _premium_top_decile_share,
    "premium_top_decile_share",
    "share of base price",
    "lower is better",
    "premium of the dearest tenth of catchments, as a share of the flat's price",
    "mean premium share of the 10% of catchments (public schools) with the highest premium shares",
)


def _oversubscription_top(model: EduModel) -> float:
    if not model.intake:
        return float("nan")
    ratios = []
    for stats in model.intake.values():
        in_stage = stats["in_stage"] & model.school_table.active  # open this year
        ratios.append(
            stats["applications"][in_stage] / np.maximum(stats["entry_places"][in_stage], 1)
        )
    ratio = np.concatenate(ratios)
    top = np.sort(ratio)[-max(1, ratio.size // 10) :]
    return float(top.mean())


register(
    _oversubscription_top,
    "oversubscription_top",
    "entrants per place",
    "lower is better",
    "demand for the most demanded schools",
    "first-choice applications / entry places, averaged over the 10% of schools with the highest ratio (under catchment the first choice is the catchment school; NaN before the first intake)",
)


def _premium_gini(model: EduModel) -> float:
    table = model.school_table
    premiums = catchment_premium_cny(model)
    ginis, weights = [], []
    for stage in (0, 1):
        members = premiums[(table.stage == stage) & has_catchment(model)]
        if members.size:
            ginis.append(gini(members))
            weights.append(members.size)
    return float(np.average(ginis, weights=weights)) if weights else float("nan")


register(
    _premium_gini,
    "premium_gini",
    "Gini coefficient",
    "lower is better",
    "inequality of catchment housing premiums",
    "Gini coefficient of the premium in CNY over the catchments (public schools) of a stage (0 when all are equal or zero), averaged over the stages weighted by their catchments",
)


MOMENTUM_MIN_PREMIUM_SHARE = 0.02
"""Catchments whose premium is below this share of the flat's price before the intake
are left out of `premium_change_autocorr` (their changes are mostly rounding)."""


def _premium_change_autocorr(model: EduModel) -> float:
    previous = getattr(model, "premium_change", None)
    before = getattr(model, "premium_before_intake", None)
    if previous is None or before is None or not np.any(previous):
        return float("nan")  # no intake yet, or no change before this one
    change = model.school_table.premium_share - before
    rows = has_catchment(model) & (before > MOMENTUM_MIN_PREMIUM_SHARE)
    if rows.sum() < 3 or change[rows].std() == 0 or previous[rows].std() == 0:
        return float("nan")
    return float(np.corrcoef(change[rows], previous[rows])[0, 1])


register(
    _premium_change_autocorr,
    "premium_change_autocorr",
    "correlation (-1 to 1)",
    "information",
    "momentum of catchment premiums: does last year's change carry on",
    "Pearson correlation, over the catchments (public schools) whose premium was above 2% of the flat's price before this intake, of this intake's change of the premium share and the change of the intake before; NaN before two intakes, or with fewer than three such catchments or no spread in either change",
)


def _dwellings_built_share(model: EduModel) -> float:
    built = float(model.dwellings_built.sum())
    before = float(model.dwellings.sum()) - built
    return built / before if before > 0 else float("nan")


register(
    _dwellings_built_share,
    "dwellings_built_share",
    "share of dwellings",
    "information",
    "new dwellings built in answer to catchment premiums",
    "dwellings built this year (on sale next year; processes/housing_supply.py) / the city's dwellings before they were built",
)
