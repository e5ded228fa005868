"""School changes of the timeline and feeder pairs are checked before anything runs, each
problem at its YAML path (scenario/lifecycle.py)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from edusim.cli import EXIT_BAD_INPUT, main
from edusim.scenario.loader import ScenarioError, load_scenario
from edusim.world.schools import scenario_private_names

OPEN = {"name": "Core-P05", "stage": "primary", "district": "Core"}


def _problems(small_city, events, **changes) -> dict[str, str]:
    data = copy.deepcopy(small_city)
    data.update(timeline=events, **changes)
    with pytest.raises(ScenarioError) as error:
        load_scenario(data)
    return {problem.path: problem.message for problem in error.value.problems}


@pytest.mark.parametrize(
    ("event", "path", "words"),
    [
        ({"close": {"school": "Core-P09"}}, "timeline[0].close.school", "does not exist"),
        ({"expand": {"school": "Nowhere"}}, "timeline[0].expand.school", "does not exist"),
        (
            {"merge": {"school": "Core-P01", "into": "Core-J01"}},
            "timeline[0].merge.into",
            "merge schools of one stage",
        ),
        (
            {"merge": {"school": "Core-P01", "into": "Core-P01"}},
            "timeline[0].merge.into",
            "merged into itself",
        ),
        ({"open": {**OPEN, "name": "Core-P01"}}, "timeline[0].open.name", "already exists"),
        ({"open": {**OPEN, "district": "Atlantis"}}, "timeline[0].open.district", "Atlantis"),
        ({"open": {**OPEN, "x_km": 1.0}}, "timeline[0].open.x_km", "both"),
        ({"open": {**OPEN, "feeds": "Core-P02"}}, "timeline[0].open.feeds", "junior"),
        (
            {"open": {**OPEN, "entrusted_to": "Core-J01"}},
            "timeline[0].open.entrusted_to",
            "primary",
        ),
        ({"open": {**OPEN, "join_group": "G"}}, "timeline[0].open.join_group", "no explicit group"),
        ({"open": {**OPEN, "stage": "senior"}}, "timeline[0].open.stage", "nine_year"),
        (
            {"close": {"school": "Core-J02"}, "shrink": {"school": "Core-J01"}},
            "timeline[0]",
            "at most one",
        ),
        ({}, "timeline[0]", "needs `set` or one of"),
    ],
)
def test_a_wrong_school_change_is_refused_at_its_path(small_city, event, path, words):
    problems = _problems(small_city, [{"date": "2019-09-01", **event}])
    assert path in problems, problems
    assert words in problems[path]


def test_events_are_checked_in_the_order_they_take_effect(small_city):
    events = [
        {"date": "2020-09-01", "expand": {"school": "Core-P02"}},  # listed first, fires later
        {"date": "2019-09-01", "merge": {"school": "Core-P02", "into": "Core-P01"}},
        {"date": "2020-09-01", "open": OPEN},
        {"date": "2021-09-01", "close": {"school": "Core-P05"}},  # opened by an event: fine
    ]
    problems = _problems(small_city, events)
    assert list(problems) == ["timeline[0].expand.school"]
    assert "closed or been merged" in problems["timeline[0].expand.school"]


def test_a_district_keeps_a_school_of_each_stage(small_city):
    events = [{"date": "2019-09-01", "close": {"school": "Core-J01"}}]
    assert load_scenario({**copy.deepcopy(small_city), "timeline": events})
    events.append({"date": "2020-09-01", "close": {"school": "Core-J02"}})
    problems = _problems(small_city, events)
    assert "last open public junior school" in problems["timeline[1].close.school"]


def test_a_school_change_before_the_run_is_refused(small_city):
    problems = _problems(small_city, [{"date": "2016-09-01", "open": OPEN}])
    assert "before the run" in problems["timeline[0].date"]


def test_feeder_pairs_name_a_public_primary_and_a_public_junior(small_city):
    problems = _problems(small_city, [], feeders={"pairs": {"Core-J01": "Core-J02"}})
    assert "not a public primary" in problems["feeders.pairs.Core-J01"]
    problems = _problems(small_city, [], feeders={"pairs": {"Core-P01": "Core-P02"}})
    assert "not a public junior" in problems["feeders.pairs.Core-P01"]


def test_feeders_cannot_change_during_the_run(small_city):
    event = {"date": "2019-09-01", "set": {"feeders.rule": "none"}}
    problems = _problems(small_city, [event])
    assert "fixed for the whole run" in problems["timeline[0].set['feeders.rule']"]


def test_the_command_line_exits_2_with_the_path(write_yaml, capsys, tmp_path):
    path = write_yaml(
        "bad.yaml",
        "extends: base.yaml\nname: bad\ncity:\n  districts:\n"
        "    - {name: A, kind: urban, area_km2: 20, towns: 2, schools: {primary: 2, junior: 1},"
        " pupils: {primary: 600, junior: 300}}\n"
        "timeline:\n  - date: 2019-09-01\n    merge: {school: A-P01, into: A-P01}\n",
    )
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "timeline[0].merge.into" in err and "Traceback" not in err


TOWN_CITY = (
    "extends: base.yaml\nname: town\ncity:\n  districts:\n"
    "    - {name: A, kind: urban, area_km2: 20, towns: 2, schools: {primary: 2, junior: 1},"
    " pupils: {primary: 600, junior: 300}}\n"
    "    - {name: B, kind: suburban, area_km2: 60, towns: 3, islands: ISLANDS,"
    " schools: {primary: 2, junior: 1}, pupils: {primary: 500, junior: 250}}\n"
    "timeline:\n  - date: 2019-09-01\n"
    "    open: {name: OPEN-P09, stage: primary, district: OPEN, town: TOWN}\n"
)


def _town_city(write_yaml, district: str, town: int, islands: int = 0):
    text = TOWN_CITY.replace("ISLANDS", str(islands)).replace("OPEN", district)
    return write_yaml("town.yaml", text.replace("TOWN", str(town)))


def _run_refuses(path, tmp_path) -> None:
    """`edusim run` of `path` exits 2 and leaves nothing that looks like a finished run."""
    out = tmp_path / "out"
    arguments = ["run", str(path), "--years", "2", "--no-report", "--quiet", "--out", str(out)]
    assert main(arguments) == EXIT_BAD_INPUT
    assert not (out / "manifest.json").exists()


@pytest.mark.parametrize(
    ("district", "town", "towns"), [("A", 7, "0-1"), ("B", 1, "2-4"), ("B", 0, "2-4")]
)
def test_a_town_outside_the_district_is_refused_before_anything_runs(
    write_yaml, capsys, tmp_path, district, town, towns
):
    """Towns are numbered over the districts in order (the schools table's `town`), so a
    mainland district's are known from the scenario: `validate` refuses another district's
    town, and `run` writes nothing."""
    path = _town_city(write_yaml, district, town)
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    assert f"towns are {towns}" in capsys.readouterr().err
    _run_refuses(path, tmp_path)
    err = capsys.readouterr().err
    assert "timeline[0].open.town" in err and f"towns are {towns}" in err
    assert "or -1 for any of them" in err
    assert main(["validate", str(_town_city(write_yaml, district, int(towns[0])))]) == 0


def test_after_a_district_with_islands_the_town_is_checked_when_the_city_is_built(
    write_yaml, capsys, tmp_path
):
    """A district with islands may get fewer towns than it asks (an island with fewer cells
    than its share), so the numbering after it is the layout's: `run` refuses a town that
    is not the district's when it builds the city, before writing anything."""
    path = _town_city(write_yaml, "B", 0, islands=2)
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    _run_refuses(path, tmp_path)
    assert "timeline[0].open.town" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["demo", "dalian", "chongming", "sanming"])
