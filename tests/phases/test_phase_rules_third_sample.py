"""Rules inside the yearly phases, each with an outcome worked out by hand on the small
city: a named group forms in its year, a school opens into it and borrows its core's
name, a closed member leaves it; rule-aware families' reading is logged by name; the
private schools' parallel mechanism uses the scenario's band size; a posting that ends
sends its teacher home afresh; the housing market prices flats and moving costs by the
district's flat price. Written for the survivors of the fresh sample of seed 25
(docs/testing.md, "Mutation testing"); each checks a rule, not a pinned whole-run
output."""

from __future__ import annotations

import numpy as np
import pytest

import edusim.phases.housing_market as housing_market
from edusim.model import EduModel
from edusim.phases.private_intake import private_intake
from edusim.phases.sharing import kind_column
from edusim.policy.enrollment import RULE_CODES
from edusim.world.schools import FIRST_GRADE

SEED = 3


def _phase(model: EduModel, name: str):
    return next(phase for phase in model.phases if phase.name == name)


def test_a_named_group_forms_a_school_opens_into_it_and_a_closed_member_leaves(small_scenario):
    """`groups.explicit` G (tight: brand_sharing 0.8, brand_dilution 0.03): Core-P01 with
    Core-P02, formed 2019-09-01, so in the 2019 school year and not before. In 2020
    Core-P05 opens into G (`join_group`) and Core-P02 closes. The new school opens at the
    mean reputation of its district's open primary schools (P01-P04), then borrows 0.8 of
    its gap to the core; the core is diluted by 0.03; that change is this year's brand
    news. The closed P02 leaves G, which keeps its core and the new member."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "tight", "core": "Core-P01", "members": ["Core-P02"],
             "formed": "2019-09-01"}
        ]
    }  # fmt: skip
    new = {"name": "Core-P05", "stage": "primary", "district": "Core", "classes_per_grade": 2}
    small_scenario["timeline"] = [
        {"date": "2020-09-01", "open": {**new, "join_group": "G"}},
        {"date": "2020-09-01", "close": {"school": "Core-P02"}},
    ]
    model = EduModel(small_scenario, seed=SEED, years=3)
    index = {name: row for row, name in enumerate(model.school_table.name)}
    groups = model.groups

    def members() -> dict[str, int]:
        return {
            str(model.school_table.name[s]): int(r)
            for s, r in zip(groups.school, groups.role, strict=True)
        }

    model.step()  # 2018: nothing formed yet
    assert members() == {} and groups.groups == []
    model.step()  # 2019: G formed, P01 its core (role 1), P02 a member (role 2)
    assert members() == {"Core-P01": 1, "Core-P02": 2}
    (formed,) = [e for e in model._events if e["label"] == "formed"]
    assert formed["year"] == 2019 and formed["detail"]["core"] == "Core-P01"

    before = model.school_table.reputation.copy()
    _phase(model, "policy").step(2020)
    after = model.school_table.reputation
    core, opened = index["Core-P01"], index["Core-P05"]
    peers = before[[index[f"Core-P0{n}"] for n in range(1, 5)]].mean()
    assert after[opened] == pytest.approx(peers + 0.8 * (before[core] - peers), abs=1e-12)
    assert after[core] == pytest.approx(before[core] - 0.03, abs=1e-12)
    assert model.brand_change[opened] == pytest.approx(0.8 * (before[core] - peers), abs=1e-12)
    assert members() == {"Core-P01": 1, "Core-P05": 2}
    assert groups.groups[0].active
    joined = [e for e in model._events if e["label"] == "joined"]
    assert [(e["year"], e["detail"]["school"]) for e in joined] == [(2020, "Core-P05")]


def test_rule_aware_families_reading_an_announced_rule_is_logged_by_name(small_city):
    """The expectations log of a year of rule news says what happened in words a reader
    of events.parquet can find: "families read the new enrollment rule", with the
    expectations model."""
    switch = {"date": "2019-09-01", "label": "test", "set": {"enrollment.rule": "achievement"}}
    model = EduModel(
        small_city,
        seed=SEED,
        years=2,
        overrides={"timeline": [switch], "expectations.model": "rule_aware"},
    )
    model.step()
    model.step()
    (read,) = [e for e in model._events if e["kind"] == "expectations"]
    assert read["label"] == "families read the new enrollment rule"
    assert read["detail"] == {"model": "rule_aware"}


def _private_places(scenario, mechanism: str, band: int) -> np.ndarray:
    """Each grade-1 entrant's private school (-1 none) from the 2019 private intake of
    the small city with three private primary schools in Core of 8 places each."""
    model = EduModel(
        scenario,
        seed=SEED,
        years=2,
        overrides={
            "enrollment.private_mechanism": mechanism,
            "enrollment.parallel_band_size": band,
        },
    )
    families, table = model.families, model.school_table
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])
    families.school[entrants] = -1
    private = table.private & (table.stage == 0)
    assert private.sum() == 3
    table.classes_per_grade = np.where(private, 1, table.classes_per_grade)
    table.class_size = np.where(private, 8, table.class_size)
    left, applicants = private_intake(model, 2019, 0, entrants)
    assert applicants > 24 and entrants.size - left.size == 24  # oversubscribed, all filled
    return families.school[entrants].copy()


def test_the_private_parallel_mechanism_uses_the_scenarios_band_size(small_scenario):
    """Private places under `parallel` (平行志愿) admit band by band: a band of one
    school is immediate acceptance (Boston), a band as long as the lists is deferred
    acceptance (Chen and Kesten 2017). The two differ here, so the band size the
    scenario sets must reach the mechanism."""
    core, isles = small_scenario["city"]["districts"]
    core["private_schools"] = {"primary": 3, "junior": 0}
    isles["private_schools"] = {"primary": 0, "junior": 0}
    boston = _private_places(small_scenario, "immediate_acceptance", 2)
    deferred = _private_places(small_scenario, "deferred_acceptance", 2)
    assert (boston != deferred).sum() >= 2
    np.testing.assert_array_equal(_private_places(small_scenario, "parallel", 1), boston)
    np.testing.assert_array_equal(_private_places(small_scenario, "parallel", 32), deferred)


def test_a_posting_that_ends_sends_the_teacher_home_with_its_growth_and_no_years_there(
    small_city,
):
    """Staffing at the start of a year: a posting whose last year was before this one
    ends; the teacher teaches at its home school again, its posting kind and end are
    cleared, it starts its years at that school from 0, and it keeps the growth a posting
    gives (`rotation.growth_from_posting`, 0.01 SD). Postings still running and teachers
    never posted are untouched."""
    model = EduModel(small_city, seed=SEED, years=2)
    teachers = model.teachers
    staffing = _phase(model, "staffing")
    year = 2019
    home = teachers.home_school
    elsewhere = (home + 1) % len(model.school_table)
    ending, running, rest = np.arange(0, 5), np.arange(5, 10), np.arange(10, len(teachers))
    school, posting_end = teachers.school.copy(), teachers.posting_end.copy()
    school[ending], school[running] = elsewhere[ending], elsewhere[running]
    posting_end[ending], posting_end[running] = year - 1, year
    teachers.school, teachers.posting_end = school, posting_end
    kind = teachers.posting_kind.copy()
    kind[:10] = 1
    teachers.posting_kind = kind
    years_there = np.full(len(teachers), 3.0)
    teachers.years_at_school = years_there
    learned = teachers.learned.copy()
    staffing._end_postings(year)
    assert (teachers.school[ending] == home[ending]).all()
    assert (teachers.posting_end[ending] == -1).all() and (teachers.posting_kind[ending] == 0).all()
    np.testing.assert_array_equal(teachers.years_at_school[ending], 0.0)
    np.testing.assert_allclose(teachers.learned[ending], learned[ending] + 0.01)
    assert (teachers.school[running] == elsewhere[running]).all()
    np.testing.assert_array_equal(teachers.years_at_school[running], 3.0)
    np.testing.assert_array_equal(teachers.learned[running], learned[running])
    np.testing.assert_array_equal(teachers.years_at_school[rest], 3.0)


def test_the_housing_market_prices_by_the_districts_flat_and_waives_moving_anyway(
    small_city, monkeypatch
):
    """What the market is given (phases/housing_market.py), by hand: a typical flat is
    90 m² at the district's price (Core CNY 50,000 per m², the Isles 10,000: 4.5 M and
    0.9 M), the step of premiums is that price; an entering family's fixed costs are
    `moving_cost_share` (0.08) of its district's flat to buy and `rent_moving_cost_share`
    (0.05) to rent, except for families moving anyway (`moving_anyway_share`), which
    count neither (0 and 0)."""
    bidders_seen, seen = [], []
    real_entries, real_clear = housing_market.address_entries, housing_market.clear_entries

    def entries_spy(bidders, cost, rent_cost):
        bidders_seen.append(bidders)
        return real_entries(bidders, cost, rent_cost)

    def spy(entries, n, offered_sale, offered_rent, reservation, price, unit):
        seen.append((price, unit, offered_sale))
        return real_clear(entries, n, offered_sale, offered_rent, reservation, price, unit)

    monkeypatch.setattr(housing_market, "address_entries", entries_spy)
    monkeypatch.setattr(housing_market, "clear_entries", spy)
    model = EduModel(small_city, seed=SEED, years=2, overrides={"housing.burn_in_years": 0})
    model.step()
    assert len(seen) == 2 and len(bidders_seen) == 2  # one market a stage
    flat = np.where(model.school_table.district == 0, 4.5e6, 0.9e6)
    costs = {(0.0, 0.0), (0.08 * 4.5e6, 0.05 * 4.5e6), (0.08 * 0.9e6, 0.05 * 0.9e6)}
    elasticity = model.params.housing.other_buyers_elasticity
    for bidders, (price, unit, offered) in zip(bidders_seen, seen, strict=True):
        np.testing.assert_allclose(price, flat)
        np.testing.assert_allclose(
            unit, np.where(offered > 0, flat / (elasticity * np.maximum(offered, 1)), 0.0)
        )
        pairs = {
            (round(b, 6), round(r, 6))
            for b, r in zip(bidders.fixed_buy, bidders.fixed_rent, strict=True)
        }
        assert pairs <= {(round(b, 6), round(r, 6)) for b, r in costs}
        anyway = bidders.fixed_buy == 0
        assert anyway.any() and (~anyway).any()


def test_a_kind_parameter_that_does_not_exist_is_refused_with_or_without_groups(small_city):
    """`kind_column` reads a parameter of every membership's group kind; a misspelt name
    is an error even when no group exists (it would otherwise read as 0 in a run without
    groups and fail only in one with them)."""
    kinds = EduModel(small_city, seed=SEED, years=1).params.groups.kinds
    with pytest.raises(ValueError, match="'shared_specialtyX' is not a parameter"):
        kind_column(kinds, np.array([], dtype=str), "shared_specialtyX")
    with pytest.raises(ValueError, match="is not a parameter"):
        kind_column(kinds, np.array(["tight"]), "shared_specialtyX")
    # brand_sharing of the defaults: tight 0.8, alliance 0.2 (scenario/groups.py)
    np.testing.assert_array_equal(
        kind_column(kinds, np.array(["tight", "alliance", "tight"]), "brand_sharing"),
        [0.8, 0.2, 0.8],
    )


def test_the_intake_record_counts_what_the_placement_did(small_city, monkeypatch):
    """The intake's record of a stage (intake.parquet's source), each figure counted by
    hand from the placement it summarises, with Core under choice and the Isles under
    the catchment rule (`by_area`): entrants, movers and renters among them, residents
    of each catchment, first choices (a catchment-rule entrant's is its catchment
    school), entrants who chose outside their catchment, who got their first choice,
    who got one of their first three (catchment rule: their catchment school), the
    places, and what families learn: each address's access blended with last year's by
    `outcome_memory` (0.5)."""
    from edusim.phases.placement import Placement

    overrides = {
        "enrollment.rule": "choice",
        "enrollment.by_area": [
            {"rule": "catchment", "stages": ["primary", "junior"], "districts": ["Isles"]}
        ],
    }
    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    seen = {}
    real = Placement._assign

    def spy(self, year, stage, entrants, home, forecast=False):
        learned = self.model.access_reputation[stage].copy()
        reputation = self.model.school_table.reputation.copy()
        out = real(self, year, stage, entrants, home, forecast)
        if not forecast:
            seen[stage] = (learned, reputation, entrants.copy(), home.copy(), *out)
        return out

    monkeypatch.setattr(Placement, "_assign", spy)
    model.step()
    families, table = model.families, model.school_table
    n = len(table)
    isles = 1
    for stage in (0, 1):
        before, reputation, entrants, home, placed, first, rule, top3, outcome = seen[stage]
        record = model.intake[stage]
        in_isles = families.district[entrants] == isles
        assert (rule[in_isles] == RULE_CODES["catchment"]).all()
        assert (rule[~in_isles] == RULE_CODES["choice"]).all()
        assert (first[in_isles] == home[in_isles]).all()
        np.testing.assert_array_equal(families.school[entrants], placed)
        moved = families.moved_for_school[entrants]
        assert record["entrants"] == entrants.size == 300
        assert record["movers"] == moved.sum()
        assert record["renters"] == (moved & ~families.owner[entrants]).sum()
        resident = np.zeros(n, dtype=int)
        applications = np.zeros(n, dtype=int)
        for h, f in zip(home, first, strict=True):
            resident[h] += 1
            applications[f] += 1
        np.testing.assert_array_equal(record["resident_entrants"], resident)
        np.testing.assert_array_equal(record["applications"], applications)
        assert record["out_of_catchment"] == sum(f != h for f, h in zip(first, home, strict=True))
        assert record["first_choice_met"] == sum(p == f for p, f in zip(placed, first, strict=True))
        at_home = sum(p == h for p, h, i in zip(placed, home, in_isles, strict=True) if i)
        assert record["top3_met"] == at_home + top3
        assert 0 < top3 <= (~in_isles).sum()
        assert outcome["matched"] == (~in_isles).sum()
        np.testing.assert_array_equal(record["entry_places"], table.entry_capacity)
        # what families learned, for one address class and catchment by hand
        classes = _phase(model, "enrollment")._ladder_classes(entrants)
        k, school = classes[0], home[0]
        same = (classes == k) & (home == school)
        observed = reputation[placed[same]].mean()
        assert model.access_reputation[stage][k, school] == pytest.approx(
            0.5 * before[k, school] + 0.5 * observed, abs=1e-12
        )


def test_the_market_moves_each_family_to_the_catchment_it_won_on_the_tenure_it_won(
    small_city, monkeypatch
):
    """After the market clears (phases/housing_market.py): every family the clearing
    sends somewhere lives in a cell of that school's catchment, has moved for school,
    owns its flat if it bought and not if it rents (here all 72 rent, some of them
    owners before), and starts its residence at 0; the others keep their address. Each school of the stage carries the clearing's premium,
    capped at `max_premium_share` (here 0.01 of the flat, so the cap binds somewhere)
    and read as a share of its district's flat (4.5 M in Core, 0.9 M in the Isles); the
    other stage's schools keep theirs. The record counts the buyers."""
    seen = []
    real = housing_market.clear_entries

    def spy(*args):
        clearing = real(*args)
        seen.append(clearing)
        return clearing

    model = EduModel(small_city, seed=SEED, years=2, overrides={"housing.max_premium_share": 0.01})
    monkeypatch.setattr(housing_market, "clear_entries", spy)
    families, table = model.families, model.school_table
    intake = _phase(model, "enrollment")
    stage = 0
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[stage])
    families.moved_for_school[:] = False
    cell, owner, years = (
        families.cell.copy(),
        families.owner.copy(),
        families.residence_years.copy(),
    )
    premium_before = table.premium_share.copy()
    record = housing_market.housing_moves(
        model, 2019, stage, entrants, intake.stock[stage], intake._new(stage)
    )
    (clearing,) = seen
    sent = clearing.target != housing_market.STAY
    bought = sent & (clearing.tenure == housing_market.BUY)
    assert sent.sum() > 10
    moved = np.flatnonzero(families.moved_for_school)
    assert set(moved) <= set(entrants) and moved.size == sent.sum()
    np.testing.assert_array_equal(
        np.sort(model.catchments.catchment_of(families.cell[moved], stage)),
        np.sort(clearing.target[sent]),
    )
    # on the small city in 2019 every mover rents (no buyer), some of them owners before
    assert bought.sum() == 0 and owner[moved].any() and not families.owner[moved].any()
    np.testing.assert_array_equal(families.residence_years[moved], 0.0)
    stayed = np.setdiff1d(np.arange(len(families)), moved)
    np.testing.assert_array_equal(families.cell[stayed], cell[stayed])
    np.testing.assert_array_equal(families.owner[stayed], owner[stayed])
    np.testing.assert_array_equal(families.residence_years[stayed], years[stayed])
    flat = np.where(table.district == 0, 4.5e6, 0.9e6)
    in_stage = (table.stage == stage) & ~table.private & table.active
    expected = np.minimum(clearing.premium_cny, 0.01 * flat) / flat
    np.testing.assert_allclose(table.premium_share[in_stage], expected[in_stage])
    assert (expected[in_stage] == 0.01).any() and (expected[in_stage] < 0.01).any()
    np.testing.assert_array_equal(table.premium_share[~in_stage], premium_before[~in_stage])
    assert record["buyers"] == bought.sum()


