"""Checks across keys that the schema alone cannot express: districts with pupils but no
school, groups naming schools that do not exist, timeline events that the schema refuses
once applied, and the counterfactual's own problems."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from edusim.scenario.counterfactual import counterfactual_problems
from edusim.scenario.overrides import apply_override, editable_dump, override_problems
from edusim.scenario.policy_dates import school_year_of_date
from edusim.scenario.problems import Problem, ScenarioError, validation_problems
from edusim.scenario.schema import Scenario


def validate_mapping(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate a resolved mapping into a Scenario, collecting every problem at once."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(source, validation_problems(error)) from None
    problems = consistency_problems(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def consistency_problems(scenario: Scenario) -> list[Problem]:
    """Checks across keys that the schema alone cannot express."""
    problems: list[Problem] = []
    for index, district in enumerate(scenario.city.districts):
        path = f"city.districts[{index}]"
        for stage in ("primary", "junior"):
            schools = getattr(district.schools, stage)
            pupils = getattr(district.pupils, stage)
            if pupils > 0 and schools == 0:
                problems.append(
                    Problem(
                        f"{path}.schools.{stage}",
                        f"district has {pupils} {stage} pupils but no school",
                    )
                )
            private = getattr(district.private_schools, stage) if district.private_schools else 0
            if private and private >= schools:
                problems.append(
                    Problem(
                        f"{path}.private_schools.{stage}",
                        f"{private} private of {schools} {stage} schools leaves no public "
                        "school for the catchments",
                    )
                )
            if schools > 0 and pupils == 0:
                problems.append(
                    Problem(
                        f"{path}.pupils.{stage}",
                        f"district has {schools} {stage} schools but no pupils",
                    )
                )
        if district.pupils.primary > 0 and district.schools.junior == 0:
            problems.append(
                Problem(
                    f"{path}.schools.junior",
                    "district has primary pupils but no junior school: they would have "
                    "nowhere to go at grade 7",
                )
            )
        if district.islands > district.towns:
            problems.append(
                Problem(
                    f"{path}.islands", f"{district.islands} islands need at least as many towns"
                )
            )
    problems += layout_problems(scenario)
    problems += schools_file_problems(scenario, problems)
    problems += group_problems(scenario)
    problems += school_change_problems(scenario)
    own = {str(problem) for problem in problems}
    problems += [  # the counterfactual shares the city: report the city's problems once
        problem
        for problem in counterfactual_problems(scenario)
        if problem.message.removeprefix("in the counterfactual, ") not in own
    ]
    base = editable_dump(scenario)
    alone = len(problems)
    end_year = scenario.start_year + scenario.years
    for index, event in enumerate(scenario.timeline):
        if school_year_of_date(event.date) < scenario.start_year:
            problems.append(
                Problem(
                    f"timeline[{index}].date",
                    f"{event.date} is before the run: it would take effect in school year "
                    f"{school_year_of_date(event.date)}, the run covers {scenario.start_year}-"
                    f"{end_year - 1} (dated policy takes effect on the first 1 September on or "
                    "after its date)",
                )
            )
        for dotted, value in event.set.items():
            where = f"timeline[{index}].set['{dotted}']"
            fixed = dotted.split(".")[0] in (
                "timeline",
                "feeders",
                "city",
                "name",
                "seed",
                "start_year",
                "years",
            )
            if fixed or (dotted.startswith("groups.") and not dotted.startswith("groups.kinds.")):
                problems.append(Problem(where, "this key is fixed for the whole run"))
                continue
            trial = copy.deepcopy(base)
            trial["timeline"] = []
            problems += override_problems(trial, dotted, value, where)
    if len(problems) == alone:
        problems += timeline_problems(scenario, base)
    return problems


def timeline_problems(scenario: Scenario, base: dict[str, Any]) -> list[Problem]:
    """Events that are valid alone but not on top of the events before them (the model
    applies them one after another, in order of the school year they take effect)."""
    state = copy.deepcopy(base)
    state["timeline"] = []
    order = sorted(
        range(len(scenario.timeline)),
        key=lambda index: school_year_of_date(scenario.timeline[index].date),
    )
    problems = []
    for index in order:
        trial = copy.deepcopy(state)
        for dotted, value in scenario.timeline[index].set.items():
            apply_override(trial, dotted, value)
        try:
            Scenario.model_validate(trial)
        except ValidationError as error:
            problems += [
                Problem(f"timeline[{index}].set", f"after the events before it, {problem}")
                for problem in validation_problems(error)
            ]
            continue
        state = trial
    return problems


def layout_problems(scenario: Scenario) -> list[Problem]:
    """A city too thin or too large to lay out in cells, found before anything is built
    (the bounds are in `world.layout_limits`, beside the layouts they bound)."""
    from edusim.world import layout_limits

    return [
        Problem(path, message) for path, message in layout_limits.layout_problems(scenario.city)
    ]


def schools_file_problems(scenario: Scenario, found: list[Problem]) -> list[Problem]:
    """The school list's rows on the map: points inside their districts, counts that
    agree with the districts' (checked only for a city that lays out, `found` empty)."""
    if scenario.city.schools_file is None or found:
        return []
    from edusim.randomness import Streams
    from edusim.world.geography import build_geography
    from edusim.world.listed_schools import placement_problems, school_list

    _, problems = school_list(scenario.city)
    if not problems:
        geo = build_geography(scenario.city, Streams(0).generator("world.geography"))
        problems = placement_problems(scenario, geo)
    return [Problem(path, message) for path, message in problems]


