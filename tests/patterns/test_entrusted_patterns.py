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
from .measured import assert_as_recorded

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


def measure() -> dict[int, dict[str, dict[str, list[float]]]]:
    """The figures of this module (written to measured.json by measure.py)."""
    result = {}
    for seed in SEEDS:
        groups, members = entrusted_groups(seed)
        result[seed] = {
            arm: {key: values.tolist() for key, values in series.items()}
            for arm, series in (
                ("entrusted", yearly_standing(seed, groups, members)),
                ("alone", yearly_standing(seed, [], members)),
            )
        }
    return result


@pytest.fixture(scope="module")
def standing() -> dict[int, dict[str, dict[str, np.ndarray]]]:
    figures = measure()
    assert_as_recorded("entrusted", figures)
    return {
        seed: {arm: {k: np.array(v) for k, v in series.items()} for arm, series in arms.items()}
        for seed, arms in figures.items()
    }


def test_an_entrusted_new_school_jumps_from_last_to_a_reputed_choice(standing):
    """The brand comes first (`brand_sharing` of the entrusted kind, 0.9 of the famous
    school's advantage at once); results then catch up with it.

    MEASURED, seeds 1-6: the two schools' mean rank among the islands' 30 public primary
    schools is 28-28.5 every year without the groups; with them it is 1.5-2 in the first
    year and 2.5-12 in years 2-6. Re-measured 2026-11-28 (the burn-in's settled stock,
    developers' expectations): without the groups 28-28.5, but 26.5 and 25.0 in the
    sixth year of seeds 2 and 3 (one of the two schools climbing a few places as it
    fills); with them 1.5 in the first year, 1.5-6 after.
    Tolerance: at most 5 in the first year and 15 in every year; at least 24 (the bottom
    fifth) without.
    """
    for seed in SEEDS:
        entrusted, alone = standing[seed]["entrusted"], standing[seed]["alone"]
        assert (alone["rank"] >= 24).all()
        assert entrusted["rank"][0] <= 5
        assert (entrusted["rank"] <= 15).all()


def test_families_queue_for_it_within_a_few_years(standing):
    """Families see an address's worth one intake late (what last year's entrants got,
    blended with what they expected before: `outcome_memory`), so the rush comes in the
    second and third years, and stops once most of the newcomers were turned away (the
    school keeps its places; see docs/ODD.md, section 4).

    MEASURED, seeds 1-6 (re-measured 2026-11-27 after the private amenity fit, junior
    access priced with the primary address and incomes sorted within districts): resident
    entrants per entry place peak at 0.69-2.02 (mean 1.43) in the first three years,
    against below 1 in every year without the groups; 36-327 families move in over those three
    years, none without (buyers are bounded by the flats on offer, docs/ODD.md 7.4).
    Before those changes the peaks were 0.94-2.34 and every seed had 83 movers or more;
    seed 2's rush is now the weakest (peak 0.69, 36 movers).
    Since buyers with no child entering leave a catchment as its premium rises
    (`other_buyers_elasticity`, 7.4), each buyer raises the price the next one pays, so
    the rush is smaller where few value the school: peaks 0.88-1.99 (mean 1.31) in five
    seeds with 81-307 movers, and seed 2's peak 0.46 with 5 movers (housing branch).
    Tolerance (mechanism against its absence, paired by seed): the peak exceeds the
    no-group arm's highest demand by more than 0.3 and at least 20 families move in five
    seeds of six, some family moves in every seed, with mean peak in [1.0, 3]; below 1
    without, and without the groups at most a twentieth as many move over the six years
    as with them. Re-measured 2026-11-28, once families also weigh the catchments nearest
    their home (`families.nearest_catchments`): 191-442 families move in over six years
    with the groups, 0-3 without (it was exactly 0 without, when only the district's most
    reputed catchments were weighed).
    """
    peaks, rushes = [], 0
    for seed in SEEDS:
        entrusted, alone = standing[seed]["entrusted"], standing[seed]["alone"]
        peaks.append(entrusted["demand"][:3].max())
        rushes += peaks[-1] > alone["demand"].max() + 0.3 and entrusted["movers"][:3].sum() >= 20
        assert entrusted["movers"][:3].sum() > 0
        assert alone["demand"].max() < 1.0
        assert alone["movers"].sum() <= 0.05 * entrusted["movers"].sum()
    assert rushes >= len(SEEDS) - 1
    assert 1.0 < np.mean(peaks) < 3.0


def test_its_catchment_premium_rises(standing):
    """Over school years 2-6 the two catchments' premium (share of the district's base
    price) stands above the same catchments without the groups, which carry none
    (measured.json['entrusted'], `premium`). With the premium an index of oversubscription
    it was 0.13-0.56 a seed (mean 0.28), far above the sources; with the clearing housing
    market (docs/ODD.md 7.4) it was 0.003-0.063 (mean 0.019); with other buyers leaving as
    premiums rise (7.4) 0.020-0.085 (mean 0.048; housing branch).
    Margin (mechanism against its absence, which carries exactly 0): above 0.001 in every
    seed (re-measured 2026-11-27: seed 5 0.0016, the others 0.012-0.056; it was above 0.002
    in every seed before the private amenity fit, junior pricing and the within-district
    income sorting).
    Re-measured 2026-11-28 with the nearest catchments weighed: 0.043-0.082 (mean 0.061).
    Band [0.008, 0.13] on the mean: the lower end a REGRESSION GUARD on the model's own
    measurement, the upper end the sources' highest figure (it was 0.06, a guard, before).
    The sources put the value of a key school's enrolment right at 4-13% of the
    price (CALIBRATION-TARGETS.md, "School-district housing": Han, Shen & Zhao 2021 about
    11%; Huang, He & Zhu 2018 +7.5-10.5%; Bai & Wei 2017 9-13%; Zheng, Hu & Wang 2016
    8.1%); a newly entrusted school still below that after five years is consistent with
    them but not checked against a source of its own.
    """
    raised = np.array(
        [
            standing[s]["entrusted"]["premium"][1:].mean()
            - standing[s]["alone"]["premium"][1:].mean()
            for s in SEEDS
        ]
    )
    assert (raised > 0.001).all()
    assert 0.008 < raised.mean() < 0.13


def test_it_improves_fast(standing):
    """ "Started high and improved fast": management, shared lessons and teachers from the
    famous school.

    Teaching quality above the same schools without the groups (measured.json
    ['entrusted'], `quality`; when written: 0.11-0.15 pupil SD per year after the first
    year, rising in each of the first three years, 0.38-0.50, mean 0.43, after six).
    Margin (mechanism against its absence): the gain rises over the first three years and
    exceeds 0.25 after six, in every seed.
    Band [0.3, 0.6] on the mean after six years: a REGRESSION GUARD on the model's own
    measurement. No source measures this gain (the digest says only "started high and
    improved fast"); for scale, CALIBRATION-TARGETS.md gives +0.2-0.3 SD for a class
    moving from a median to a 69th-percentile teacher (Lei & Ma 2022), so a school-wide
    0.4 SD per year is large and is a candidate for calibration, not a finding.
    """
    gain = np.array(
        [standing[s]["entrusted"]["quality"] - standing[s]["alone"]["quality"] for s in SEEDS]
    )
    assert (np.diff(gain[:, :3], axis=1) > 0).all()
    assert (gain[:, -1] > 0.25).all()
    assert 0.3 < gain[:, -1].mean() < 0.6