def test_a_posting_records_the_host_its_end_its_kind_and_counts_by_tier(small_city):
    """A posting (phases/rotation.py `_post`), for three hand-picked teachers posted for
    three years (`rotation.posting_years`) from 2019 (district kind) and one reservoir teacher for one
    year: each teaches at its host until its posting ends (2021, or 2019 for the
    reservoir's one year), carries the kind, adds the years to its rotated years and
    starts at the host from 0 years; the log names it, where from and to, its years, tier
    and scope; the year's counts add the postings, the backbone teachers (tier >= 1),
    the young (under 35) and the postings of each tier."""
    from edusim.phases.rotation import DISTRICT, RESERVOIR, RotationPasses

    model = EduModel(small_city, seed=SEED, years=2, overrides={"rotation.posting_years": 3})
    teachers, names = model.teachers, model.school_table.name
    tier = teachers.tier.copy()
    tier[[0, 1, 2, 3]] = [0, 1, 2, 0]
    teachers.tier = tier
    age = teachers.age.copy()
    age[[0, 1, 2, 3]] = [30.0, 35.0, 50.0, 34.9]
    teachers.age = age
    rotated = teachers.rotated_years.copy()
    home = teachers.school[[0, 1, 2, 3]].copy()
    hosts = (home + 1) % len(names)
    stats = {
        "posted": 0,
        "backbone": 0,
        "young": 0,
        "by_tier": [0, 0, 0, 0],
        "district": 0,
        "reservoir": 0,
    }
    passes = RotationPasses(model)
    passes._post(2019, np.array([0, 1, 2]), hosts[:3], DISTRICT, stats)
    passes._post(2019, np.array([3]), hosts[3:], RESERVOIR, stats, years=1)
    np.testing.assert_array_equal(teachers.school[[0, 1, 2, 3]], hosts)
    np.testing.assert_array_equal(teachers.posting_end[[0, 1, 2, 3]], [2021, 2021, 2021, 2019])
    np.testing.assert_array_equal(teachers.posting_kind[[0, 1, 2, 3]], [2, 2, 2, 3])
    np.testing.assert_array_equal(
        teachers.rotated_years[[0, 1, 2, 3]], rotated[[0, 1, 2, 3]] + [3, 3, 3, 1]
    )
    np.testing.assert_array_equal(teachers.years_at_school[[0, 1, 2, 3]], 0.0)
    assert stats == {
        "posted": 4,
        "backbone": 2,
        "young": 2,
        "by_tier": [2, 1, 1, 0],
        "district": 3,
        "reservoir": 1,
    }
    posted = [e for e in model._events if e["label"] == "teacher posted"]
    assert [e["detail"] for e in posted] == [
        {
            "teacher": int(teachers.uid[t]),
            "from": str(names[home[t]]),
            "to": str(names[hosts[t]]),
            "years": years,
            "tier": int(tier[t]),
            "scope": scope,
        }
        for t, years, scope in ((0, 3, "district"), (1, 3, "district"), (2, 3, "district"),
                                (3, 1, "reservoir"))
    ]  # fmt: skip
    assert {e["year"] for e in posted} == {2019} and {e["kind"] for e in posted} == {"posting"}


