"""Schools that open, merge, close, expand or shrink on a date, and feeder links (对口).

A timeline event (scenario/timeline.py) may carry one school change besides, or instead
of, its parameter changes. The changes name schools by the names `edusim describe`
prints; a school opened by an earlier event is named by its new name. `feeders` says
which junior school each primary school feeds: explicit pairs, and a default rule for
the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from edusim.scenario.fields import Section, entry, param

OpenStage = Literal["primary", "junior", "nine_year"]
NINE_YEAR_SUFFIXES: tuple[str, str] = ("-P", "-J")
"""A nine-year school (九年一贯制) is two rows of the school table on one site: its
primary section `<name>-P` and its junior section `<name>-J`, the first feeding the second."""


class OpenSchool(Section):
    """A new public school: it admits its first grade at the next intake and fills one
    grade a year; the catchments of its district are redrawn around it."""

    name: str = entry(
        unit="name", description="the new school's name (unique in the city)", min_length=1
    )
    stage: OpenStage = entry(
        unit="primary | junior | nine_year",
        description="stage taught; nine_year opens a primary and a junior section on one site",
    )
    district: str = entry(unit="district name", description="district of the new site")
    town: int = param(
        -1,
        unit="town index",
        source="scenario file",
        description="town of the site (the `town` column of the schools table: towns are numbered over the districts in order, `towns` each, so changing an earlier district's count moves them; `edusim validate` says the district's range); -1: any town of the district",
        ge=-1,
    )
    x_km: float | None = param(
        None,
        unit="km",
        source="scenario file",
        description="site near this point (with y_km): the nearest residential cell of the district with no school of the stage; empty: the district's most underserved cell (residential weight x travel to the nearest school of the stage)",
    )
    y_km: float | None = param(None, unit="km", source="scenario file", description="see x_km")
    classes_per_grade: int = param(
        4,
        unit="classes",
        source="assumption",
        description="classes of the entering grade (places = classes x class size)",
        ge=1,
        le=40,
    )
    join_group: str = entry(
        "",
        unit="group name",
        description="an existing group the school joins as a member when it opens ('': none)",
    )
    entrusted_to: str = entry(
        "",
        unit="school name",
        description="a public school of the stage that runs the new school from its opening (委托管理): a group of kind 'entrusted' is formed with it as core ('': none)",
    )
    feeds: str = entry(
        "",
        unit="school name",
        description="junior school the new primary school feeds ('': the feeders' default rule)",
    )


class MergeSchools(Section):
    """A school folded into another: its pupils, teachers and catchment move to the
    absorbing school; with `keep_campus` its site stays a campus of the absorbing school
    (its places too, and its cells stay in the absorbing school's catchment)."""

    school: str = entry(unit="school name", description="the school that is absorbed")
    into: str = entry(unit="school name", description="the absorbing school (same stage)")
    keep_campus: bool = entry(
        True,
        unit="yes/no",
        description="the absorbed site stays a campus of the absorbing school",
        source="assumption",
    )


class CloseSchool(Section):
    """A school that closes: every pupil moves to the catchment school of their address on
    the redrawn map, which adds the classes it needs; teachers follow their pupils."""

    school: str = entry(unit="school name", description="the school that closes")


class ResizeSchool(Section):
    """More or fewer classes per grade at a school (expand / shrink)."""

    school: str = entry(unit="school name", description="the school")
    classes: int = param(
        1,
        unit="classes",
        source="scenario file",
        description="classes per grade added (expand) or removed (shrink; never below the classes its largest grade fills, nor below one)",
        ge=1,
        le=40,
    )


SCHOOL_CHANGES: tuple[str, ...] = ("open", "merge", "close", "expand", "shrink")
"""The school changes a timeline event may carry (at most one per event)."""


class FeederParams(Section):
    """Which junior school each primary school feeds (小学对口初中)."""

    rule: Literal["nearest", "none"] = param(
        "nearest",
        unit="nearest | none",
        source="assumption",
        description="default link of a primary school: the nearest open public junior school of its district (travel cost); none: no link",
    )
    pairs: dict[str, str] = entry(
        {},
        unit="primary school name: junior school name",
        description="explicit links that override the rule; a nine-year school's primary section always feeds its junior section",
    )


def town_range(districts: Sequence[Any], district: int) -> range | None:
    """The town indices of `district` (the schools table's `town` column): towns are
    numbered over the districts in order, `towns` each, as the layout places them
    (world/geography._place_towns). A district on the mainland gets all of its towns (the
    layout fits cells for them); a district with islands splits them over its islands, and
    an island with fewer cells than its share gets fewer, so from the first district with
    islands on the numbering depends on the layout: None (the build checks it)."""
    if any(d.islands > 0 for d in districts[: district + 1]):
        return None
    start = sum(d.towns for d in districts[:district])
    return range(start, start + districts[district].towns)


def lifecycle_problems(scenario, city_schools: dict[str, tuple[int, int, bool]]) -> list:
    """What is wrong with the school changes of `scenario.timeline` and its feeder pairs,
    each at its YAML path: schools that do not exist or no longer exist when the event
    fires (events in the order they take effect), a name taken twice, a stage or sector
    mismatch, a school merged into itself, a district left without a school of a stage.

    `city_schools` maps every school of the city as built to (district index, stage
    index, private); the caller builds it (the schema knows no model).
    """
    from edusim.scenario.loader import Problem, school_year_of_date

    problems: list[Problem] = []
    districts = [d.name for d in scenario.city.districts]
    stages = ("primary", "junior")
    schools = {name: [d, s, private, True] for name, (d, s, private) in city_schools.items()}
    groups = {g.name: g for g in scenario.groups.explicit}
    order = sorted(
        range(len(scenario.timeline)),
        key=lambda i: school_year_of_date(scenario.timeline[i].date),
    )

    def check_open(name: str) -> str | None:
        if name not in schools:
            return f"school '{name}' does not exist (names: see `edusim describe`, or an earlier `open`)"
        if not schools[name][3]:
            return f"school '{name}' has closed or been merged by an earlier event"
        return None

    def open_public_left(district: int, stage: int) -> int:
        return sum(
            1 for d, s, p, o in schools.values() if d == district and s == stage and o and not p
        )

    for index in order:
        event = scenario.timeline[index]
        change = event.school_change
        if change is None:
            continue
        kind, spec = change
        path = f"timeline[{index}].{kind}"
        year = school_year_of_date(event.date)
        if kind == "open":
            if spec.district not in districts:
                problems.append(
                    Problem(f"{path}.district", f"district '{spec.district}' does not exist")
                )
                continue
            district = districts.index(spec.district)
            rows = (
                [(spec.name + NINE_YEAR_SUFFIXES[s], s) for s in (0, 1)]
                if spec.stage == "nine_year"
                else [(spec.name, stages.index(spec.stage))]
            )
            for name, _ in rows:
                if name in schools:
                    problems.append(
                        Problem(f"{path}.name", f"a school called '{name}' already exists")
                    )
            if (spec.x_km is None) != (spec.y_km is None):
                problems.append(Problem(f"{path}.x_km", "give both x_km and y_km, or neither"))
            towns = town_range(scenario.city.districts, district)
            if spec.town >= 0 and towns is not None and spec.town not in towns:
                problems.append(
                    Problem(
                        f"{path}.town",
                        f"town {spec.town} is not in {spec.district}: its towns are "
                        f"{towns.start}-{towns.stop - 1} (the schools table's `town` "
                        "column), or -1 for any of them",
                    )
                )
            if spec.entrusted_to:
                problem = check_open(spec.entrusted_to)
                if problem is None and schools[spec.entrusted_to][2]:
                    problem = f"school '{spec.entrusted_to}' is private: private schools do not lead groups"
                if (
                    problem is None
                    and spec.stage != "nine_year"
                    and schools[spec.entrusted_to][1] != stages.index(spec.stage)
                ):
                    problem = f"school '{spec.entrusted_to}' is not a {spec.stage} school"
                if problem:
                    problems.append(Problem(f"{path}.entrusted_to", problem))
            if spec.join_group:
                group = groups.get(spec.join_group)
                if group is None:
                    problems.append(
                        Problem(
                            f"{path}.join_group",
                            f"no explicit group is called '{spec.join_group}' (see groups.explicit)",
                        )
                    )
                elif school_year_of_date(group.formed) >= year:
                    problems.append(
                        Problem(
                            f"{path}.join_group",
                            f"group '{spec.join_group}' must be formed in a school year before the school opens (formed {group.formed})",
                        )
                    )
                elif (
                    not group.renew and school_year_of_date(group.formed) + group.term_years <= year
                ):
                    problems.append(
                        Problem(
                            f"{path}.join_group",
                            f"group '{spec.join_group}' has ended (not renewed) before the school opens",
                        )
                    )
            if spec.feeds:
                if spec.stage != "primary":
                    problems.append(
                        Problem(
                            f"{path}.feeds",
                            "only a primary school feeds a junior school (a nine-year school feeds its own junior section)",
                        )
                    )
                elif (
                    (problem := check_open(spec.feeds))
                    or schools[spec.feeds][1] != 1
                    or schools[spec.feeds][2]
                ):
                    problems.append(
                        Problem(
                            f"{path}.feeds",
                            problem or f"'{spec.feeds}' is not a public junior school",
                        )
                    )
            for name, stage in rows:
                schools[name] = [district, stage, False, True]
            continue
        names = ("school", "into") if kind == "merge" else ("school",)
        found = True
        for key in names:
            if problem := check_open(getattr(spec, key)):
                problems.append(Problem(f"{path}.{key}", problem))
                found = False
        if not found:
            continue
        district, stage, private, _ = schools[spec.school]
        if kind == "merge":
            other = schools[spec.into]
            if spec.into == spec.school:
                problems.append(
                    Problem(
                        f"{path}.into", f"a school cannot be merged into itself ('{spec.school}')"
                    )
                )
                continue
            if other[1] != stage:
                problems.append(
                    Problem(
                        f"{path}.into",
                        f"'{spec.into}' is a {stages[other[1]]} school, '{spec.school}' a {stages[stage]} school: merge schools of one stage",
                    )
                )
                continue
            if private or other[2]:
                problems.append(
                    Problem(
                        f"{path}.school", "only public schools merge (a private school may close)"
                    )
                )
                continue
            schools[spec.school][3] = False
        elif kind == "close":
            if not private and open_public_left(district, stage) <= 1:
                problems.append(
                    Problem(
                        f"{path}.school",
                        f"'{spec.school}' is the last open public {stages[stage]} school of its district: its pupils would have nowhere to go",
                    )
                )
                continue
            schools[spec.school][3] = False
    for primary, junior in scenario.feeders.pairs.items():
        where = f"feeders.pairs.{primary}"
        if primary not in schools or schools[primary][1] != 0 or schools[primary][2]:
            problems.append(
                Problem(where, f"'{primary}' is not a public primary school of this city")
            )
        elif junior not in schools or schools[junior][1] != 1 or schools[junior][2]:
            problems.append(
                Problem(where, f"'{junior}' is not a public junior school of this city")
            )
    return problems
