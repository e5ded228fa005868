"""The policy phase's rules by hand (phases/policy_events.py): groups formed by a rule
(which schools, in which order, up to `max_members` and `target_share`, cores of the
owner levels the rule names, private and closed schools left out), the name each
formation lends its members (`brand_change`), the grants of the zone, special-teacher
and rural-studio channels and the cap on some of them, and the years a group's grants
are paid (its term, renewed or not).

Written after the phases' fresh mutation sample of seed 26 (docs/testing.md), where this
module kept 6 of 8 mutants: each test sets the schools' quality, reputation, owner and
travel by hand on the small city and runs the policy phase alone, so every expected
value below is worked out in its docstring."""

from __future__ import annotations

import numpy as np
import pytest

from edusim.model import EduModel

SEED = 3
P01, P02, P03, P04 = 0, 1, 2, 3  # Core's primary schools (rows of the school table)
ISLES_P01, ISLES_P02, ISLES_P03, ISLES_P04, ISLES_J01, ISLES_J02 = 6, 7, 8, 9, 10, 11
NO_MONEY = {"funding.rural_studios": 0, "funding.special_teacher_support_cny": 0.0}


def _policy(model: EduModel):
    return next(phase for phase in model.phases if phase.name == "policy")


def _rule(**fields) -> dict:
    return {
        "name": "R",
        "kind": "tight",
        "formed": "2018-09-01",
        "stage": "primary",
        "districts": ["Core"],
        "member_pool": ["any"],
        "max_members": 1,
        "target_share": 1.0,
        **fields,
    }


def _hand_city(small_scenario, monkeypatch, rules: list[dict], **overrides) -> EduModel:
    """The small city before its first year, with Core's primaries set by hand: quality
    P02 0.4 > P03 0.3 > P04 0.2 > P01 0.1; reputation P01 0, P02 1, P03 0.5, P04 0.2;
    travel (km) from P02: P04 1, P01 2, P03 3; from P03: P01 1, P04 2; from P01: P03 1,
    P04 2, P02 3 (every other pair 10 km)."""
    model = EduModel(
        small_scenario,
        seed=SEED,
        years=2,
        overrides={"groups.rules": rules, **NO_MONEY, **overrides},
    )
    table = model.school_table
    table.teaching_quality[[P01, P02, P03, P04]] = [0.1, 0.4, 0.3, 0.2]
    table.reputation[[P01, P02, P03, P04]] = [0.0, 1.0, 0.5, 0.2]
    travel = np.full((len(table), len(table)), 10.0)
    np.fill_diagonal(travel, 0.0)
    for a, b, km in [(P02, P04, 1), (P02, P01, 2), (P02, P03, 3), (P03, P01, 1),
                     (P03, P04, 2), (P01, P04, 2)]:  # fmt: skip
        travel[a, b] = travel[b, a] = km
    monkeypatch.setattr(model, "school_travel_km", lambda: travel)
    return model


def _formed(model: EduModel) -> list[tuple[str, int, list[int]]]:
    """(name, core, members in order) of every active group."""
    groups = model.groups
    out = []
    for group_id, group in enumerate(groups.groups):
        rows = np.flatnonzero(groups.group == group_id)
        out.append((group.name, int(groups.school[rows[0]]), groups.school[rows[1:]].tolist()))
    return out


def _events(model: EduModel, label: str) -> list[dict]:
    return [e["detail"] for e in model._events if e["label"] == label]


def test_a_rule_forms_groups_strongest_core_first_each_taking_its_nearest_school(
    small_scenario, monkeypatch
):
    """One member a core, every Core primary to join (target 1.0 of a pool of 4): P02,
    the strongest, takes its nearest P04 (R-01); P03 takes P01, the only school left
    (R-02); P04 and P01 are already in groups. 2 of 4 joined: achieved share 0.5. The
    log has one row per group (kind, core, members) and the rule's row."""
    model = _hand_city(small_scenario, monkeypatch, [_rule()])
    _policy(model).step(2018)
    assert _formed(model) == [("R-01", P02, [P04]), ("R-02", P03, [P01])]
    assert _events(model, "formed") == [
        {"group": "R-01", "kind": "tight", "core": "Core-P02", "members": ["Core-P04"]},
        {"group": "R-02", "kind": "tight", "core": "Core-P03", "members": ["Core-P01"]},
    ]
    assert _events(model, "rule applied") == [
        {"rule": "R", "kind": "tight", "groups": 2, "members": 2, "target_share": 1.0,
         "achieved_share": 0.5}
    ]  # fmt: skip