def test_the_town_ranges_are_the_towns_the_layout_numbers(name):
    """`town_range` against the geography the run builds: every district it answers for
    has exactly the towns it says (and it answers for every district before the first
    with islands)."""
    from edusim.randomness import Streams
    from edusim.scenario.lifecycle import town_range
    from edusim.world.geography import build_geography

    scenario = load_scenario(name)
    districts = scenario.city.districts
    geo = build_geography(scenario.city, Streams(scenario.seed).generator("world.geography"))
    answered = 0
    for d, district in enumerate(districts):
        towns = town_range(districts, d)
        if towns is None:
            assert any(earlier.islands > 0 for earlier in districts[: d + 1])
            continue
        answered += 1
        assert list(np.flatnonzero(geo.town_district == d)) == list(towns), district.name
    assert answered == next(
        (d for d, district in enumerate(districts) if district.islands > 0), len(districts)
    )


GROUP = {
    "name": "G",
    "kind": "tight",
    "core": "Core-P01",
    "members": ["Core-P02"],
    "formed": "2018-09-01",
}


def _groups(small_city, **group) -> dict:
    city = copy.deepcopy(small_city)
    city["groups"] = {"explicit": [{**GROUP, **group}]}
    return city


@pytest.mark.parametrize(
    ("group", "opens", "words"),
    [
        ({"formed": "2019-09-01"}, "2019-09-01", "must be formed in a school year before"),
        ({"term_years": 2, "renew": False}, "2020-09-01", "has ended"),
    ],
)
def test_a_school_joins_only_a_group_in_force_when_it_opens(small_city, group, opens, words):
    city = _groups(small_city, **group)
    event = {"date": opens, "open": {**OPEN, "join_group": "G"}}
    problems = _problems(city, [event])
    assert words in problems["timeline[0].open.join_group"]


