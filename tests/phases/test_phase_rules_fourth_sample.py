"""Rules inside the yearly phases whose mutants survived the fresh sample of seed 26
(docs/testing.md, "Mutation testing"): written AFTER that score was taken, so the
seed-26 figure is fresh and its "after" figure is not. Each checks a rule by hand on the
small city: a year at an address adds a year of residence, the log of a formed group
names its kind, the rotation record counts the reservoir, a family's specialty is its
own draw."""

from __future__ import annotations

import numpy as np

from edusim.model import EduModel

SEED = 3


def _phase(model: EduModel, name: str):
    return next(phase for phase in model.phases if phase.name == name)


def test_each_evaluation_adds_a_year_of_residence_to_every_family(small_city):
    """The July evaluation closes a school year: every family has lived one year longer
    at its address (the ladder's residence years; phases/evaluation.py)."""
    model = EduModel(small_city, seed=SEED, years=2)
    model.step()
    families = model.families
    before = families.residence_years.copy()
    _phase(model, "evaluation").step(model.current_school_year)
    np.testing.assert_array_equal(families.residence_years, before + 1.0)


def test_a_formed_groups_log_names_its_kind_core_and_members(small_scenario):
    """The log of a named group's formation: its name, kind, core and members."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "G", "kind": "alliance", "core": "Core-P01",
             "members": ["Core-P02", "Core-P03"], "formed": "2018-09-01"}
        ]
    }  # fmt: skip
    model = EduModel(small_scenario, seed=SEED, years=1)
    model.step()
    (formed,) = [e for e in model._events if e["label"] == "formed"]
    assert formed["kind"] == "group" and formed["year"] == 2018
    assert formed["detail"] == {
        "group": "G",
        "kind": "alliance",
        "core": "Core-P01",
        "members": ["Core-P02", "Core-P03"],
    }


def test_the_rotation_record_counts_the_reservoir_teachers(small_city):
    """`reservoir_size` in the year's rotation record is the number of teachers the
    district employs in its reservoir (employer 1) after the year's passes: a quarter
    of each district's backbone teachers (`reservoir_share` 0.25), so more than none and
    far fewer than all."""
    overrides = {"rotation.reservoir_share": 0.25}
    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    model.step()
    teachers = model.teachers
    size = model.rotation_stats[model.current_school_year]["reservoir_size"]
    in_pool = int((teachers.employer == 1).sum())
    assert size == in_pool
    backbone = int((teachers.tier >= 1).sum())
    assert 0 < in_pool < len(teachers) / 2 and in_pool <= np.ceil(0.25 * backbone) + 2


def test_a_family_cares_for_a_specialty_when_its_own_draw_is_under_the_share(small_city):
    """A family cares for a kind of specialty when its own `families.specialty` draw is
    under `family_interest_share` (here 0.5), and the kind is floor(2 x its
    `families.specialty_kind` draw); both drawn once for its lifetime (no year)."""
    from edusim.phases.specialties import liked_specialties

    overrides = {
        "specialties.school_share": 0.5,
        "specialties.kinds": 2,
        "specialties.family_interest_share": 0.5,
    }
    model = EduModel(small_city, seed=SEED, years=2, overrides=overrides)
    rows = np.arange(len(model.families))
    uid = model.families.uid
    cares = model.streams.uniform("families.specialty", None, uid) < 0.5
    kind = np.floor(2 * model.streams.uniform("families.specialty_kind", None, uid))
    liked = liked_specialties(model, rows)
    np.testing.assert_array_equal(liked, np.where(cares, kind, -1))
    assert 0.4 < cares.mean() < 0.6 and (liked == 0).any() and (liked == 1).any()


def test_a_family_whose_fee_limit_equals_the_cheapest_fee_weighs_private_schools(
    small_scenario,
):
    """A family with the private option weighs the private schools when
    `fee_income_share_max` (0.3) of its income covers the cheapest private fee of the
    stage, the limit included (phases/private_intake.py `considering_families`); a yuan
    of income short, it does not."""
    from edusim.phases.private_intake import considering_families
    from edusim.world.schools import FIRST_GRADE

    core, isles = small_scenario["city"]["districts"]
    core["private_schools"] = {"primary": 2, "junior": 0}
    isles["private_schools"] = {"primary": 0, "junior": 0}
    model = EduModel(small_scenario, seed=SEED, years=2, overrides={"private.option_share": 1.0})
    families, table = model.families, model.school_table
    cheapest = table.fee_cny_per_year[table.private & (table.stage == 0)].min()
    entrants = np.flatnonzero(families.grade == FIRST_GRADE[0])[:3]
    income = families.income_cny.copy()
    income[entrants] = [cheapest / 0.3, cheapest / 0.3 - 1.0, cheapest / 0.3 * 2]
    families.income_cny = income
    assert 0.3 * income[entrants[0]] == cheapest  # exactly at the limit
    weighing = considering_families(model, 0, entrants)
    assert weighing.position.tolist() == [0, 2]


def test_the_log_counts_the_retirees_rehired_and_the_schools_they_teach_at(small_scenario):
    """The year the first famous retirees are rehired for rural schools (Hangzhou 001;
    `rotation.retiree_rural_share` 1.0), the log says how many teachers and at how many
    schools, counted here from the teachers table."""
    model = EduModel(
        small_scenario,
        seed=SEED,
        years=5,
        overrides={
            "teachers.share_famous_special": 0.3,
            "rotation.retiree_rural_share": 1.0,
            "rotation.retiree_rural_years": 2,
        },
    )
    teachers = model.teachers
    while not (teachers.employer == 2).any():
        model.step()
        teachers = model.teachers
    rehired = teachers.employer == 2
    (logged,) = [e for e in model._events if e["label"] == "retirees teach at rural schools"]
    assert logged["kind"] == "staffing" and logged["year"] == model.current_school_year
    assert logged["detail"] == {
        "teachers": int(rehired.sum()),
        "schools": int(np.unique(teachers.school[rehired]).size),
    }


def test_branch_campus_and_cross_district_grants_by_hand(small_scenario):
    """Reform grants of a year (phases/policy_events.py `_fund`), by hand: every member
    of a tight or entrusted group within one district is a branch campus and receives
    `branch_campus_cny` (Chongming 二6); a group spanning districts instead shares
    `cross_district_group_cny` among its members. Groups: T (tight, Core-P01 with P02
    and P03), E (entrusted within the Isles, Isles-P02 with P03), X (entrusted across
    districts, Core-P04 with Isles-P01). With CNY 100,000 a branch and 300,000 a
    cross-district group, no rural studio and no special-teacher support: P02, P03,
    Isles-P03 get 100,000 each, Isles-P01 300,000, the cores nothing; 600,000 requested
    and spent, and logged."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "T", "kind": "tight", "core": "Core-P01",
             "members": ["Core-P02", "Core-P03"], "formed": "2018-09-01"},
            {"name": "E", "kind": "entrusted", "core": "Isles-P02",
             "members": ["Isles-P03"], "formed": "2018-09-01"},
            {"name": "X", "kind": "entrusted", "core": "Core-P04",
             "members": ["Isles-P01"], "formed": "2018-09-01"},
        ]
    }  # fmt: skip
    overrides = {
        "funding.branch_campus_cny": 100_000.0,
        "funding.cross_district_group_cny": 300_000.0,
        "funding.rural_studios": 0,
        "funding.special_teacher_support_cny": 0.0,
        "funding.budget_cap_cny": None,
    }
    model = EduModel(small_scenario, seed=SEED, years=1, overrides=overrides)
    _phase(model, "policy").step(2018)
    table = model.school_table
    received = dict(zip(table.name.tolist(), table.resource_grant_cny.tolist(), strict=True))
    expected = dict.fromkeys(received, 0.0)
    expected.update({"Core-P02": 1e5, "Core-P03": 1e5, "Isles-P03": 1e5, "Isles-P01": 3e5})
    assert received == expected
    np.testing.assert_array_equal(table.development_grant_cny, 0.0)
    money = model.money[2018]
    assert money["requested_cny"] == money["spent_cny"] == 600_000.0 and money["scale"] == 1.0
    (logged,) = [e for e in model._events if e["label"] == "grants allocated"]
    assert logged["detail"]["spent_cny"] == 600_000.0


