"""Pattern 4: entrusted new schools run by a famous school become popular within a few
years, and their catchments' housing premium rises (digest, Chongming: four cross-district
"famous + new" entrusted groups since 2016-17; "the entrusted new schools started high and
improved fast and became popular choices").

The model has no school that opens during a run, so a new school is represented by what
marks one out to families: no record, hence the lowest reputation of its district. In the
island county, the two famous primary schools of the urban district each take over
the management of one of the two least reputed primary schools of the islands (an
entrusted group across districts: brand, management and backbone teachers sent in). Each
seed is compared with the same county without the groups.
"""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel

from .cities import SEEDS, island_county

YEARS = 6
PRIMARY = 0


def entrusted_groups(seed: int) -> tuple[list[dict], np.ndarray]:
    """Explicit entrusted groups for the city the seed builds, and the member schools."""
    city = EduModel(island_county(), seed=seed, years=YEARS)  # built, not run
    table = city.school_table
    district = np.array(city.geography.district_names)[table.district]
    public_primary = ~table.private & (table.stage == PRIMARY)
    famous = np.flatnonzero(public_primary & (district == "City") & table.famous)
    assert famous.size == 2  # a quarter of the urban district's eight primary schools
    new = np.flatnonzero(public_primary & (district == "Isles"))
    new = new[np.argsort(table.reputation[new], kind="stable")][:2]
    groups = [
        {
            "name": f"entrusted-{number}",
            "kind": "entrusted",
            "core": str(table.name[core]),
            "members": [str(table.name[member])],
            "formed": "2018-09-01",
        }
        for number, (core, member) in enumerate(zip(famous, new, strict=True), start=1)
    ]
    return groups, new


def yearly_standing(seed: int, groups: list[dict], members: np.ndarray) -> dict[str, np.ndarray]:
    """Per school year: the members' mean reputation rank among the islands' public primary
    schools (1 = most reputed), their resident entrants per entry place, the number of
    entering families who moved into their catchments, their premium share and quality."""
    model = EduModel(island_county(), seed=seed, years=YEARS, overrides={"groups.explicit": groups})
    table = model.school_table
    islands = np.flatnonzero(~table.private & (table.stage == PRIMARY) & (table.district == 1))
    series = {key: [] for key in ("rank", "demand", "movers", "premium", "quality")}
    while model.running:
        model.step()
        intake = model.intake[PRIMARY]
        families = model.families
        entrants = families.grade == 1
        home = model.catchments.catchment_of(families.cell[entrants], PRIMARY)
        order = islands[np.argsort(-table.reputation[islands], kind="stable")]
        series["rank"].append(np.mean([np.flatnonzero(order == m)[0] + 1 for m in members]))
        series["demand"].append(
            (intake["resident_entrants"][members] / intake["entry_places"][members]).mean()
        )
        series["movers"].append(
            int((families.moved_for_school[entrants] & np.isin(home, members)).sum())
        )
        series["premium"].append(table.premium_share[members].mean())
        series["quality"].append(table.teaching_quality[members].mean())
    model.finish()
    return {key: np.array(values) for key, values in series.items()}


@pytest.fixture(scope="module")
def standing() -> dict[int, dict[str, dict[str, np.ndarray]]]:
    result = {}
    for seed in SEEDS:
        groups, members = entrusted_groups(seed)
        result[seed] = {
            "entrusted": yearly_standing(seed, groups, members),
            "alone": yearly_standing(seed, [], members),
        }
    return result


def test_an_entrusted_new_school_jumps_from_last_to_a_reputed_choice(standing):
    """The brand comes first (`brand_sharing` of the entrusted kind, 0.9 of the famous
    school's advantage at once); results then catch up with it.

    MEASURED, seeds 1-6: the two schools' mean rank among the islands' 30 public primary
    schools is 28-28.5 every year without the groups; with them it is 1.5-2 in the first
    year and 2.5-12 in years 2-6.
    Tolerance: at most 5 in the first year and 15 in every year; at least 26 without.
    """
    for seed in SEEDS:
        entrusted, alone = standing[seed]["entrusted"], standing[seed]["alone"]
        assert (alone["rank"] >= 26).all()
        assert entrusted["rank"][0] <= 5
        assert (entrusted["rank"] <= 15).all()


def test_families_queue_for_it_within_a_few_years(standing):
    """Families see an address's worth one intake late (what last year's entrants got,
    blended with what they expected before: `outcome_memory`), so the rush comes in the
    second and third years, and stops once most of the newcomers were turned away (the
    school keeps its places; see docs/ODD.md, section 4).

    MEASURED, seeds 1-6: resident entrants per entry place peak at 0.94-2.34 (mean 1.74)
    in the first three years, against at most 0.57 without the groups; 83-380 families
    move in over those three years, none without (buyers are bounded by the flats on
    offer, docs/ODD.md 7.4).
    Tolerance: peak above 0.9 in every seed with mean in [1.3, 3]; below 1 without; at
    least 50 movers in every seed, none without.
    """
    peaks = []
    for seed in SEEDS:
        entrusted, alone = standing[seed]["entrusted"], standing[seed]["alone"]
        peaks.append(entrusted["demand"][:3].max())
        assert peaks[-1] > 0.9
        assert alone["demand"].max() < 1.0
        assert entrusted["movers"][:3].sum() >= 50
        assert alone["movers"].sum() == 0
    assert 1.3 < np.mean(peaks) < 3.0


def test_its_catchment_premium_rises(standing):
    """MEASURED, seeds 1-6: over school years 2-6 the two catchments' premium averages
    0.003-0.063 of the district's base price (mean 0.019) above the same catchments
    without the groups, which carry none: the market prices the access the entrusted
    school's address gives, within the 4-13% of PARAMETER-SOURCES §4 at most.
    Tolerance: above 0.002 in every seed, mean in [0.008, 0.06].
    """
    raised = np.array(
        [
            standing[s]["entrusted"]["premium"][1:].mean()
            - standing[s]["alone"]["premium"][1:].mean()
            for s in SEEDS
        ]
    )
    assert (raised > 0.002).all()
    assert 0.008 < raised.mean() < 0.06


def test_it_improves_fast(standing):
    """ "Started high and improved fast": management, shared lessons and teachers from the
    famous school.

    MEASURED, seeds 1-6: teaching quality above the same schools without the groups by
    0.11-0.15 pupil SD per year after the first year, rising in each of the first three
    years (and in 5 of 6 seeds in the fourth), and by 0.38-0.50 (mean 0.43) after six.
    Tolerance: rising over the first three years in every seed; above 0.25 after six in
    every seed, mean in [0.3, 0.6].
    """
    gain = np.array(
        [standing[s]["entrusted"]["quality"] - standing[s]["alone"]["quality"] for s in SEEDS]
    )
    assert (np.diff(gain[:, :3], axis=1) > 0).all()
    assert (gain[:, -1] > 0.25).all()
    assert 0.3 < gain[:, -1].mean() < 0.6