def test_a_group_in_its_last_year_or_renewed_can_be_joined(small_city):
    """A group of a two-year term formed in 2018 runs 2018 and 2019: joinable in 2019, not
    in 2020 (above) unless it is renewed."""
    joins = [{"date": "2019-09-01", "open": {**OPEN, "join_group": "G"}}]
    assert load_scenario({**_groups(small_city, term_years=2, renew=False), "timeline": joins})
    joins = [{"date": "2020-09-01", "open": {**OPEN, "join_group": "G"}}]
    assert load_scenario({**_groups(small_city, term_years=2, renew=True), "timeline": joins})


def test_only_a_primary_opening_feeds_a_public_junior_school(small_city):
    junior = {**OPEN, "name": "Core-J05", "stage": "junior", "feeds": "Core-J01"}
    problems = _problems(small_city, [{"date": "2019-09-01", "open": junior}])
    assert problems["timeline[0].open.feeds"] == (
        "only a primary school feeds a junior school (a nine-year school feeds its own "
        "junior section)"
    )
    feeding = [{"date": "2019-09-01", "open": {**OPEN, "feeds": "Core-J01"}}]
    assert load_scenario({**copy.deepcopy(small_city), "timeline": feeding})


@pytest.mark.parametrize(("section", "stage"), [("-P", "primary"), ("-J", "junior")])
def test_a_nine_year_opening_takes_both_sections_names(small_city, section, stage):
    """A nine-year school adds `<name>-P` and `<name>-J`: either taken is refused."""
    taken = f"Core-N1{section}"
    first = {"date": "2019-09-01", "open": {**OPEN, "name": taken, "stage": stage}}
    nine = {"date": "2020-09-01", "open": {**OPEN, "name": "Core-N1", "stage": "nine_year"}}
    problems = _problems(small_city, [first, nine])
    assert f"'{taken}' already exists" in problems["timeline[1].open.name"]


def test_school_changes_after_a_policy_event_or_a_refused_change_are_still_checked(small_city):
    """An event without a school change, or a change already refused, does not end the
    checks of the events after it."""
    events = [
        {"date": "2019-09-01", "set": {"learning.peer_effect": 0.05}},
        {"date": "2019-09-01", "close": {"school": "Nowhere"}},
        {"date": "2020-09-01", "merge": {"school": "Core-P03", "into": "Core-P03"}},
        {"date": "2020-09-01", "close": {"school": "Elsewhere"}},
        {"date": "2021-09-01", "merge": {"school": "Core-P04", "into": "Atlantis"}},
    ]
    problems = _problems(small_city, events)
    assert set(problems) == {
        "timeline[1].close.school",
        "timeline[2].merge.into",
        "timeline[3].close.school",
        "timeline[4].merge.into",
    }


def test_a_closed_or_merged_school_cannot_be_closed_again(small_city):
    events = [
        {"date": "2019-09-01", "merge": {"school": "Core-P03", "into": "Core-P01"}},
        {"date": "2019-09-01", "close": {"school": "Core-P04"}},
        {"date": "2020-09-01", "close": {"school": "Core-P03"}},
        {"date": "2020-09-01", "close": {"school": "Core-P04"}},
    ]
    problems = _problems(small_city, events)
    assert set(problems) == {"timeline[2].close.school", "timeline[3].close.school"}
    assert all("closed or been merged" in message for message in problems.values())


def test_private_schools_close_but_do_not_merge_or_pair_as_feeders(small_city):
    city = copy.deepcopy(small_city)
    city["city"]["districts"][0]["private_schools"] = {"primary": 1, "junior": 1}
    names = scenario_private_names(load_scenario(copy.deepcopy(city)))
    primary, junior = "Core-MP01", "Core-MJ01"  # private (民办) sites are named M...
    assert {primary, junior} <= set(names)
    problems = _problems(
        city, [{"date": "2019-09-01", "merge": {"school": primary, "into": "Core-P01"}}]
    )
    assert problems["timeline[0].merge.school"] == (
        "only public schools merge (a private school may close)"
    )
    assert load_scenario(
        {**copy.deepcopy(city), "timeline": [{"date": "2019-09-01", "close": {"school": primary}}]}
    )
    problems = _problems(city, [], feeders={"pairs": {"Core-P01": junior}})
    assert "not a public junior" in problems["feeders.pairs.Core-P01"]


def test_a_feeder_pair_may_name_a_junior_school_that_closes_during_the_run(small_city):
    """Feeder pairs are checked against the city's public schools, not against what is
    still open at the end of the timeline (a pair serves while its junior school is open)."""
    city = copy.deepcopy(small_city)
    city["feeders"] = {"pairs": {"Core-P01": "Core-J02"}}
    city["timeline"] = [{"date": "2020-09-01", "close": {"school": "Core-J02"}}]
    assert load_scenario(city)