def test_a_rule_stops_at_its_target_share_and_takes_members_nearest_first(
    small_scenario, monkeypatch
):
    """Target 0.25 of a pool of 4 is 1 school: P02 takes P04 and the rule stops (one
    group, achieved 0.25). With two members a core and target 1.0, P02 takes P04 then
    P01 (nearest first); P03 finds no school left and forms nothing (achieved 0.5)."""
    model = _hand_city(small_scenario, monkeypatch, [_rule(target_share=0.25)])
    _policy(model).step(2018)
    assert _formed(model) == [("R-01", P02, [P04])]
    assert _events(model, "rule applied")[0]["achieved_share"] == 0.25

    model = _hand_city(small_scenario, monkeypatch, [_rule(max_members=2)])
    _policy(model).step(2018)
    assert _formed(model) == [("R-01", P02, [P04, P01])]
    (applied,) = _events(model, "rule applied")
    assert (applied["groups"], applied["members"], applied["achieved_share"]) == (1, 2, 0.5)


def test_a_rules_cores_are_of_the_owner_levels_it_names(small_scenario, monkeypatch):
    """Core-P01 is made a city school (owner 0), the rest of Core stays district-run: a
    rule whose cores must be city schools forms one group, at P01 although it is the
    weakest, with its nearest school P03."""
    model = _hand_city(small_scenario, monkeypatch, [_rule(core_owner=["city"])])
    model.school_table.owner[P01] = 0
    _policy(model).step(2018)
    assert _formed(model) == [("R-01", P01, [P03])]


def test_private_closed_and_already_grouped_schools_stay_out_of_a_rules_groups(
    small_scenario, monkeypatch
):
    """P04 is private and P03 closed; P02 and P01 are already in a named tight group
    formed the same year (named groups form before rules): the tight rule finds no core
    and no member and forms nothing (achieved share of an empty pool: nan)."""
    small_scenario["groups"] = {
        "explicit": [{"name": "G", "kind": "tight", "core": "Core-P02",
                      "members": ["Core-P01"], "formed": "2018-09-01"}]
    }  # fmt: skip
    model = _hand_city(small_scenario, monkeypatch, [_rule()])
    model.school_table.private[P04] = True
    model.school_table.active[P03] = False
    _policy(model).step(2018)
    assert _formed(model) == [("G", P02, [P01])]
    (applied,) = _events(model, "rule applied")
    assert applied["groups"] == 0 and np.isnan(applied["achieved_share"])


def test_a_formation_lends_the_cores_name_and_dilutes_the_core(small_scenario, monkeypatch):
    """`brand_change` of the year's formations (brand_sharing 0.8, brand_dilution 0.03 of
    a tight group): R-01 moves P04 by 0.8 x (1.0 - 0.2) = 0.64 and P02 by -0.03; R-02
    moves P01 by 0.8 x (0.5 - 0) = 0.4 and P03 by -0.03; nobody else. The next year,
    with no formation, the change is back to zero."""
    model = _hand_city(small_scenario, monkeypatch, [_rule()])
    _policy(model).step(2018)
    expected = np.zeros(len(model.school_table))
    expected[[P01, P02, P03, P04]] = [0.4, -0.03, -0.03, 0.64]
    np.testing.assert_allclose(model.brand_change, expected, atol=1e-12)
    np.testing.assert_allclose(
        model.school_table.reputation[[P01, P02, P03, P04]], [0.4, 0.97, 0.47, 0.84]
    )
    _policy(model).step(2019)
    np.testing.assert_array_equal(model.brand_change, 0.0)


