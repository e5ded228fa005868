"""Pattern 6: group-wide enrollment and multi-school zones lower the housing premium of
famous schools' catchments relative to catchment-only enrollment (digest: Dalian's
group-wide enrollment, 集团统一招生; the national rule on multi-school zones with lotteries,
多校划片, "where schools are not of similar quality").

The demo city with tight primary groups formed in the first year (their cores are the
strongest primary schools, the schools whose names the groups carry) runs under each rule
with the same seed; a catchment address is worth what it gave last year's entrants, so a
rule that no longer ties a famous school's places to its catchment lowers what families
bid for its flats, and the market clears at a lower premium (docs/ODD.md, 7.4). Premiums are averaged over the observed years 2021-2026 (school years
3-8), once families have learnt what an address gives under the rule.
"""

from __future__ import annotations

import numpy as np
import pytest

from .cities import DEMO, SEEDS, simulate
from .measured import assert_as_recorded

YEARS = 8
TIGHT = [
    {"name": "G", "kind": "tight", "formed": "2018-09-01", "stage": "primary", "target_share": 0.6}
]
RULES = ("catchment", "zones", "group")


def premiums(seed: int, rule: str) -> dict[str, float]:
    """Mean premium (CNY) over the late years of the famous schools' catchments and of the
    group cores' catchments."""
    model = simulate(DEMO, seed, YEARS, **{"groups.rules": TIGHT, "enrollment.rule": rule})
    schools = model.tables()["schools"]
    late = schools[schools.year >= 2021]
    cores = [group.core for group in model.groups.groups]
    return {
        "famous": late[late.famous].groupby("year")["premium_cny"].mean().mean(),
        "cores": late[late.school.isin(cores)].groupby("year")["premium_cny"].mean().mean(),
    }


def measure() -> dict[str, dict[int, dict[str, float]]]:
    """The figures of this module (written to measured.json by measure.py)."""
    return {rule: {seed: premiums(seed, rule) for seed in SEEDS} for rule in RULES}


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[int, dict[str, float]]]:
    figures = measure()
    assert_as_recorded("enrollment", figures)
    return figures


def _ratio(runs, rule: str, schools: str) -> np.ndarray:
    return np.array([runs[rule][s][schools] / runs["catchment"][s][schools] for s in SEEDS])


def test_group_wide_enrollment_lowers_the_premium_of_the_group_cores(runs):
    """Mean premium of the cores' catchments over 2021-2026, group-wide enrollment against
    the paired catchment-only arm (measured.json['enrollment']). With the premium an index
    of oversubscription the ratios were 0.76, 0.16, 0.44, 0.50, 0.62, 0.51 (mean 0.50);
    with the clearing housing market (docs/ODD.md 7.4) they were 0.15, 0.09, 0.06, 0.03,
    0.12, 0.07 (mean 0.09): a core's address no longer buys a place at the core, so its
    price falls to about what a member's address is worth. Since buyers with no child
    entering leave a catchment as its premium rises (`other_buyers_elasticity`, 7.4),
    every catchment some families want carries a premium, the group's lottery included:
    0.46, 0.66, 0.47, 0.51, 0.47, 0.58 (mean 0.52; measured on the housing branch).
    Since dwellings are built where access is dear (`supply_elasticity_*`, 7.4), the
    catchment arm's core premiums are lower too, so the ratio rose a little: 0.58, 0.75,
    0.46, 0.51, 0.49, 0.59 (mean 0.56).
    Margin (against catchment enrollment, the mechanism's absence, ratio 1): ratio below
    0.8 in every seed (0.75 before the supply of new dwellings).
    Band [0.3, 0.7] on the mean ratio: a REGRESSION GUARD on the model's own measurement
    (the digest reports the direction for Dalian, no size), re-set with the sloped supply
    of flats; re-measure with `python tests/patterns/measure.py enrollment`.
    """
    ratio = _ratio(runs, "group", "cores")
    assert (ratio < 0.8).all()
    assert 0.3 < ratio.mean() < 0.7


def test_multi_school_zones_lower_the_premium_of_famous_schools(runs):
    """Mean premium of the famous schools' catchments over 2021-2026, multi-school zones
    against the paired catchment-only arm (measured.json['enrollment']). With the premium
    an index of oversubscription: 0.99, 0.60, 0.50, 0.59, 0.62, 0.59 (mean 0.65); with the
    clearing housing market: 0.07, 0.02, 0.08, 0.04, 0.08, 0.09 (mean 0.06), since a famous
    school's address gives only the zone's lottery chance of its places; with other buyers
    leaving as premiums rise (7.4) the zone's addresses keep a premium of their own: 0.29,
    0.33, 0.37, 0.39, 0.40, 0.45 (mean 0.37; measured on the housing branch). With group
    formations read by rule-aware families (7.3, as the change the lent names make):
    0.32, 0.31, 0.41, 0.39, 0.42, 0.48 (mean 0.39; a full forecast at the formation had
    given 0.39-0.54). With the dwellings as built in equilibrium with the starting premiums
    (2026-11-28: the burn-in no longer sets off building that then dies away, 7.4):
    0.30, 0.30, 0.34, 0.34, 0.48, 0.51 (mean 0.38).
    Margin (against catchment enrollment, the mechanism's absence, ratio 1): below 0.6 in
    every seed (was 0.5; moved for the change above, whose own tests show the old start
    was wrong).
    Band [0.2, 0.5] on the mean ratio: a REGRESSION GUARD (the national rule states the
    aim, no source gives a size), re-set with the sloped supply of flats.
    """
    ratio = _ratio(runs, "zones", "famous")
    assert (ratio < 0.6).all()
    assert 0.2 < ratio.mean() < 0.5