def group_problems(scenario: Scenario) -> list[Problem]:
    """Explicit groups must name existing schools; rules must name existing districts."""
    from edusim.world.schools import scenario_private_names, scenario_school_names

    problems: list[Problem] = []
    names = scenario_school_names(scenario)
    private = scenario_private_names(scenario)

    def missing_or_private(name: str) -> str | None:
        if name not in names:
            return f"school '{name}' does not exist (names: see `edusim describe`)"
        if name in private:
            return f"school '{name}' is private: private schools do not join groups"
        return None

    for index, group in enumerate(scenario.groups.explicit):
        path = f"groups.explicit[{index}]"
        if problem := missing_or_private(group.core):
            problems.append(Problem(f"{path}.core", problem))
        for position, member in enumerate(group.members):
            if problem := missing_or_private(member):
                problems.append(Problem(f"{path}.members[{position}]", problem))
            elif member == group.core:
                problems.append(
                    Problem(f"{path}.members[{position}]", f"school '{member}' is the core")
                )
        if len(set(group.members)) != len(group.members):
            problems.append(Problem(f"{path}.members", "a school is listed twice"))
        if school_year_of_date(group.formed) < scenario.start_year:
            problems.append(Problem(f"{path}.formed", f"{group.formed} is before the run"))
    districts = {d.name for d in scenario.city.districts}
    scoped = [
        (f"enrollment.by_area[{i}]", s.districts) for i, s in enumerate(scenario.enrollment.by_area)
    ]
    scoped += [(f"groups.rules[{i}]", r.districts) for i, r in enumerate(scenario.groups.rules)]
    scoped_members = [
        (f"groups.rules[{i}]", r.member_districts) for i, r in enumerate(scenario.groups.rules)
    ]
    for path, named in scoped_members:
        problems += [
            Problem(f"{path}.member_districts[{position}]", f"district '{district}' does not exist")
            for position, district in enumerate(named)
            if district not in districts
        ]
    for index, transfer in enumerate(scenario.teachers.post_transfers):
        path = f"teachers.post_transfers[{index}]"
        for key in ("from_district", "to_district"):
            if getattr(transfer, key) not in districts:
                problems.append(
                    Problem(f"{path}.{key}", f"district '{getattr(transfer, key)}' does not exist")
                )
        if transfer.from_district == transfer.to_district:
            problems.append(Problem(f"{path}.to_district", "posts must move to another district"))
    for path, named in scoped:
        problems += [
            Problem(f"{path}.districts[{position}]", f"district '{district}' does not exist")
            for position, district in enumerate(named)
            if district not in districts
        ]
    for table in ("owners", "rural"):
        for name in getattr(scenario.school_status, table):
            if name not in names or name in private:
                problems.append(
                    Problem(
                        f"school_status.{table}.{name}",
                        f"'{name}' is not a public school of this city (names: see `edusim describe`)",
                    )
                )
    for index, rule in enumerate(scenario.groups.rules):
        if school_year_of_date(rule.formed) < scenario.start_year:
            problems.append(
                Problem(f"groups.rules[{index}].formed", f"{rule.formed} is before the run")
            )
    return problems


def school_change_problems(scenario: Scenario) -> list[Problem]:
    """School changes of the timeline and feeder pairs (scenario/lifecycle.py)."""
    from edusim.scenario.lifecycle import lifecycle_problems
    from edusim.world.schools import scenario_private_names, scenario_school_names

    private = scenario_private_names(scenario)
    city = {n: (d, s, n in private) for n, (d, s) in scenario_school_names(scenario).items()}
    return lifecycle_problems(scenario, city)