def test_grants_buy_teaching_quality_per_pupil_and_teacher_growth_per_teacher(small_city):
    """What a school year makes of the year's grants (phases/school_year.py), by hand,
    with the default curves `max x (1 - exp(-money / scale))`: a resource grant of CNY
    1,000 per pupil at Core-P01 adds 0.05 x (1 - e^-0.5) = 0.019673 to its teaching
    quality this year (scale CNY 2,000 per pupil); a development grant of CNY 5,000 per
    teacher at Core-P03 adds 0.02 x (1 - e^-1) = 0.012642 to what each of its teachers
    has learned (scale CNY 5,000 per teacher). Nothing else changes: the same school
    year is run on two identical models, one of them with the grants."""
    plain = EduModel(small_city, seed=SEED, years=2)
    funded = EduModel(small_city, seed=SEED, years=2)
    table, teachers = funded.school_table, funded.teachers
    resource, development = 0, 2  # Core-P01, Core-P03
    assert table.name[resource] == "Core-P01" and table.name[development] == "Core-P03"
    grant = np.zeros(len(table))
    grant[resource] = 1000.0 * table.enrollment[resource]
    table.resource_grant_cny = grant
    grant = np.zeros(len(table))
    grant[development] = 5000.0 * (teachers.school == development).sum()
    table.development_grant_cny = grant
    for model in (plain, funded):
        _phase(model, "school_year").step(2018)
    gain = funded.school_table.teaching_quality - plain.school_table.teaching_quality
    expected = np.zeros(len(table))
    expected[resource] = 0.05 * (1 - np.exp(-0.5))
    np.testing.assert_allclose(gain, expected, atol=1e-12)
    assert expected[resource] == pytest.approx(0.019673, abs=1e-6)
    grown = funded.teachers.learned - plain.teachers.learned
    at = teachers.school == development
    np.testing.assert_allclose(grown[at], 0.02 * (1 - np.exp(-1.0)), atol=1e-12)
    np.testing.assert_array_equal(grown[~at], 0.0)