def test_zone_special_teacher_and_capped_rural_studio_grants_by_hand(small_scenario):
    """A zone Z (Core-P01 with P02, P03) shares CNY 300,000 among its three schools,
    core included: 100,000 each (resource money). An alliance S in the rural Isles
    (core Isles-P01, where two special-grade teachers are made to work, with P02-P04)
    gets 2 x 90,000 for its rural members: 60,000 each (development money). Eight rural
    studios of 50,000 go to the Isles' 6 schools weakest first, wrapping round: J02 and
    J01 two each, P04, P03, P02, P01 one each (400,000). Only studios are capped, at
    200,000: scale 0.5. Requested 300,000 + 180,000 + 400,000 = 880,000; spent
    300,000 + 180,000 + 200,000 = 680,000."""
    small_scenario["groups"] = {
        "explicit": [
            {"name": "Z", "kind": "zone", "core": "Core-P01",
             "members": ["Core-P02", "Core-P03"], "formed": "2018-09-01"},
            {"name": "S", "kind": "alliance", "core": "Isles-P01",
             "members": ["Isles-P02", "Isles-P03", "Isles-P04"], "formed": "2018-09-01"},
        ]
    }  # fmt: skip
    overrides = {
        "funding.zone_cny": 300_000.0,
        "funding.special_teacher_support_cny": 90_000.0,
        "funding.rural_studios": 8,
        "funding.rural_studio_cny": 50_000.0,
        "funding.budget_cap_cny": 200_000.0,
        "funding.capped_grants": ["rural_studio"],
    }
    model = EduModel(small_scenario, seed=SEED, years=1, overrides=overrides)
    table, teachers = model.school_table, model.teachers
    isles = [ISLES_P01, ISLES_P02, ISLES_P03, ISLES_P04, ISLES_J01, ISLES_J02]
    table.teaching_quality[isles] = [0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
    teachers.tier[teachers.tier == 3] = 2
    teachers.tier[np.flatnonzero(teachers.home_school == ISLES_P01)[:2]] = 3
    _policy(model).step(2018)
    resource = np.zeros(len(table))
    resource[[P01, P02, P03]] = 100_000.0
    np.testing.assert_allclose(table.resource_grant_cny, resource)
    development = np.zeros(len(table))
    development[isles] = [25_000.0, 85_000.0, 85_000.0, 85_000.0, 50_000.0, 50_000.0]
    np.testing.assert_allclose(table.development_grant_cny, development)
    money = model.money[2018]
    assert money["requested_cny"] == pytest.approx(880_000.0)
    assert money["spent_cny"] == pytest.approx(680_000.0)
    assert money["scale"] == 0.5 and money["performance_pay_cny"] == 0.0
    (logged,) = _events(model, "grants allocated")
    assert logged == money


@pytest.mark.parametrize(
    ("term_years", "renew", "paid_years", "log", "term_end"),
    [
        (1, False, [2018], {2019: "dissolved"}, 2018),
        (1, True, [2018, 2019, 2020], {2019: "renewed", 2020: "renewed"}, 2020),
        (2, False, [2018, 2019], {2020: "dissolved"}, 2019),
        (2, True, [2018, 2019, 2020], {2020: "renewed"}, 2021),
    ],
)
def test_a_branch_grant_is_paid_in_each_year_of_the_groups_term(
    small_scenario, term_years, renew, paid_years, log, term_end
):
    """A tight group T (Core-P01 with its branch Core-P02) formed in 2018 for
    `term_years`: its branch gets CNY 100,000 in each school year the group is active.
    A one-year group ends at the start of 2019 (dissolved, nothing paid, nothing logged
    as allocated) or, renewable, is renewed for a year in 2019 and again in 2020 (term
    end 2020); a two-year group is paid in 2018 and 2019 and dissolved in 2020 or,
    renewable, renewed in 2020 for two more years (term end 2019 + 2 = 2021)."""
    small_scenario["groups"] = {
        "explicit": [{"name": "T", "kind": "tight", "core": "Core-P01",
                      "members": ["Core-P02"], "formed": "2018-09-01",
                      "term_years": term_years, "renew": renew}]
    }  # fmt: skip
    overrides = {**NO_MONEY, "funding.branch_campus_cny": 100_000.0}
    model = EduModel(small_scenario, seed=SEED, years=3, overrides=overrides)
    paid, ends = [], {}
    for year in (2018, 2019, 2020):
        _policy(model).step(year)
        grants = model.school_table.resource_grant_cny
        if grants.any():
            expected = np.zeros(len(model.school_table))
            expected[P02] = 100_000.0
            np.testing.assert_array_equal(grants, expected)
            paid.append(year)
        ends.update(
            {e["year"]: e["label"] for e in model._events
             if e["year"] == year and e["label"] in ("renewed", "dissolved")}
        )  # fmt: skip
    assert paid == paid_years
    assert ends == log
    assert [e["year"] for e in model._events if e["label"] == "grants allocated"] == paid_years
    ended = [e["detail"] for e in model._events if e["label"] in ("renewed", "dissolved")]
    assert ended == [{"group": "T"}] * len(log)
    group = model.groups.groups[0]
    assert group.active == renew
    assert group.term_end_year == term_end
