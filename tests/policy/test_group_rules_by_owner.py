"""Formation rules that use the owner level and the school's own rural status."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from edusim.policy.group_formation import SchoolView, form_by_rule
from edusim.scenario.groups import GroupRule

OWNER = np.array([0, 1, 1, 0, 1, 1])  # city-owned schools 0 and 3
RURAL = np.array([False, False, True, False, False, True])


def _view() -> SchoolView:
    position = np.arange(6, dtype=float)
    return SchoolView(
        stage=np.zeros(6, dtype=np.int8),
        district=np.zeros(6, dtype=np.int16),
        district_kind=np.ones(6, dtype=np.int8),  # a suburban district: no rural county
        quality=np.array([0.9, 0.8, 0.1, 0.7, 0.2, 0.0]),
        enrollment=np.full(6, 500),
        travel_km=np.abs(position[:, None] - position[None, :]),
        owner=OWNER,
        rural=RURAL,
    )


def _rule(**values) -> GroupRule:
    base = {"name": "G", "kind": "alliance", "formed": dt.date(2019, 9, 1), "stage": "primary"}
    return GroupRule(**{**base, **values})


def test_cross_level_groups_take_city_owned_cores_and_members_of_another_level():
    rule = _rule(member_pool=("any",), core_owner=("city",), cross_owner=True, max_members=2)
    groups, _ = form_by_rule(rule, _view(), np.array([0]), np.zeros(6, dtype=bool))
    assert [core for core, _ in groups] == [0, 3]
    for core, members in groups:
        assert (OWNER[members] != OWNER[core]).all()


def test_rural_school_pool_reaches_village_schools_of_a_suburban_district():
    by_school = _rule(member_pool=("rural_school",))
    by_county = _rule(member_pool=("rural",))
    taken = np.zeros(6, dtype=bool)
    groups, share = form_by_rule(by_school, _view(), np.array([0]), taken)
    members = np.concatenate([m for _, m in groups])
    assert sorted(members) == [2, 5] and share == 1.0
    assert form_by_rule(by_county, _view(), np.array([0]), taken)[0] == []


def test_without_owner_data_every_school_counts_as_district_owned():
    view = dataclasses.replace(_view(), owner=None, rural=None)
    rule = _rule(member_pool=("any",), core_owner=("city",))
    assert form_by_rule(rule, view, np.array([0]), np.zeros(6, dtype=bool))[0] == []


def test_participants_count_cores_over_every_school_that_could_take_part():
    # six schools, [any] pool: one core (0) and one member (its nearest, 1) is 2 of 6
    # taking part; counted as members, 1 of the 6 in the pool
    taken = np.zeros(6, dtype=bool)
    members_rule = _rule(member_pool=("any",), max_members=1, max_cores=1)
    participants_rule = _rule(
        member_pool=("any",), max_members=1, max_cores=1, target_counts="participants"
    )
    assert form_by_rule(members_rule, _view(), np.array([0]), taken)[1] == 1 / 6
    assert form_by_rule(participants_rule, _view(), np.array([0]), taken)[1] == 2 / 6


def test_a_participation_target_stops_sooner_when_cores_count():
    # target 1/2 of six: counting cores, two groups of core + 1 member reach 4/6; counting
    # members only, three members are needed (three groups)
    taken = np.zeros(6, dtype=bool)
    counted = _rule(member_pool=("any",), max_members=1, target_share=0.5)
    by_participants = form_by_rule(
        counted.model_copy(update={"target_counts": "participants"}),
        _view(),
        np.array([0]),
        taken,
    )[0]
    assert len(form_by_rule(counted, _view(), np.array([0]), taken)[0]) == 3
    assert len(by_participants) == 2


def test_member_districts_take_members_only_from_the_named_districts():
    view = dataclasses.replace(_view(), district=np.array([0, 0, 1, 0, 1, 1], dtype=np.int16))
    rule = _rule(member_pool=("any",), max_members=3, max_cores=1)
    groups, _ = form_by_rule(rule, view, np.array([0]), np.zeros(6, dtype=bool), np.array([1]))
    core, members = groups[0]
    assert core == 0 and sorted(members) == [2, 4, 5]


def test_a_vertical_group_takes_the_primary_schools_that_feed_its_core():
    # schools 0-2 junior, 3-7 primary; primaries 3, 5, 7 feed junior 0, 4 and 6 feed 1
    position = np.arange(8, dtype=float)
    view = SchoolView(
        stage=np.array([1, 1, 1, 0, 0, 0, 0, 0]),
        district=np.zeros(8, dtype=np.int16),
        district_kind=np.zeros(8, dtype=np.int8),
        quality=np.array([0.9, 0.5, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0]),
        enrollment=np.full(8, 500),
        travel_km=np.abs(position[:, None] - position[None, :]),
        feeds=np.array([-1, -1, -1, 0, 1, 0, 1, 0]),
    )
    rule = _rule(stage="junior", member_stage="primary", member_pool=("any",),
                 members_feed_core=True, max_members=10)  # fmt: skip
    groups, _ = form_by_rule(rule, view, np.array([0]), np.zeros(8, dtype=bool))
    assert [(core, sorted(members)) for core, members in groups] == [(0, [3, 5, 7]), (1, [4, 6])]
    nearest = form_by_rule(
        rule.model_copy(update={"members_feed_core": False, "max_members": 2}),
        view,
        np.array([0]),
        np.zeros(8, dtype=bool),
    )[0]
    assert sorted(nearest[0][1]) == [3, 4]  # without the links: the two nearest primaries


def test_in_a_rural_county_the_county_pool_admits_the_seat_schools_the_school_pool_does_not():
    # a rural county (kind 2): schools 0 and 3 strong and at the seat, the others villages
    # (RURAL: 2 and 5). Sanming's county rules read 农村学校 (seed 004 五(二)); the county's
    # kind admits every school, seat included (core 0 takes 1 and 2, core 3 takes 4 and 5,
    # by distance), the school's own status only the village schools 2 and 5
    view = dataclasses.replace(_view(), district_kind=np.full(6, 2, dtype=np.int8))
    taken = np.zeros(6, dtype=bool)
    by_county = _rule(member_pool=("rural",), max_members=2)
    by_school = _rule(member_pool=("rural_school",), max_members=2)
    county_members = sorted(
        np.concatenate([m for _, m in form_by_rule(by_county, view, np.array([0]), taken)[0]])
    )
    school_members = sorted(
        np.concatenate([m for _, m in form_by_rule(by_school, view, np.array([0]), taken)[0]])
    )
    assert county_members == [1, 2, 4, 5]
    assert school_members == [2, 5]