SPECIALTIES = {
    "specialties.school_share": 0.5,
    "specialties.kinds": 2,
    "specialties.family_interest_share": 1.0,
    "enrollment.rule": "choice",
}


@pytest.mark.parametrize("value", [0.0, 2.0])
def test_a_schools_specialty_is_its_own_draw_and_families_list_their_kind_higher(small_city, value):
    """School specialties (phases/specialties.py) without groups: a public school has
    one when its own `schools.specialty` draw is under `school_share` (0.5), of kind
    floor(2 x its `schools.specialty_kind` draw), drawn once for the run (no year).
    Under choice a family that cares for a kind values a school offering it by
    `match_value_sd` more: at 2.0 (the largest allowed) most primary entrants who
    consider such a school list one first (measured on seed 3: 225 of 246), at 0 few do
    (17 of 246); the bands are 0.8 and 0.2."""
    from edusim.phases.specialties import liked_specialties, offered_specialties

    model = EduModel(
        small_city,
        seed=SEED,
        years=2,
        overrides={**SPECIALTIES, "specialties.match_value_sd": value},
    )
    table, families = model.school_table, model.families
    rows = np.arange(len(table))
    has = model.streams.uniform("schools.specialty", None, rows) < 0.5
    kind = np.floor(2 * model.streams.uniform("schools.specialty_kind", None, rows))
    offered = offered_specialties(model)
    np.testing.assert_array_equal(offered, np.where(has & ~table.private, kind, -1))
    assert (offered == 0).any() and (offered == 1).any() and (offered == -1).any()
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])
    home = model.catchments.catchment_of(families.cell[entrants], 0)
    intake = _phase(model, "enrollment")
    lists = intake._preference_lists(RULE_CODES["choice"], 0, entrants, home)
    liked = liked_specialties(model, entrants)
    match = (offered[np.maximum(lists, 0)] == liked[:, None]) & (lists >= 0)
    considering = match.any(axis=1).sum()
    assert considering > 200
    if value:
        assert match[:, 0].sum() > 0.8 * considering
    else:
        assert match[:, 0].sum() < 0.2 * considering