def test_the_arriving_cohort_is_the_first_grades_share_of_an_uneven_stage(small_scenario):
    """Grade-1 arrivals per district are the first grade's share of the district's
    primary pupils (`pupils_per_grade`: an uneven remainder goes to the lowest grades),
    grown by `cohort_growth` (0 here): with 1,201 primary pupils in Core, grade 1 as
    built holds 201 and so do the arrivals; the Isles' 600 give 100."""
    from edusim.phases.arrivals import arrive

    small_scenario["city"]["districts"][0]["pupils"]["primary"] = 1201
    model = EduModel(small_scenario, seed=SEED, years=2, overrides={"families.cohort_growth": 0.0})
    families = model.families
    first = families.next_uid
    arrive(model, 2019)
    new = families.uid >= first
    assert np.bincount(families.district[new], minlength=2).tolist() == [201, 100]


def test_the_leaders_appointed_in_a_year_are_the_leader_rows_added_that_year(small_city):
    """`appointed` in a year's leader record counts every leader appointed that year:
    to schools without a principal or short of deputies after the exits, and again to
    the deputy posts that executive principals of group members leave (the year's second
    appointment pass), i.e. the leader rows (new ids) added that year. Two leaders are
    made 80 so that in 2018 both passes appoint."""
    rule = {
        "name": "T", "kind": "tight", "formed": "2018-09-01", "stage": "primary",
        "target_share": 0.6,
    }  # fmt: skip
    model = EduModel(
        small_city,
        seed=SEED,
        years=3,
        overrides={"groups.rules": [rule], "leaders.executive_share": 0.5},
    )
    age = model.leaders.age.copy()
    age[:2] = 80.0  # two leaders retire in the first year: the first pass replaces them
    model.leaders.age = age
    while model.running:
        first = model.leaders.next_uid
        model.step()
        year = model.current_school_year
        stats = model.leader_stats[year]
        added = int((model.leaders.uid >= first).sum())
        assert stats["appointed"] == added
        if year == 2018:  # both passes appointed: the retirees' posts, then the executives'
            assert stats["retired"] >= 2 and stats["executive"] > 0


def test_experimental_classes_only_at_the_cores_of_named_groups_that_ask_for_them(
    small_scenario,
):
    """Experimental classes (policy/tracking.py) are seats at the core of a named group
    with `experimental_classes` while it is active: one class of its class size at
    Core-J01 (named group E); none at the cores of groups formed by a rule, which no
    named group's setting reaches."""
    from edusim.phases.sharing import experimental_seats

    small_scenario["groups"] = {
        "explicit": [
            {"name": "E", "kind": "tight", "core": "Core-J01", "members": ["Core-J02"],
             "formed": "2018-09-01", "experimental_classes": 1}
        ],
        "rules": [
            {"name": "T", "kind": "tight", "formed": "2018-09-01", "stage": "primary",
             "target_share": 0.6}
        ],
    }  # fmt: skip
    model = EduModel(small_scenario, seed=SEED, years=1)
    model.step()
    table = model.school_table
    assert len(model.groups.groups) > 1  # the rule formed groups too
    expected = np.zeros(len(table), dtype=np.int64)
    core = list(table.name).index("Core-J01")
    expected[core] = table.class_size[core]
    np.testing.assert_array_equal(experimental_seats(model), expected)
